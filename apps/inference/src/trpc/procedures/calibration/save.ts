import { CalibrationSaveInputSchema } from "@bdi/core/dashboard/models";
import { engineerProcedure } from "../../trpc.ts";
import { calibrationDto } from "../../dto.ts";
import { services, who } from "../../helpers.ts";
import { saveThreshold } from "../../../services/calibrate.ts";

/**
 * Saves a threshold for a model version as its active calibration (audited with the required reason), with the
 * scores it was chosen on and its expected rates. Inference uses it at once when the version is the ROI's active one.
 * The rule is "manual" unless the threshold equals the legacy rule's on the same scores.
 */
export const save = engineerProcedure.input(CalibrationSaveInputSchema).mutation(async ({ ctx, input }) => {
  const r = await saveThreshold(services(ctx), { modelVersionId: input.modelVersionId, threshold: input.threshold, areaMm2Thr: input.areaMm2Thr }, who(ctx, input.reason));
  return {
    calibration: calibrationDto(r.calibration),
    /** true when inference of the ROI now uses this threshold (the version is the ROI's active one) */
    inForce: r.inForce,
    previousThreshold: r.previousThreshold,
  };
});
