import { confusionAt, expectedRates, rocAuc, rocCurve, type RocPoint } from "@bdi/core/calibration/rates";
import { CalibrationRescoreInputSchema } from "@bdi/core/dashboard/models";
import { viewerProcedure } from "../../trpc.ts";
import { sampleThumbUrl } from "../../dto.ts";
import { services } from "../../helpers.ts";
import { ruleOf, splitScores, versionCalibrationView } from "../../../services/calibrate.ts";
import { findVersion } from "../../../services/model-versions.ts";

/** Keeps the first and last points and an even selection in between. */
function thin(points: RocPoint[], max: number): RocPoint[] {
  if (points.length <= max) return points;
  const out: RocPoint[] = [];
  const step = (points.length - 1) / (max - 1);
  for (let i = 0; i < max; i++) out.push(points[Math.round(i * step)]!);
  return out;
}

/**
 * The threshold slider: re-scores the stored labelled set at `threshold` (no inference: the per-sample scores
 * are cached): confusion matrix (NG = positive, NG when score ≥ threshold), rates, the ROC curve with the
 * current operating point, and the samples whose decision flips against the active threshold.
 */
export const rescore = viewerProcedure.input(CalibrationRescoreInputSchema).query(async ({ ctx, input }) => {
  const svc = services(ctx);
  const version = await findVersion(svc, input.modelVersionId);
  const { active, scores } = await versionCalibrationView(svc, version);
  const { ok, ng } = splitScores(scores);
  const items = scores.items;
  const roc = rocCurve(items);
  const baseline = active?.threshold ?? ruleOf(scores)?.threshold ?? null;
  const flips =
    baseline === null
      ? []
      : items
          .filter((i) => i.score >= baseline !== i.score >= input.threshold)
          .map((i) => {
            const after = i.score >= input.threshold ? ("ng" as const) : ("ok" as const);
            return {
              ...i,
              before: i.score >= baseline ? ("ng" as const) : ("ok" as const),
              after,
              /** true when the new decision agrees with the label */
              nowCorrect: after === i.label,
              thumbUrl: sampleThumbUrl(i.sampleId),
            };
          })
          .sort((a, b) => b.score - a.score);
  return {
    modelVersionId: version.id,
    threshold: input.threshold,
    baselineThreshold: baseline,
    baselineSource: active ? ("active_calibration" as const) : baseline !== null ? ("rule" as const) : null,
    confusion: confusionAt(input.threshold, items),
    rates: expectedRates(input.threshold, ok, ng),
    roc: thin(roc, input.maxRocPoints),
    auc: rocAuc(roc),
    flips,
    nOk: ok.length,
    nNg: ng.length,
  };
});
