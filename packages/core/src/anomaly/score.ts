// Image score: one number per crop from the (resized, blurred, per-position normalised) anomaly map inside the ROI mask.
// Legacy §3.4 took the map's p-th percentile (p = score_percentile, 99). A model fitted since session 6 takes the
// mean of the map's highest (100 − p) % instead ("tail-mean"): the same parameter and the same share of the ROI, but
// the peak now counts. A pit or a thin crack covers well under 1 % of a crop (84 % of the bsdata pitting masks cover
// under 0.5 %), so the 99th percentile lands beside it; the mean of the top 1 % moves with it. Measured on the saved
// maps of `npm run eval` (bundled backbone, default settings), p99 → mean of the top 1 %:
//   bsdata_pitting     image AUROC 0.949 → 0.956, false-reject at 95 / 99 % recall 28 / 50 % → 27 / 35 %
//   kolektorsdd_crack  image AUROC 0.905 → 0.934, false-reject at 95 % recall 68 % → 53 %
// A model version keeps the rule it was calibrated with (the bank's `scoreRule`; absent = "percentile"), so an
// upgrade never moves the scores under an existing threshold.
import { maskedPercentiles, maskedTailMean } from "../math/percentile.ts";

export const SCORE_RULES = ["percentile", "tail-mean"] as const;
export type ScoreRule = (typeof SCORE_RULES)[number];
/** The rule every new fit uses. */
export const DEFAULT_SCORE_RULE: ScoreRule = "tail-mean";

/**
 * The image score of a map: "percentile" = `np.percentile(map[mask > 0], percentile)` (linear); "tail-mean" = the mean
 * of the highest (100 − percentile) % of those values. `mask` null = whole map; an empty mask → 0.
 */
export function imageScore(map: Float32Array, mask: Uint8Array | null, percentile = 99, rule: ScoreRule = "percentile"): number {
  return rule === "tail-mean" ? maskedTailMean(map, mask, percentile) : maskedPercentiles(map, mask, [percentile])[0]!;
}
