import { InspectionListInputSchema } from "@bdi/core/dashboard/inspections";
import { viewerProcedure } from "../../trpc.ts";
import { inspectionDto } from "../../dto.ts";
import { services } from "../../helpers.ts";
import { listInspectionPage } from "../../../services/review.ts";

/** The review queue: inspections newest first, filtered by ROI / decision / review status / source / score / date. */
export const list = viewerProcedure.input(InspectionListInputSchema).query(async ({ ctx, input }) => {
  const page = await listInspectionPage(services(ctx), {
    roiId: input.roiId,
    recipeId: input.recipeId,
    decision: input.decision,
    reviewStatus: input.reviewStatus,
    source: input.source,
    minScore: input.minScore,
    maxScore: input.maxScore,
    from: input.from,
    to: input.to,
    order: input.order,
    cursor: input.cursor ?? null,
    limit: input.limit,
  });
  return { items: page.items.map(inspectionDto), nextCursor: page.nextCursor };
});
