// Area under the per-region-overlap (PRO) curve, the MVTec AD definition (mvtec_ad_evaluation/pro_curve_util.py
// + generic_util.trapezoid): every 8-connected component of every ground-truth mask is a region; at threshold t,
// PRO = mean over regions of |region ∩ {map ≥ t}| / |region| and FPR = |GT-negative ∩ {map ≥ t}| / |GT-negative|;
// the curve runs over every distinct score (all pixels sorted once), is integrated by trapezoids over
// FPR ∈ [0, limit] (interpolating at the limit) and divided by the limit.
import { InvalidInputError } from "../errors.ts";
import { labelComponents } from "../geometry/components.ts";
import { float32SortKeys, radixArgsortUint32 } from "../math/sort.ts";

export interface ProCurve {
  /** Non-decreasing, starting at 0. */
  fprs: Float64Array;
  pros: Float64Array;
  numRegions: number;
  numOkPixels: number;
}

function gather(maps: Float32Array[], gtMasks: Uint8Array[], sizes: { w: number; h: number }[]) {
  if (maps.length !== gtMasks.length || maps.length !== sizes.length) {
    throw new InvalidInputError(`maps (${maps.length}), gtMasks (${gtMasks.length}) and sizes (${sizes.length}) differ in count`);
  }
  let total = 0;
  for (let k = 0; k < maps.length; k++) {
    const { w, h } = sizes[k]!;
    if (maps[k]!.length !== w * h || gtMasks[k]!.length !== w * h) {
      throw new InvalidInputError(`image ${k}: map (${maps[k]!.length}) and mask (${gtMasks[k]!.length}) must have ${w}×${h} values`);
    }
    total += w * h;
  }
  const scores = new Float32Array(total);
  // region id per pixel: 0 = GT-negative, r ≥ 1 = region r (global numbering)
  const region = new Int32Array(total);
  const regionSize: number[] = [0];
  let off = 0;
  let numOk = 0;
  for (let k = 0; k < maps.length; k++) {
    const { w, h } = sizes[k]!;
    scores.set(maps[k]!, off);
    const cc = labelComponents(gtMasks[k]!, w, h, 8);
    const base = regionSize.length - 1;
    for (let r = 1; r <= cc.count; r++) regionSize.push(cc.sizes[r]!);
    numOk += cc.sizes[0]!;
    const lab = cc.labels;
    for (let i = 0; i < lab.length; i++) region[off + i] = lab[i] === 0 ? 0 : lab[i]! + base;
    off += w * h;
  }
  return { scores, region, regionSize: Float64Array.from(regionSize), numRegions: regionSize.length - 1, numOk };
}

/** The PRO curve over all distinct thresholds (descending scores), with a leading (0, 0). */
export function proCurve(maps: Float32Array[], gtMasks: Uint8Array[], sizes: { w: number; h: number }[]): ProCurve {
  const { scores, region, regionSize, numRegions, numOk } = gather(maps, gtMasks, sizes);
  if (numRegions === 0) throw new InvalidInputError("AUPRO needs at least one ground-truth region");
  if (numOk === 0) throw new InvalidInputError("AUPRO needs at least one ground-truth-negative pixel");
  const { order, sortedKeys } = radixArgsortUint32(float32SortKeys(scores));
  const n = order.length;
  const invSize = new Float64Array(regionSize.length);
  for (let r = 1; r < regionSize.length; r++) invSize[r] = 1 / regionSize[r]!;
  const fprs = new Float64Array(n + 1);
  const pros = new Float64Array(n + 1);
  let m = 1;
  let fp = 0;
  let pro = 0;
  for (let i = n - 1; i >= 0; ) {
    const key = sortedKeys[i]!;
    while (i >= 0 && sortedKeys[i] === key) {
      const r = region[order[i]!]!;
      if (r === 0) fp++;
      else pro += invSize[r]!;
      i--;
    }
    fprs[m] = Math.min(1, fp / numOk);
    pros[m] = Math.min(1, pro / numRegions);
    m++;
  }
  return { fprs: fprs.slice(0, m), pros: pros.slice(0, m), numRegions, numOkPixels: numOk };
}

/** ∫₀^limit y dx of a piecewise-linear curve with non-decreasing x (MVTec's trapezoid with x_max). */
export function trapezoidTo(x: ArrayLike<number>, y: ArrayLike<number>, limit: number): number {
  let area = 0;
  for (let i = 1; i < x.length; i++) {
    const x0 = x[i - 1]!;
    const x1 = x[i]!;
    const y0 = y[i - 1]!;
    const y1 = y[i]!;
    if (x1 <= limit) {
      area += 0.5 * (y0 + y1) * (x1 - x0);
      continue;
    }
    if (x0 < limit) {
      const yi = y0 + ((y1 - y0) * (limit - x0)) / (x1 - x0);
      area += 0.5 * (yi + y0) * (limit - x0);
    }
    break;
  }
  return area;
}

/** Normalised AUPRO up to `fprLimit` (default 0.3, the MVTec AD standard), in [0, 1]. */
export function aupro(
  maps: Float32Array[],
  gtMasks: Uint8Array[],
  sizes: { w: number; h: number }[],
  fprLimit = 0.3,
): number {
  if (!(fprLimit > 0 && fprLimit <= 1)) throw new InvalidInputError(`fprLimit must be within (0, 1], got ${fprLimit}`);
  const c = proCurve(maps, gtMasks, sizes);
  return trapezoidTo(c.fprs, c.pros, fprLimit) / fprLimit;
}
