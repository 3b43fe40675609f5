import { ModelCalibrationsInputSchema } from "@bdi/core/dashboard/models";
import { publicProcedure } from "../../trpc.ts";
import { calibrationDto } from "../../dto.ts";
import { services } from "../../helpers.ts";
import { versionCalibrations } from "../../../services/model-versions.ts";

/** Calibrations of a version, newest first (threshold, rule, rates, who and why). */
export const calibrations = publicProcedure.input(ModelCalibrationsInputSchema).query(async ({ ctx, input }) => {
  return (await versionCalibrations(services(ctx), input.modelVersionId)).map(calibrationDto);
});
