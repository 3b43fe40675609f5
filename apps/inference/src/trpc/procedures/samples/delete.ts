import { softDeleteSample } from "@bdi/db";
import { SampleDeleteInputSchema } from "@bdi/core/dashboard/samples";
import { publicProcedure } from "../../trpc.ts";
import { sampleDto } from "../../dto.ts";
import { who } from "../../helpers.ts";

/** Soft delete (restorable; lineage of past versions is kept). */
export const remove = publicProcedure.input(SampleDeleteInputSchema).mutation(async ({ ctx, input }) => {
  return sampleDto(await softDeleteSample(ctx.svc.db.prisma, { sampleId: input.id }, who(ctx, input.reason)));
});
