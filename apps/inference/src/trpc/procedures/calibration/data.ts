import { expectedRates, scoreStats } from "@bdi/core/calibration/rates";
import { CalibrationDataInputSchema } from "@bdi/core/dashboard/models";
import { viewerProcedure } from "../../trpc.ts";
import { calibrationDto, modelVersionDto, sampleThumbUrl } from "../../dto.ts";
import { services } from "../../helpers.ts";
import { highestOkSamples, ruleOf, ruleSpread, splitScores, versionCalibrationView } from "../../../services/calibrate.ts";
import { resolveVersion } from "../../../services/model-versions.ts";
import { versionScoring } from "../../../services/model-state.ts";

/**
 * Everything the calibration view draws for one model version (default: the ROI's active one): per-sample OK
 * and NG scores of the current labelled set (OK out-of-sample where the version was trained on them), the
 * active threshold, the legacy rule's threshold on these scores, and the expected false-reject / miss rates.
 * The first call after a dataset change scores the set (seconds to minutes); later calls are served from cache.
 */
export const data = viewerProcedure.input(CalibrationDataInputSchema).query(async ({ ctx, input }) => {
  const svc = services(ctx);
  const version = await resolveVersion(svc, input);
  const { active, scores } = await versionCalibrationView(svc, version);
  const { ok, ng } = splitScores(scores);
  const rule = ruleOf(scores);
  const threshold = active?.threshold ?? rule?.threshold ?? null;
  const scoring = await versionScoring(svc, version);
  return {
    modelVersion: modelVersionDto(version),
    percentile: scores.percentile,
    /** how the version turns a map into its image score (with `percentile`), and what level of the map counts as 0 */
    scoreRule: scoring.scoreRule,
    baseline: scoring.baseline,
    /** the version's features are weighted per channel (a registered ROI fitted since session 23) */
    channelWeights: scoring.channelWeights !== null,
    /** the version brings its crops to its ROI's brightness before the backbone (a registered ROI fitted since session 24) */
    brightness: scoring.brightness !== null,
    activeCalibration: active ? calibrationDto(active) : null,
    /** the threshold in force (active calibration), else the rule's */
    threshold,
    rule,
    /** the rule's threshold with another draw of as many OK samples like these (95 %), and what it rejects / catches */
    ruleSpread: ruleSpread(scores),
    okScores: ok,
    ngScores: ng,
    samples: scores.items.map((i) => ({ ...i, thumbUrl: sampleThumbUrl(i.sampleId) })),
    /** the OK samples that hold the threshold up: the highest-scoring, and those the rule's OK percentile comes from */
    okHighest: highestOkSamples(scores).map((i) => ({ ...i, thumbUrl: sampleThumbUrl(i.sampleId) })),
    errors: scores.errors,
    outOfSample: scores.outOfSample,
    stats: { ok: scoreStats(ok), ng: scoreStats(ng) },
    expected: threshold !== null ? expectedRates(threshold, ok, ng) : null,
    expectedAtRule: rule ? expectedRates(rule.threshold, ok, ng) : null,
    computedAt: scores.computedAt,
  };
});
