// What a threshold means on labelled scores: error rates with an honest upper bound, summary statistics,
// the confusion matrix at a threshold and the ROC curve for the dashboard's threshold slider.
// Convention everywhere: NG is the positive class and a sample is predicted NG when score ≥ threshold.
import { InvalidInputError } from "../errors.ts";
import { percentileSorted } from "../math/percentile.ts";
import { finiteScores } from "./legacyRule.ts";

/** z for a two-sided 95 % interval. */
export const Z95 = 1.959963984540054;

/**
 * Wilson score bounds of a share `p` observed over `n` trials; `n` may be an effective count (not an integer) when the
 * trials are not independent (score-shift.ts). n = 0 → [0, 1].
 */
export function wilsonBounds(p: number, n: number, z = Z95): { lower: number; upper: number } {
  if (!(p >= 0 && p <= 1 && n >= 0 && Number.isFinite(n))) throw new InvalidInputError(`wilsonBounds needs 0 <= p <= 1 and n >= 0, got p=${p}, n=${n}`);
  if (n === 0) return { lower: 0, upper: 1 };
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  return { lower: p === 0 ? 0 : Math.max(0, centre - half), upper: p === 1 ? 1 : Math.min(1, centre + half) };
}

/** Wilson score interval for k successes out of n (95 % by default). n = 0 → [0, 1]. */
export function wilsonInterval(k: number, n: number, z = Z95): { lower: number; upper: number } {
  if (!(Number.isInteger(k) && Number.isInteger(n) && k >= 0 && n >= 0 && k <= n)) {
    throw new InvalidInputError(`wilsonInterval needs integers 0 <= k <= n, got k=${k}, n=${n}`);
  }
  return wilsonBounds(n ? k / n : 0, n, z);
}

/**
 * The share of *new* samples, exchangeable with `scores`, expected to score at or over `threshold`: the promise a
 * threshold makes about crops nobody has seen yet. Not the share of `scores` at or over it: a threshold set by the
 * scores' own highest values (the legacy rule's 99th percentile of 100 OK scores lies between the two highest) has
 * few of them over it by construction, and a new crop lands over it about twice as often.
 *
 * Why (rank argument, any continuous score distribution): among a new score and n old ones, every rank is equally
 * likely, so the new one is at or over the old i-th highest with probability i / (n + 1). A threshold inside the
 * gap between the c-th and (c+1)-th highest old scores (c of them at or over it) is exceeded with a probability
 * between c / (n + 1) and (c + 1) / (n + 1); this takes the point of the gap it lies at (linear between the two
 * scores). Outside the scores' range the gap is taken as wide as the nearest one (0 one gap above the highest score,
 * 1 one gap below the lowest); without a gap (a single score) the bound the threshold is at.
 * For 100 scores and the legacy 99th percentile: (1 + 0.99) / 101 = 1.97 %, where the share of the scores over it
 * says 1.0 % (the tests' simulation: 1.97 % realised on average over 4,000 draws of 100; 20 scores: 5.7 % against
 * 5.0 %). Exact in expectation for a threshold at one of the scores, and for the rule's, between two of them, where
 * the scores' density is even across that gap; the share of the scores is exact for a threshold that does not depend
 * on them, and there this reads higher by under 1 / (n + 1) on average (the gap's share it adds): the cautious side
 * of a promise. Null without a finite score.
 */
export function newSampleShareAtOrOver(threshold: number, scores: ArrayLike<number>): number | null {
  if (Number.isNaN(threshold)) throw new InvalidInputError("threshold must be a number, got NaN");
  const a = finiteScores(scores).sort();
  const n = a.length;
  if (n === 0) return null;
  // c = scores at or over the threshold; `above` the lowest of them, `below` the highest score under it
  let c = 0;
  while (c < n && a[n - 1 - c]! >= threshold) c++;
  const above = c > 0 ? a[n - c]! : null, below = c < n ? a[n - 1 - c]! : null;
  let gap: number;
  if (above !== null && below !== null) gap = above - below;
  else if (above === null) gap = n >= 2 ? a[n - 1]! - a[n - 2]! : 0; // over every score: the top gap
  else gap = n >= 2 ? a[1]! - a[0]! : 0; // under every score: the bottom gap
  // w: how far into its gap the threshold lies, from the score at or over it (0) to the one under it (1)
  let w: number;
  if (above === null) w = gap > 0 ? Math.max(0, 1 - (threshold - below!) / gap) : 0;
  else if (gap > 0) w = Math.min(1, (above - threshold) / gap);
  else w = threshold === above ? 0 : 1; // a single score, or tied lowest ones: at them, or under them
  return (c + w) / (n + 1);
}

