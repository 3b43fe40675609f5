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
 * Percentiles of the map values inside the mask (non-zero mask pixels; `null` = whole map). Large maps are read in
 * place (sampled brackets, no copy); otherwise, or when the map holds NaNs, one selection pass over one copy. An
 * empty mask gives zeros (the legacy "empty mask → 0.0").
 */
export function maskedPercentiles(map: Float32Array, mask: Uint8Array | null, ps: readonly number[]): number[] {
  for (const p of ps) checkP(p);
  if (mask !== null && mask.length !== map.length) {
    throw new InvalidInputError(`mask length ${mask.length} does not match map length ${map.length}`);
  }
  let inside = map.length;
  if (mask !== null) {
    inside = 0;
    for (let i = 0; i < mask.length; i++) if (mask[i] !== 0) inside++;
  }
  if (inside >= 8192) {
    const { plan, ranks } = rankPlan(inside, ps);
    const vals = new Map<number, number>();
    if (bracketSelect(map, inside, ranks, vals, mask)) return plan.map(({ lo, hi, t }) => lerp(vals.get(lo)!, vals.get(hi)!, t));
  }
  // Copy the (masked) values, NaNs left out (they sort last, like numpy / TypedArray.prototype.sort).
  const v = new Float32Array(inside);
  let n = 0;
  let nan = 0;
  for (let i = 0; i < map.length; i++) {
    if (mask !== null && mask[i] === 0) continue;
    const x = map[i]!;
    if (x === x) v[n++] = x; else nan++;
  }
  if (n + nan === 0) return ps.map(() => 0);
  return selectPercentiles(v, n, ps, nan);
}

/**
 * Mean of the highest (100 − p) % of the map values inside the mask — the k = max(1, ⌈n·(100 − p)/100⌉) largest of
 * the n values (`p` = 100: the maximum, 0: the mean). NaNs are left out; an empty mask gives 0. Large maps: the k-th
 * largest value by the sampled brackets (no copy), then one pass sums what lies above it; otherwise one copy and one
 * selection pass. O(n) either way.
 */
export function maskedTailMean(map: Float32Array, mask: Uint8Array | null, p: number): number {
  checkP(p);
  if (mask !== null && mask.length !== map.length) {
    throw new InvalidInputError(`mask length ${mask.length} does not match map length ${map.length}`);
  }
  const tail = (n: number) => Math.min(n, Math.max(1, Math.ceil((n * (100 - p)) / 100 - 1e-9)));
  let inside = map.length;
  if (mask !== null) {
    inside = 0;
    for (let i = 0; i < mask.length; i++) if (mask[i] !== 0) inside++;
  }
  if (inside >= 8192) {
    const k = tail(inside);
    const vals = new Map<number, number>();
    if (bracketSelect(map, inside, [inside - k], vals, mask)) {
      // the k-th largest value v: the tail is every value above v plus as many copies of v as make k
      const v = vals.get(inside - k)!;
      let sum = 0;
      let above = 0;
      for (let i = 0; i < map.length; i++) {
        if (mask !== null && mask[i] === 0) continue;
        const x = map[i]!;
        if (x > v) { sum += x; above++; }
      }
      return (sum + (k - above) * v) / k;
    }
  }
  const v = new Float32Array(inside);
  let n = 0;
  for (let i = 0; i < map.length; i++) {
    if (mask !== null && mask[i] === 0) continue;
    const x = map[i]!;
    if (x === x) v[n++] = x;
  }
  if (n === 0) return 0;
  const k = tail(n);
  nthElement(v, 0, n, n - k); // afterwards v[n−k, n) holds the k largest values
  let sum = 0;
  for (let i = n - k; i < n; i++) sum += v[i]!;
  return sum / k;
}

