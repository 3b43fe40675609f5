import { ModelCalibrationsInputSchema } from "@bdi/core/dashboard/models";
import { viewerProcedure } from "../../trpc.ts";
import { calibrationDto } from "../../dto.ts";
import { services } from "../../helpers.ts";
import { versionCalibrations } from "../../../services/model-versions.ts";

/** Calibrations of a version, newest first (threshold, rule, rates, who and why). */
export const calibrations = viewerProcedure.input(ModelCalibrationsInputSchema).query(async ({ ctx, input }) => {
  return (await versionCalibrations(services(ctx), input.modelVersionId)).map(calibrationDto);
});
