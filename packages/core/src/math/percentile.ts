// Percentiles with numpy's default ("linear", type 7) method, including numpy's two-sided lerp, so results match
// `np.percentile(values, p)` to the last bit for float64 inputs.
import { InvalidInputError } from "../errors.ts";

function checkP(p: number): void {
  if (!(p >= 0 && p <= 100)) throw new InvalidInputError(`percentile must be within [0, 100], got ${p}`);
}

/** numpy's `_lerp`: a + (b-a)·t for t < 0.5, b - (b-a)·(1-t) otherwise (exact at both ends). */
function lerp(a: number, b: number, t: number): number {
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/**
 * Percentile `p` ∈ [0, 100] of an ascending-sorted array (numpy linear method). Empty → 0.
 * NaN sorts last, so like numpy a NaN in the data can leak into high percentiles; callers filter first.
 */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number {
  checkP(p);
  const n = sorted.length;
  if (n === 0) return 0;
  const vi = (n - 1) * (p / 100);
  const lo = Math.floor(vi);
  const hi = lo + 1 > n - 1 ? n - 1 : lo + 1;
  return lerp(sorted[lo]!, sorted[hi]!, vi - lo);
}

/** `np.percentile(values, p)` (linear). Empty → 0. Does not modify `values`. */
export function percentile(values: ArrayLike<number>, p: number): number {
  checkP(p);
  const n = values.length;
  if (n === 0) return 0;
  const a = values instanceof Float32Array ? Float32Array.from(values) : Float64Array.from(values);
  a.sort();
  return percentileSorted(a, p);
}

/** Several percentiles of the same values with one sort. Empty → zeros. */
export function percentiles(values: ArrayLike<number>, ps: readonly number[]): number[] {
  for (const p of ps) checkP(p);
  if (values.length === 0) return ps.map(() => 0);
  const a = values instanceof Float32Array ? Float32Array.from(values) : Float64Array.from(values);
  a.sort();
  return ps.map((p) => percentileSorted(a, p));
}

/** The values of `map` where `mask` is non-zero (all of them when `mask` is null). */
export function maskedValues(map: Float32Array, mask: Uint8Array | null): Float32Array {
  if (mask === null) return map.slice();
  if (mask.length !== map.length) {
    throw new InvalidInputError(`mask length ${mask.length} does not match map length ${map.length}`);
  }
  let count = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] !== 0) count++;
  const out = new Float32Array(count);
  let k = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] !== 0) out[k++] = map[i]!;
  return out;
}

/**
 * Percentiles of the map values inside the mask (non-zero mask pixels; `null` = whole map), with one sort.
 * An empty mask gives zeros (the legacy "empty mask → 0.0").
 */
export function maskedPercentiles(map: Float32Array, mask: Uint8Array | null, ps: readonly number[]): number[] {
  for (const p of ps) checkP(p);
  const v = maskedValues(map, mask);
  if (v.length === 0) return ps.map(() => 0);
  v.sort();
  return ps.map((p) => percentileSorted(v, p));
}
