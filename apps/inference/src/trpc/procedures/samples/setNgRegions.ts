import { TRPCError } from "@trpc/server";
import { getSample, setSampleNgRegions } from "@bdi/db";
import { ngRegionProblem, SampleSetNgRegionsInputSchema } from "@bdi/core/dashboard/samples";
import { publicProcedure } from "../../trpc.ts";
import { sampleDto } from "../../dto.ts";
import { who } from "../../helpers.ts";

/** Ground-truth defect regions (rectangles / polygons in crop pixels) of an NG sample; null or [] clears them. */
export const setNgRegions = publicProcedure.input(SampleSetNgRegionsInputSchema).mutation(async ({ ctx, input }) => {
  const db = ctx.svc.db.prisma;
  const s = await getSample(db, input.id);
  const regions = input.regions && input.regions.length ? input.regions : null;
  if (regions) {
    if (s.label !== "ng")
      throw new TRPCError({ code: "PRECONDITION_FAILED", message: `NG regions can only be drawn on an NG sample (this one is ${s.label.toUpperCase()})` });
    const problem = ngRegionProblem(regions, s.width, s.height);
    if (problem) throw new TRPCError({ code: "BAD_REQUEST", message: problem });
  }
  return sampleDto(await setSampleNgRegions(db, { sampleId: s.id, regions }, who(ctx)));
});
