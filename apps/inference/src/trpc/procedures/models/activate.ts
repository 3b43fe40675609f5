import { ModelActivateInputSchema } from "@bdi/core/dashboard/models";
import { engineerProcedure } from "../../trpc.ts";
import { modelVersionDto, roiBrief } from "../../dto.ts";
import { services, who } from "../../helpers.ts";
import { activateVersion } from "../../../services/model-versions.ts";

/**
 * Makes a version the ROI's active one (activation, or rollback to a retired version), audited with the required
 * reason. The ROI's threshold follows: the version's own active calibration, or none (inference then answers
 * calibration_missing until one is saved).
 */
export const activate = engineerProcedure.input(ModelActivateInputSchema).mutation(async ({ ctx, input }) => {
  const r = await activateVersion(services(ctx), input.id, who(ctx, input.reason));
  return {
    roi: roiBrief(r.roi),
    version: modelVersionDto(r.version, r.roi.activeModelVersionId),
    previousVersionId: r.previous?.id ?? null,
    calibrated: !!r.calibration,
    threshold: r.calibration?.threshold ?? null,
  };
});
