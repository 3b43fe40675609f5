import { reviewInspection } from "@bdi/db";
import { InspectionReviewInputSchema } from "@bdi/core/dashboard/inspections";
import { publicProcedure } from "../../trpc.ts";
import { inspectionDto } from "../../dto.ts";
import { who } from "../../helpers.ts";

/** Confirm NG, mark a false positive, or reset to pending; with an optional note (audited, reviewer = actor). */
export const review = publicProcedure.input(InspectionReviewInputSchema).mutation(async ({ ctx, input }) => {
  const i = await reviewInspection(
    ctx.svc.db.prisma,
    { id: input.id, reviewStatus: input.verdict, note: input.note === undefined ? undefined : input.note || null },
    who(ctx),
  );
  return inspectionDto(i);
});
