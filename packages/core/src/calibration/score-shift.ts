// Whether the line's recent crops still score like the OK samples their calibration was made from. The promise
// (line-promise.ts) needs reviews and counts over the calibration's whole life; this needs none and looks at the last
// crops only, so a slow change of the parts, the lighting or the camera shows before it turns into false rejects.
//
// The test: the share of recent line crops scoring above the median of the calibration's out-of-sample OK scores. New
// good crops land on either side of it as often as the OK samples did — measured on the dev sets' test crops, which no
// fit saw (`npm run eval`, OUT/oos.csv against scores.csv): 30 of 60 good bsdata crops above it, 29 of 62 kolektorsdd
// ones. Defects land above it (100 % of bsdata's pits, 96 % of kolektorsdd's cracks), so a line with d % defects reads
// about d/2 points over one half; the tolerance leaves room for that. The median, not the threshold's tail: half the
// crops carry the signal instead of one in a hundred.
import { InvalidInputError } from "../errors.ts";
import { percentileSorted } from "../math/percentile.ts";
import { finiteScores } from "./legacyRule.ts";
import { wilsonBounds, Z95 } from "./rates.ts";

/**
 * How many of the line's most recent crops the comparison reads. It sets the smallest shift that can be told beyond
 * the tolerance: 200 crops tell a share outside ~33–67 %, 500 outside ~36–64 %. Measured (`npm run eval -- --view
 * blur:1`): kolektorsdd's crops out of focus moved the share to 35 % (22 of 62 good crops) while the calibrated
 * threshold caught 22 of 48 cracks instead of 32 — "lower" at 500 crops, not at 200. A line that sends a crop every
 * few seconds fills 500 in well under an hour; a sudden change that sends every crop above the median reads "higher"
 * once ~30 % of the window has it.
 */
export const SHIFT_WINDOW = 500;

/**
 * How far from one half the share above the OK median may be and still read as steady, at the least: 10 points, room
 * for a defect rate of up to ~20 % (defects score above the median) and for the OK median's own error on ~100 OK
 * scores (`shiftTolerance` widens it for fewer).
 */
export const SHIFT_TOLERANCE = 0.1;

/**
 * Fewer line crops than this give no verdict. A line sends its crops in runs — parts of one batch, one camera
 * position after another, a lamp warming up — not as independent draws: bsdata's good test crops in file order (the
 * order `npm run eval:rest` sends them) run up to 8 above and 11 below the OK median, and their first 6 to 11 alone
 * read "higher" (through REST the line watch raised that alarm after 11 of them, session 16). The run correlation
 * below widens the interval for what it can measure; a hundred crops keep a few runs from deciding alone.
 */
export const MIN_SHIFT_CROPS = 100;

/**
 * The largest run correlation used: a line whose crops all sit in one long run still counts as 1/39 of its crops
 * rather than none.
 */
const MAX_RUN_CORRELATION = 0.95;

/**
 * The lag-1 autocorrelation of the crops' above / below the OK median, in the order they were judged, within
 * [0, 0.95]; 0 when all are on one side (nothing to correlate: all 500 above is a shift, not a run). A sequence whose
 * neighbours agree more often than chance counts as fewer independent crops: n · (1 − ρ) / (1 + ρ), the effective
 * size of a first-order autoregressive series' mean.
 */
export function runCorrelation(above: ArrayLike<boolean>): number {
  const n = above.length;
  if (n < 3) return 0;
  let k = 0;
  for (let i = 0; i < n; i++) if (above[i]) k++;
  const mean = k / n;
  const variance = mean * (1 - mean) * n;
  if (variance === 0) return 0;
  let cov = 0;
  for (let i = 1; i < n; i++) cov += ((above[i] ? 1 : 0) - mean) * ((above[i - 1] ? 1 : 0) - mean);
  return Math.min(MAX_RUN_CORRELATION, Math.max(0, cov / variance));
}

/** Fewer OK scores than this give no verdict: their median's 95 % error is over 22 quantile points (`shiftTolerance`). */
export const MIN_SHIFT_OK_SCORES = 20;

/**
 * The tolerance for a calibration of `okCount` OK scores: at least `SHIFT_TOLERANCE`, and at least the 95 % error of
 * their median as a quantile (1.96 · 0.5 / √n: 9.8 points for 100 scores, 21.9 for 20, 31 for 10). A median of 20 OK
 * crops may lie at their 28th or 72nd percentile; a line judged against it would read higher or lower with nothing
 * changed.
 */
