import { expectedRates, scoreStats } from "@bdi/core/calibration/rates";
import { CalibrationDataInputSchema } from "@bdi/core/dashboard/models";
import { publicProcedure } from "../../trpc.ts";
import { calibrationDto, modelVersionDto, sampleThumbUrl } from "../../dto.ts";
import { resolveVersion } from "../../helpers.ts";
import { activeCalibrationOf, ruleOf, scoresOf, split } from "./shared.ts";

/**
 * Everything the calibration view draws for one model version (default: the ROI's active one): per-sample OK
 * and NG scores of the current labelled set (OK out-of-sample where the version was trained on them), the
 * active threshold, the legacy rule's threshold on these scores, and the expected false-reject / miss rates.
 * The first call after a dataset change scores the set (seconds to minutes); later calls are served from cache.
 */
export const data = publicProcedure.input(CalibrationDataInputSchema).query(async ({ ctx, input }) => {
  const version = await resolveVersion(ctx, input);
  const [active, scores] = await Promise.all([activeCalibrationOf(ctx, version), scoresOf(ctx, version)]);
  const { ok, ng } = split(scores);
  const rule = ruleOf(scores);
  const threshold = active?.threshold ?? rule?.threshold ?? null;
  return {
    modelVersion: modelVersionDto(version),
    percentile: scores.percentile,
    activeCalibration: active ? calibrationDto(active) : null,
    /** the threshold in force (active calibration), else the rule's */
    threshold,
    rule,
    okScores: ok,
    ngScores: ng,
    samples: scores.items.map((i) => ({ ...i, thumbUrl: sampleThumbUrl(i.sampleId) })),
    errors: scores.errors,
    outOfSample: scores.outOfSample,
    stats: { ok: scoreStats(ok), ng: scoreStats(ng) },
    expected: threshold !== null ? expectedRates(threshold, ok, ng) : null,
    expectedAtRule: rule ? expectedRates(rule.threshold, ok, ng) : null,
    computedAt: scores.computedAt,
  };
});
