import { SampleListInputSchema } from "@bdi/core/dashboard/samples";
import { viewerProcedure } from "../../trpc.ts";
import { sampleDto } from "../../dto.ts";
import { services } from "../../helpers.ts";
import { listRoiSamples } from "../../../services/dataset.ts";

/** Samples of one ROI, newest first, filtered by label / source / createdAt; cursor pagination. */
export const list = viewerProcedure.input(SampleListInputSchema).query(async ({ ctx, input }) => {
  const page = await listRoiSamples(services(ctx), {
    roiId: input.roiId,
    label: input.label,
    source: input.source,
    from: input.from,
    to: input.to,
    deleted: input.deleted,
    cursor: input.cursor ?? null,
    limit: input.limit,
  });
  return { items: page.items.map(sampleDto), nextCursor: page.nextCursor };
});