export function shiftTolerance(okCount: number): number {
  if (!(Number.isInteger(okCount) && okCount >= 1)) throw new InvalidInputError(`okCount must be an integer >= 1, got ${okCount}`);
  return Math.max(SHIFT_TOLERANCE, (Z95 * 0.5) / Math.sqrt(okCount));
}

export type ShiftVerdict =
  /** the share's 95 % interval lies within one half ± the tolerance */
  | "steady"
  /** even the interval's lower bound is over one half + the tolerance: the crops score higher than the OK samples did */
  | "higher"
  /** even its upper bound is under one half − the tolerance: lower than the OK samples (a darker image, a changed view) */
  | "lower"
  /** too few crops to tell (`MIN_SHIFT_CROPS`, or too few independent ones), or too few OK scores (`MIN_SHIFT_OK_SCORES`) */
  | "open";

export interface ScoreShift {
  /** line crops compared (finite scores in the window) */
  crops: number;
  /** fewer crops than this give no verdict (`MIN_SHIFT_CROPS`) */
  minCrops: number;
  /** the lag-1 correlation of the crops' above / below the median, in the order given (`runCorrelation`) */
  runCorrelation: number;
  /** the independent crops they count as, which the interval is computed over: crops · (1 − ρ) / (1 + ρ) */
  effectiveCrops: number;
  /** the calibration's OK scores compared against */
  okScores: number;
  /** fewer OK scores than this give no verdict (`MIN_SHIFT_OK_SCORES`) */
  minOkScores: number;
  okMedian: number;
  okP90: number;
  /** null without line crops */
  lineMedian: number | null;
  lineP90: number | null;
  /** line crops scoring above the OK median */
  aboveOkMedian: number;
  /** aboveOkMedian / crops; null without line crops */
  share: number | null;
  /** Wilson 95 % interval of the share, over the effective crops */
  interval95: { lower: number; upper: number };
  tolerance: number;
  verdict: ShiftVerdict;
}

/**
 * The line's recent scores (`lineScores`, any decision, in the order they were judged: newest or oldest first) against
 * a calibration's out-of-sample OK scores, with `shiftTolerance` of their count unless a tolerance is given, and no
 * verdict under `minCrops` line crops (`MIN_SHIFT_CROPS`; `npm run eval` compares a whole test set with 1). Non-finite
 * scores are ignored; a calibration without a finite OK score is refused.
 */
export function scoreShift(
  lineScores: ArrayLike<number>,
  okScores: ArrayLike<number>,
  opts: { tolerance?: number; minCrops?: number } = {},
): ScoreShift {
  let tolerance = opts.tolerance;
  const minCrops = opts.minCrops ?? MIN_SHIFT_CROPS;
  if (!(Number.isInteger(minCrops) && minCrops >= 1)) throw new InvalidInputError(`minCrops must be an integer >= 1, got ${minCrops}`);
  if (tolerance !== undefined && !(Number.isFinite(tolerance) && tolerance >= 0 && tolerance < 0.5)) {
    throw new InvalidInputError(`tolerance must be within [0, 0.5), got ${tolerance}`);
  }
  const ok = finiteScores(okScores).sort();
  if (ok.length === 0) throw new InvalidInputError("scoreShift needs the calibration's OK scores, got none");
  tolerance ??= shiftTolerance(ok.length);
  const inOrder = finiteScores(lineScores);
  const okMedian = percentileSorted(ok, 50);
  const isAbove = Array.from(inOrder, (v) => v > okMedian);
  const above = isAbove.filter(Boolean).length;
  const rho = runCorrelation(isAbove);
  const effectiveCrops = (inOrder.length * (1 - rho)) / (1 + rho);
  const interval95 = wilsonBounds(inOrder.length ? above / inOrder.length : 0, effectiveCrops);
  const line = inOrder.sort();
  let verdict: ShiftVerdict = "open";
  if (ok.length >= MIN_SHIFT_OK_SCORES && line.length >= minCrops) {
    if (interval95.lower > 0.5 + tolerance) verdict = "higher";
    else if (interval95.upper < 0.5 - tolerance) verdict = "lower";
    else if (interval95.lower >= 0.5 - tolerance && interval95.upper <= 0.5 + tolerance) verdict = "steady";
  }
  return {
    crops: line.length,
    minCrops,
    runCorrelation: rho,
    effectiveCrops,
    okScores: ok.length,
    minOkScores: MIN_SHIFT_OK_SCORES,
    okMedian,
    okP90: percentileSorted(ok, 90),
    lineMedian: line.length ? percentileSorted(line, 50) : null,
    lineP90: line.length ? percentileSorted(line, 90) : null,
    aboveOkMedian: above,
    share: line.length ? above / line.length : null,
    interval95,
    tolerance,
    verdict,
  };
}
