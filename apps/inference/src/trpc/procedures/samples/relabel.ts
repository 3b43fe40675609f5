import { SampleRelabelInputSchema } from "@bdi/core/dashboard/samples";
import { reviewerProcedure } from "../../trpc.ts";
import { sampleDto } from "../../dto.ts";
import { services, who } from "../../helpers.ts";
import { editSample } from "../../../services/dataset.ts";

/** OK ↔ NG ↔ unlabeled (audited). The file stays where it is; the label in the database is what counts. */
export const relabel = reviewerProcedure.input(SampleRelabelInputSchema).mutation(async ({ ctx, input }) => {
  return sampleDto(await editSample(services(ctx), input.id, { action: "relabel", label: input.label }, who(ctx, input.reason)));
});
