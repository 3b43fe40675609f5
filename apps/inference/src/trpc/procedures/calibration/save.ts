import { createCalibration, getModelVersion, getRoi } from "@bdi/db";
import { expectedRates, scoreStats } from "@bdi/core/calibration/rates";
import { CalibrationSaveInputSchema } from "@bdi/core/dashboard/models";
import { publicProcedure } from "../../trpc.ts";
import { calibrationDto } from "../../dto.ts";
import { who } from "../../helpers.ts";
import { DEFAULT_AREA_MM2_THR } from "../../../services/models.ts";
import { activeCalibrationOf, ruleOf, scoresOf, split } from "./shared.ts";

/**
 * Saves a threshold for a model version as its active calibration (audited with the required reason), with the
 * scores it was chosen on and its expected rates. Inference uses it at once when the version is the ROI's active one.
 * The rule is "manual" unless the threshold equals the legacy rule's on the same scores.
 */
export const save = publicProcedure.input(CalibrationSaveInputSchema).mutation(async ({ ctx, input }) => {
  const db = ctx.svc.db.prisma;
  const version = await getModelVersion(db, input.modelVersionId);
  const [active, scores, roi] = await Promise.all([activeCalibrationOf(ctx, version), scoresOf(ctx, version), getRoi(db, version.roiId)]);
  const { ok, ng } = split(scores);
  const rule = ruleOf(scores);
  const rates = expectedRates(input.threshold, ok, ng);
  const isRule = rule !== null && Math.abs(rule.threshold - input.threshold) <= 1e-9 * Math.max(1, Math.abs(rule.threshold));
  const cal = await createCalibration(
    db,
    {
      modelVersionId: version.id,
      threshold: input.threshold,
      rule: isRule ? rule!.rule : "manual",
      scorePercentile: scores.percentile,
      areaMm2Thr: input.areaMm2Thr ?? active?.areaMm2Thr ?? DEFAULT_AREA_MM2_THR,
      mmPerPx: active?.mmPerPx ?? roi.mmPerPx ?? null,
      okScores: ok,
      ngScores: ng.length ? ng : null,
      okStats: { ...scoreStats(ok), p: rule?.pOk ?? null },
      ngStats: ng.length ? { ...scoreStats(ng), p5: rule?.pNg ?? null } : null,
      outOfSample: scores.outOfSample,
      expectedFalseRejectRate: rates.falseRejectRate,
      expectedMissRate: rates.missRate,
      activate: true,
    },
    who(ctx, input.reason),
  );
  return {
    calibration: calibrationDto(cal),
    /** true when inference of the ROI now uses this threshold (the version is the ROI's active one) */
    inForce: roi.activeModelVersionId === version.id,
    previousThreshold: active?.threshold ?? null,
  };
});
