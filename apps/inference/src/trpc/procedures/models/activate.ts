import { TRPCError } from "@trpc/server";
import { activateModelVersion, getModelVersion } from "@bdi/db";
import { ModelActivateInputSchema } from "@bdi/core/dashboard/models";
import { publicProcedure } from "../../trpc.ts";
import { modelVersionDto, roiBrief } from "../../dto.ts";
import { services, who } from "../../helpers.ts";
import { checkVersionArtifact, prepareForScoring } from "../../../services/models.ts";

/**
 * Makes a version the ROI's active one (activation, or rollback to a retired version), audited with the required
 * reason. The ROI's threshold follows: the version's own active calibration, or none (inference then answers
 * calibration_missing until one is saved). The version's artifact must be intact and fit the running backbone
 * (checked from its metadata and file size; the bank itself is loaded by the scoring worker when first used).
 */
export const activate = publicProcedure.input(ModelActivateInputSchema).mutation(async ({ ctx, input }) => {
  const svc = services(ctx);
  const db = ctx.svc.db.prisma;
  const target = await getModelVersion(db, input.id);
  if (target.status === "ready" || target.status === "retired") {
    try {
      checkVersionArtifact(svc, target);
    } catch (err) {
      throw new TRPCError({
        code: "PRECONDITION_FAILED",
        message: `v${target.versionNumber} cannot be activated: its memory bank is unusable (${(err as Error).message})`,
        cause: err,
      });
    }
  }
  const r = await activateModelVersion(db, { id: target.id }, who(ctx, input.reason));
  prepareForScoring(svc, r.version);
  const cal = r.roi.activeCalibrationId ? await db.calibration.findUnique({ where: { id: r.roi.activeCalibrationId } }) : null;
  return {
    roi: roiBrief(r.roi),
    version: modelVersionDto(r.version, r.roi.activeModelVersionId),
    previousVersionId: r.previous?.id ?? null,
    calibrated: !!cal,
    threshold: cal?.threshold ?? null,
  };
});
