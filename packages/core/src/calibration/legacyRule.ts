// The legacy threshold rule (backend/calib.py, §1.3 / §3.9).
import { EmptyScoresError, InvalidInputError } from "../errors.ts";
import { percentile as pct } from "../math/percentile.ts";

export type LegacyRule = "p99_ok" | "midpoint_p99ok_p5ng" | "p99ok_x1.02";

export interface LegacyThresholdInput {
  okScores: ArrayLike<number>;
  /** null / undefined / empty = no NG (legacy regression: `null` and `[]` mean the same). */
  ngScores?: ArrayLike<number> | null;
  /** Percentile of the OK scores (legacy `score_percentile`, default 99). */
  percentile?: number;
}

export interface LegacyThresholdResult {
  threshold: number;
  /** Which branch decided (the name says p99 even when another percentile is used, like the legacy key `p99_ok`). */
  rule: LegacyRule;
  /** p{percentile} of the OK scores. */
  pOk: number;
  /** p5 of the NG scores; null without NG. */
  pNg: number | null;
  okMean: number;
  /** 0 without NG (legacy `ng_mean`). */
  ngMean: number;
  nOk: number;
  nNg: number;
}

/** Finite values only (the legacy endpoint dropped NaN and ±Inf). */
export function finiteScores(values: ArrayLike<number> | null | undefined): Float64Array {
  if (values === null || values === undefined) return new Float64Array(0);
  let n = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) n++;
  const out = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) out[k++] = v;
  }
  return out;
}

function checkPercentile(p: number): void {
  if (!(Number.isFinite(p) && p >= 0 && p <= 100)) throw new InvalidInputError(`percentile must be within [0, 100], got ${p}`);
}

function mean(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return a.length > 0 ? s / a.length : 0;
}

/**
 * thr = p_ok = percentile(OK, p) with no NG; otherwise with p_ng = percentile(NG, 5):
 * p_ng > p_ok → (p_ok + p_ng) / 2, else p_ok · 1.02. Non-finite scores are ignored.
 * No finite OK score → EmptyScoresError with the legacy message.
 */
export function legacyThreshold(input: LegacyThresholdInput): LegacyThresholdResult {
  const p = input.percentile ?? 99;
  checkPercentile(p);
  const ok = finiteScores(input.okScores);
  const ng = finiteScores(input.ngScores);
  if (ok.length === 0) throw new EmptyScoresError("Se requiere al menos 1 score OK para calibrar");
  const pOk = pct(ok, p);
  const base = { pOk, okMean: mean(ok), ngMean: mean(ng), nOk: ok.length, nNg: ng.length };
  if (ng.length === 0) return { threshold: pOk, rule: "p99_ok", pNg: null, ...base };
  const pNg = pct(ng, 5);
  if (pNg <= pOk) return { threshold: pOk * 1.02, rule: "p99ok_x1.02", pNg, ...base };
  return { threshold: (pOk + pNg) / 2, rule: "midpoint_p99ok_p5ng", pNg, ...base };
}

/**
 * Which OK scores the rule's percentile lies between, as indices into `okScores` (non-finite scores ignored, as the
 * rule does): the samples that set a threshold calibrated from OK scores alone. On 100 scores at p99, the highest and
 * the second highest; one index when the percentile falls exactly on a score; none without a finite score.
 */
export function percentileSources(okScores: ArrayLike<number>, percentile = 99): number[] {
  checkPercentile(percentile);
  const order: number[] = [];
  for (let i = 0; i < okScores.length; i++) if (Number.isFinite(okScores[i])) order.push(i);
  if (order.length === 0) return [];
  order.sort((a, b) => okScores[a]! - okScores[b]! || a - b);
  const at = (order.length - 1) * (percentile / 100);
  const lo = Math.floor(at);
  return at === lo || lo + 1 >= order.length ? [order[lo]!] : [order[lo]!, order[lo + 1]!];
}