export interface ExpectedRates {
  threshold: number;
  nOk: number;
  nNg: number;
  /** OK samples with score ≥ threshold (would be rejected). */
  falseRejects: number;
  /** NG samples with score < threshold (would pass). */
  misses: number;
  /** falseRejects / nOk: the share of these OK samples rejected; null without OK scores. */
  falseRejectRate: number | null;
  /**
   * The false-reject rate a new OK crop like these is expected to see (newSampleShareAtOrOver): what a calibration
   * promises; null without OK scores.
   */
  promisedFalseRejectRate: number | null;
  /** Wilson 95 % upper bound on the false-reject rate (1 without OK scores). */
  falseRejectRateUpper95: number;
  /** misses / nNg; null without NG scores. */
  missRate: number | null;
  /** Wilson 95 % upper bound on the miss rate (1 without NG scores). */
  missRateUpper95: number;
  /**
   * The miss rate a new NG crop like these is expected to see: 1 − newSampleShareAtOrOver on the NG scores (a
   * threshold set from the NG scores' lowest, as the legacy midpoint rule's 5th percentile, is passed by few of them by
   * construction); null without NG scores.
   */
  promisedMissRate: number | null;
}

/** Error rates of `threshold` on OK and NG scores (non-finite scores ignored). */
export function expectedRates(
  threshold: number,
  okScores: ArrayLike<number>,
  ngScores: ArrayLike<number> | null = null,
): ExpectedRates {
  if (Number.isNaN(threshold)) throw new InvalidInputError("threshold must be a number, got NaN");
  const ok = finiteScores(okScores);
  const ng = finiteScores(ngScores);
  let fr = 0;
  for (let i = 0; i < ok.length; i++) if (ok[i]! >= threshold) fr++;
  let miss = 0;
  for (let i = 0; i < ng.length; i++) if (ng[i]! < threshold) miss++;
  return {
    threshold,
    nOk: ok.length,
    nNg: ng.length,
    falseRejects: fr,
    misses: miss,
    falseRejectRate: ok.length > 0 ? fr / ok.length : null,
    promisedFalseRejectRate: newSampleShareAtOrOver(threshold, ok),
    falseRejectRateUpper95: wilsonInterval(fr, ok.length).upper,
    missRate: ng.length > 0 ? miss / ng.length : null,
    missRateUpper95: wilsonInterval(miss, ng.length).upper,
    promisedMissRate: ng.length > 0 ? 1 - newSampleShareAtOrOver(threshold, ng)! : null,
  };
}

/** What a stored calibration promises (`calibrationPromises`). */
export interface CalibrationPromises {
  /** the false-reject rate new OK crops are expected to see; null without OK scores or a stored rate */
  falseRejectRate: number | null;
  /** the miss rate new NG crops are expected to see; null without NG scores or a stored rate */
  missRate: number | null;
}

/**
 * The rates a stored calibration promises, computed from its threshold and its stored scores by `expectedRates`, so
 * that every calibration is held to the same rule whenever it was stored: those stored before session 25 recorded the
 * share of their OK scores at or over the threshold (the legacy rule's "1.0 %" on 100 scores, where new OK crops see
 * 1.97 %), and the line watch judged the line against that. A calibration stored since reads the rates it stored.
 * Where its scores give no rate (none kept) the stored rate stands.
 */
export function calibrationPromises(cal: {
  threshold: number;
  okScores: ArrayLike<number> | null;
  ngScores: ArrayLike<number> | null;
  storedFalseRejectRate: number | null;
  storedMissRate: number | null;
}): CalibrationPromises {
  if (Number.isNaN(cal.threshold)) return { falseRejectRate: cal.storedFalseRejectRate, missRate: cal.storedMissRate };
  const rates = expectedRates(cal.threshold, cal.okScores ?? [], cal.ngScores);
  return {
    falseRejectRate: rates.promisedFalseRejectRate ?? cal.storedFalseRejectRate,
    missRate: rates.promisedMissRate ?? cal.storedMissRate,
  };
}

export interface ScoreStats {
  n: number;
  min: number;
  max: number;
  mean: number;
  /** Population standard deviation (numpy's default ddof = 0). */
  std: number;
  p50: number;
  p95: number;
  p99: number;
}

