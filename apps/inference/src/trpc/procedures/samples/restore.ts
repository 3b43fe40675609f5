import { SampleDeleteInputSchema } from "@bdi/core/dashboard/samples";
import { publicProcedure } from "../../trpc.ts";
import { sampleDto } from "../../dto.ts";
import { services, who } from "../../helpers.ts";
import { editSample } from "../../../services/dataset.ts";

/** Undo a soft delete. */
export const restore = publicProcedure.input(SampleDeleteInputSchema).mutation(async ({ ctx, input }) => {
  return sampleDto(await editSample(services(ctx), input.id, { action: "restore" }, who(ctx, input.reason)));
});
