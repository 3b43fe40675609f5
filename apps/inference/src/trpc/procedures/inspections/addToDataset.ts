import { InspectionAddToDatasetInputSchema } from "@bdi/core/dashboard/inspections";
import { engineerProcedure } from "../../trpc.ts";
import { inspectionDto, sampleDto } from "../../dto.ts";
import { services, who } from "../../helpers.ts";
import { addInspectionToDataset } from "../../../services/review.ts";

/** Adds the inspection's crop to its ROI's dataset as OK or NG (a Sample linked to it), audited; CONFLICT if already added. */
export const addToDataset = engineerProcedure.input(InspectionAddToDatasetInputSchema).mutation(async ({ ctx, input }) => {
  const r = await addInspectionToDataset(services(ctx), { inspectionId: input.id, label: input.label, note: input.note }, who(ctx));
  return { sample: sampleDto(r.sample), inspection: inspectionDto(r.inspection) };
});
