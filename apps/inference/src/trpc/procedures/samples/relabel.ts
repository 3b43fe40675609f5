import { relabelSample } from "@bdi/db";
import { SampleRelabelInputSchema } from "@bdi/core/dashboard/samples";
import { publicProcedure } from "../../trpc.ts";
import { sampleDto } from "../../dto.ts";
import { who } from "../../helpers.ts";

/** OK ↔ NG ↔ unlabeled (audited). The file stays where it is; the label in the database is what counts. */
export const relabel = publicProcedure.input(SampleRelabelInputSchema).mutation(async ({ ctx, input }) => {
  const s = await relabelSample(ctx.svc.db.prisma, { sampleId: input.id, label: input.label }, who(ctx, input.reason));
  return sampleDto(s);
});
