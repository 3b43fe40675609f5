import { restoreSample } from "@bdi/db";
import { SampleDeleteInputSchema } from "@bdi/core/dashboard/samples";
import { publicProcedure } from "../../trpc.ts";
import { sampleDto } from "../../dto.ts";
import { who } from "../../helpers.ts";

/** Undo a soft delete. */
export const restore = publicProcedure.input(SampleDeleteInputSchema).mutation(async ({ ctx, input }) => {
  return sampleDto(await restoreSample(ctx.svc.db.prisma, { sampleId: input.id }, who(ctx, input.reason)));
});
