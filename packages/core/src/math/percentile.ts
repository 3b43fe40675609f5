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

/** Several percentiles of the same values (one selection pass, no full sort). Empty → zeros. */
export function percentiles(values: ArrayLike<number>, ps: readonly number[]): number[] {
  for (const p of ps) checkP(p);
  if (values.length === 0) return ps.map(() => 0);
  const a = values instanceof Float32Array ? Float32Array.from(values) : Float64Array.from(values);
  return selectPercentiles(a, a.length, ps);
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
 * Percentiles of the map values inside the mask (non-zero mask pixels; `null` = whole map), with one selection
 * pass over one copy. An empty mask gives zeros (the legacy "empty mask → 0.0").
 */
export function maskedPercentiles(map: Float32Array, mask: Uint8Array | null, ps: readonly number[]): number[] {
  for (const p of ps) checkP(p);
  if (mask !== null && mask.length !== map.length) {
    throw new InvalidInputError(`mask length ${mask.length} does not match map length ${map.length}`);
  }
  // Copy the (masked) values, NaNs left out (they sort last, like numpy / TypedArray.prototype.sort).
  const v = new Float32Array(map.length);
  let n = 0;
  let nan = 0;
  if (mask === null) {
    for (let i = 0; i < map.length; i++) { const x = map[i]!; if (x === x) v[n++] = x; else nan++; }
  } else {
    for (let i = 0; i < map.length; i++) {
      if (mask[i] === 0) continue;
      const x = map[i]!;
      if (x === x) v[n++] = x; else nan++;
    }
  }
  if (n + nan === 0) return ps.map(() => 0);
  return selectPercentiles(v, n, ps, nan);
}

/**
 * Percentiles (numpy linear) of `a[0, n)` plus `nan` NaNs ranked after them, by quickselect: the result equals
 * `percentileSorted(sorted)` bit for bit (order statistics are exact), in O(n). Reorders `a`.
 */
export function selectPercentiles(a: Float32Array | Float64Array, n: number, ps: readonly number[], nan = 0): number[] {
  const total = n + nan;
  const hasNaN = (): boolean => { for (let i = 0; i < n; i++) if (a[i] !== a[i]) return true; return false; };
  if (nan === 0 && hasNaN()) {
    // A NaN among the values (Float32Array/Float64Array input of `percentiles`): fall back to the sort order.
    const s = a.subarray(0, n).sort();
    return ps.map((p) => percentileSorted(s, p));
  }
  // Needed ranks, descending; each selection narrows the range of the next (everything right of rank k is ≥ a[k]).
  const ranks = new Set<number>();
  const plan = ps.map((p) => {
    const vi = (total - 1) * (p / 100);
    const lo = Math.floor(vi);
    const hi = lo + 1 > total - 1 ? total - 1 : lo + 1;
    ranks.add(lo);
    ranks.add(hi);
    return { lo, hi, t: vi - lo };
  });
  const vals = new Map<number, number>();
  const wanted = [...ranks].filter((k) => k < n);
  for (const k of ranks) if (k >= n) vals.set(k, NaN);
  if (!(n >= 8192 && bracketSelect(a, n, wanted, vals))) {
    let right = n; // a[0, right) holds the ranks not yet fixed
    for (const k of wanted.sort((x, y) => y - x)) {
      if (k === right - 1) {
        // the max of the remaining range
        let mi = 0;
        for (let i = 1; i < right; i++) if (a[i]! > a[mi]!) mi = i;
        const t = a[mi]!; a[mi] = a[k]!; a[k] = t;
      } else {
        nthElement(a, 0, right, k);
      }
      vals.set(k, a[k]!);
      right = k;
    }
  }
  return plan.map(({ lo, hi, t }) => lerp(vals.get(lo)!, vals.get(hi)!, t));
}

/**
 * Order statistics by sampling: a strided sample of `a` gives, for each group of nearby ranks, a value bracket
 * [lo, hi] that should contain them; one pass counts the values below lo and collects those inside, whose sort
 * gives the exact ranks when the counts confirm the bracket. Returns false (nothing decided) when a bracket misses
 * or holds too many values (the caller then uses quickselect). Does not reorder `a`.
 */
function bracketSelect(a: Float32Array | Float64Array, n: number, ranks: number[], out: Map<number, number>): boolean {
  const m = 4096;
  const stride = Math.floor(n / m);
  const sample = new Float64Array(m);
  for (let i = 0, j = stride >> 1; i < m; i++, j += stride) sample[i] = a[j]!;
  sample.sort();
  // group ranks that are close (e.g. lo and lo+1 of one percentile) into one bracket
  const sorted = [...ranks].sort((x, y) => x - y);
  const groups: number[][] = [];
  for (const k of sorted) {
    const g = groups[groups.length - 1];
    if (g && k - g[g.length - 1]! <= n / 256) g.push(k);
    else groups.push([k]);
  }
  const cap = Math.max(2048, n >> 3);
  const buf = new Float64Array(cap);
  for (const g of groups) {
    const k0 = g[0]!, k1 = g[g.length - 1]!;
    const q0 = (k0 / (n - 1)) * (m - 1), q1 = (k1 / (n - 1)) * (m - 1);
    const sd = (q: number) => Math.sqrt(m * (q / m) * (1 - q / m) + 1);
    const i0 = Math.floor(q0 - 4 * sd(q0) - 2), i1 = Math.ceil(q1 + 4 * sd(q1) + 2);
    const lo = i0 <= 0 ? -Infinity : sample[i0]!;
    const hi = i1 >= m - 1 ? Infinity : sample[i1]!;
    let below = 0;
    let c = 0;
    for (let i = 0; i < n; i++) {
      const x = a[i]!;
      if (x < lo) below++;
      else if (x <= hi) {
        if (c === cap) return false;
        buf[c++] = x;
      }
    }
    if (below > k0 || below + c <= k1) return false;
    const inside = buf.subarray(0, c).sort();
    for (const k of g) out.set(k, inside[k - below]!);
  }
  return true;
}

/** In-place selection on a[from, to): afterwards a[k] is the value a full ascending sort would put there. */
function nthElement(a: Float32Array | Float64Array, from: number, to: number, k: number): void {
  let lo = from;
  let hi = to - 1;
  let budget = 64; // introselect: fall back to a sort of the range on adversarial inputs
  while (hi > lo) {
    if (hi - lo < 16 || budget-- === 0) {
      a.subarray(lo, hi + 1).sort();
      return;
    }
    // median of three as pivot
    const mid = (lo + hi) >>> 1;
    let x = a[lo]!;
    const y = a[mid]!, z = a[hi]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    // Hoare-style partition
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        x = a[i]!; a[i] = a[j]!; a[j] = x;
        i++;
        j--;
      }
    }
    // now a[lo..j] ≤ pivot ≤ a[i..hi], and a(j, i) == pivot
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}
