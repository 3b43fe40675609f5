import { SampleSetNgRegionsInputSchema } from "@bdi/core/dashboard/samples";
import { reviewerProcedure } from "../../trpc.ts";
import { sampleDto } from "../../dto.ts";
import { services, who } from "../../helpers.ts";
import { setNgRegions as setRegions } from "../../../services/dataset.ts";

/** Ground-truth defect regions (rectangles / polygons in crop pixels) of an NG sample; null or [] clears them. */
export const setNgRegions = reviewerProcedure.input(SampleSetNgRegionsInputSchema).mutation(async ({ ctx, input }) => {
  const regions = input.regions && input.regions.length ? input.regions : null;
  return sampleDto(await setRegions(services(ctx), { sampleId: input.id, regions }, who(ctx)));
});
