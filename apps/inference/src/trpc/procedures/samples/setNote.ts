import { SampleSetNoteInputSchema } from "@bdi/core/dashboard/samples";
import { reviewerProcedure } from "../../trpc.ts";
import { sampleDto } from "../../dto.ts";
import { services, who } from "../../helpers.ts";
import { editSample } from "../../../services/dataset.ts";

/** Set or clear (null / "") a sample's note. */
export const setNote = reviewerProcedure.input(SampleSetNoteInputSchema).mutation(async ({ ctx, input }) => {
  const note = input.note ? input.note : null;
  return sampleDto(await editSample(services(ctx), input.id, { action: "note", note }, who(ctx)));
});
