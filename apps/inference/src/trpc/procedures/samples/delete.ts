import { SampleDeleteInputSchema } from "@bdi/core/dashboard/samples";
import { engineerProcedure } from "../../trpc.ts";
import { sampleDto } from "../../dto.ts";
import { services, who } from "../../helpers.ts";
import { editSample } from "../../../services/dataset.ts";

/** Soft delete (restorable; lineage of past versions is kept). */
export const remove = engineerProcedure.input(SampleDeleteInputSchema).mutation(async ({ ctx, input }) => {
  return sampleDto(await editSample(services(ctx), input.id, { action: "delete" }, who(ctx, input.reason)));
});
