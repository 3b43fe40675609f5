import { SampleDeleteInputSchema } from "@bdi/core/dashboard/samples";
import { engineerProcedure } from "../../trpc.ts";
import { sampleDto } from "../../dto.ts";
import { services, who } from "../../helpers.ts";
import { editSample } from "../../../services/dataset.ts";

/** Undo a soft delete. */
export const restore = engineerProcedure.input(SampleDeleteInputSchema).mutation(async ({ ctx, input }) => {
  return sampleDto(await editSample(services(ctx), input.id, { action: "restore" }, who(ctx, input.reason)));
});