/** The order statistics (ranks) numpy's linear method interpolates between, for each p, over `total` values. */
function rankPlan(total: number, ps: readonly number[]): { plan: Array<{ lo: number; hi: number; t: number }>; ranks: number[] } {
  const ranks = new Set<number>();
  const plan = ps.map((p) => {
    const vi = (total - 1) * (p / 100);
    const lo = Math.floor(vi);
    const hi = lo + 1 > total - 1 ? total - 1 : lo + 1;
    ranks.add(lo);
    ranks.add(hi);
    return { lo, hi, t: vi - lo };
  });
  return { plan, ranks: [...ranks] };
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
  const { plan, ranks } = rankPlan(total, ps);
  const vals = new Map<number, number>();
  const wanted = ranks.filter((k) => k < n);
  for (const k of ranks) if (k >= n) vals.set(k, NaN);
  if (!(n >= 8192 && bracketSelect(a, n, wanted, vals))) {
    // Needed ranks, descending; each selection narrows the range of the next (everything right of rank k is ≥ a[k]).
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
 * Order statistics by sampling: a strided sample gives, for each group of nearby ranks, a value bracket [lo, hi] that
 * should contain them; one pass counts the values below each bracket and collects those inside, whose sort gives the
 * exact ranks when the counts confirm the brackets. The values are `a[0, n)`, or with a `mask` the `n` entries of `a`
 * where the mask is non-zero. Returns false (nothing decided) when a bracket misses, holds too many values or a NaN
 * turns up (the caller then copies and uses quickselect). Does not reorder `a`.
 */
function bracketSelect(a: Float32Array | Float64Array, n: number, ranks: number[], out: Map<number, number>, mask: Uint8Array | null = null): boolean {
  const len = mask === null ? n : mask.length;
  const stride = Math.max(1, Math.floor(len / 4096));
  const sample = new Float64Array(Math.ceil(len / stride));
  let m = 0;
  for (let j = stride >> 1; j < len; j += stride) if (mask === null || mask[j] !== 0) sample[m++] = a[j]!;
  if (m < 1024) return false;
  sample.subarray(0, m).sort();
  // group ranks that are close (e.g. lo and lo+1 of one percentile) into one bracket
  const sorted = [...ranks].sort((x, y) => x - y);
  const groups: number[][] = [];
  for (const k of sorted) {
    const g = groups[groups.length - 1];
    if (g && k - g[g.length - 1]! <= n / 256) g.push(k);
    else groups.push([k]);
  }
  const G = groups.length;
  const los = new Float64Array(G), his = new Float64Array(G);
  groups.forEach((g, i) => {
    const q0 = (g[0]! / (n - 1)) * (m - 1), q1 = (g[g.length - 1]! / (n - 1)) * (m - 1);
    const sd = (q: number) => Math.sqrt(m * (q / m) * (1 - q / m) + 1);
    const i0 = Math.floor(q0 - 4 * sd(q0) - 2), i1 = Math.ceil(q1 + 4 * sd(q1) + 2);
    los[i] = i0 <= 0 ? -Infinity : sample[i0]!;
    his[i] = i1 >= m - 1 ? Infinity : sample[i1]!;
  });
  const cap = Math.max(2048, n >> 3);
  const bufs = groups.map(() => new Float64Array(cap));
  const below = new Float64Array(G), count = new Int32Array(G);
  for (let i = 0; i < len; i++) {
    if (mask !== null && mask[i] === 0) continue;
    const x = a[i]!;
    if (x !== x) return false;
    for (let g = 0; g < G; g++) {
      if (x < los[g]!) below[g]++;
      else if (x <= his[g]!) {
        if (count[g] === cap) return false;
        bufs[g]![count[g]!++] = x;
      }
    }
  }
  for (let g = 0; g < G; g++) {
    const ks = groups[g]!, b = below[g]!, c = count[g]!;
    if (b > ks[0]! || b + c <= ks[ks.length - 1]!) return false;
    const inside = bufs[g]!.subarray(0, c).sort();
    for (const k of ks) out.set(k, inside[k - b]!);
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