/** Summary of the finite scores; every field is 0 when there are none. */
export function scoreStats(scores: ArrayLike<number>): ScoreStats {
  const a = finiteScores(scores);
  const n = a.length;
  if (n === 0) return { n: 0, min: 0, max: 0, mean: 0, std: 0, p50: 0, p95: 0, p99: 0 };
  a.sort();
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i]!;
  const mean = s / n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (a[i]! - mean) ** 2;
  return {
    n,
    min: a[0]!,
    max: a[n - 1]!,
    mean,
    std: Math.sqrt(v / n),
    p50: percentileSorted(a, 50),
    p95: percentileSorted(a, 95),
    p99: percentileSorted(a, 99),
  };
}

export type BinaryLabel = "ok" | "ng";

/** A scored sample; labels other than "ok" / "ng" (e.g. "unlabeled") are ignored by the functions below. */
export interface LabelledScore {
  score: number;
  label: string;
}

export interface Confusion {
  threshold: number;
  /** NG predicted NG. */
  tp: number;
  /** OK predicted NG (false rejects). */
  fp: number;
  /** OK predicted OK. */
  tn: number;
  /** NG predicted OK (misses). */
  fn: number;
  /** tp / (tp + fn); null without NG. */
  tpr: number | null;
  /** fp / (fp + tn); null without OK. */
  fpr: number | null;
  /** tp / (tp + fp); null when nothing is predicted NG. */
  precision: number | null;
  /** (tp + tn) / total; null when empty. */
  accuracy: number | null;
}

function usable(l: LabelledScore): l is LabelledScore & { label: BinaryLabel } {
  return (l.label === "ok" || l.label === "ng") && Number.isFinite(l.score);
}

/** Confusion matrix at `threshold` (NG predicted when score ≥ threshold). */
export function confusionAt(threshold: number, labelled: readonly LabelledScore[]): Confusion {
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (const l of labelled) {
    if (!usable(l)) continue;
    const predNg = l.score >= threshold;
    if (l.label === "ng") {
      if (predNg) tp++;
      else fn++;
    } else if (predNg) fp++;
    else tn++;
  }
  const total = tp + fp + tn + fn;
  return {
    threshold,
    tp,
    fp,
    tn,
    fn,
    tpr: tp + fn > 0 ? tp / (tp + fn) : null,
    fpr: fp + tn > 0 ? fp / (fp + tn) : null,
    precision: tp + fp > 0 ? tp / (tp + fp) : null,
    accuracy: total > 0 ? (tp + tn) / total : null,
  };
}

export interface RocPoint {
  /** Predict NG when score ≥ threshold. The first point's threshold lies just above the highest score. */
  threshold: number;
  tp: number;
  fp: number;
  /** 0 when there is no NG sample. */
  tpr: number;
  /** 0 when there is no OK sample. */
  fpr: number;
}

/** The smallest double greater than x (x finite). */
function nextUp(x: number): number {
  if (x === 0) return Number.MIN_VALUE;
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, x);
  const bits = buf.getBigUint64(0);
  buf.setBigUint64(0, x > 0 ? bits + 1n : bits - 1n);
  return buf.getFloat64(0);
}

/**
 * ROC points for every distinct score used as the threshold, from the strictest (nothing flagged, fpr = tpr = 0)
 * to the loosest (everything flagged): thresholds strictly decreasing, fpr and tpr non-decreasing.
 */
export function rocCurve(labelled: readonly LabelledScore[]): RocPoint[] {
  const items = labelled.filter(usable).map((l) => ({ s: l.score, ng: l.label === "ng" }));
  items.sort((a, b) => b.s - a.s);
  let nNg = 0;
  for (const it of items) if (it.ng) nNg++;
  const nOk = items.length - nNg;
  const rate = (k: number, n: number) => (n > 0 ? k / n : 0);
  if (items.length === 0) return [];
  const points: RocPoint[] = [{ threshold: nextUp(items[0]!.s), tp: 0, fp: 0, tpr: 0, fpr: 0 }];
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < items.length; ) {
    const s = items[i]!.s;
    while (i < items.length && items[i]!.s === s) {
      if (items[i]!.ng) tp++;
      else fp++;
      i++;
    }
    points.push({ threshold: s, tp, fp, tpr: rate(tp, nNg), fpr: rate(fp, nOk) });
  }
  return points;
}

/** Area under a ROC curve from rocCurve (trapezoid); null when a class is missing. */
export function rocAuc(points: readonly RocPoint[]): number | null {
  if (points.length === 0) return null;
  const last = points[points.length - 1]!;
  if (last.tp === 0 || last.fp === 0) return null;
  let a = 0;
  for (let i = 1; i < points.length; i++) {
    a += ((points[i]!.fpr - points[i - 1]!.fpr) * (points[i]!.tpr + points[i - 1]!.tpr)) / 2;
  }
  return a;
}
