// Greedy k-center (farthest-point traversal): the coreset step of PatchCore. (Long file, one algorithm: the pruning
// tests, the bounds and the two scan modes share the same per-point and per-group state and its invariants.)
//
// Exact algorithm, pruned with the triangle inequality. Every point keeps its nearest chosen centre (its "group")
// and the squared distance to it; every group keeps its radius (largest member distance) and its farthest member,
// so the next centre is an argmax over groups, not over points. When a new centre c is added:
//   - group j can only lose members to c if d(c, c_j) < 2·radius_j;
//   - member p can only move if d(c, c_j) < 2·d(p, c_j);
//   - and only if a lower bound of d(p, c) is below d(p, c_j).
// Lower bounds come from the points' coordinates in a small orthonormal subspace (top principal directions of
// the data, any orthonormal basis would be valid): ‖Uᵀ(x − y)‖ ≤ ‖x − y‖, q = 8 multiply-adds instead of d.
// Exact distances stop early once they exceed the value they are compared with. Groups are scanned through member
// lists, or — when pruning is weak (high intrinsic dimension) — by one sequential pass over the points, which
// keeps memory access linear. Results are identical to the brute-force O(n·m·d) loop (same distances, same ties);
// every pruning test carries a relative safety margin far above float rounding.
import { InvalidInputError } from "../errors.ts";
import { sqDistRowsBounded } from "./distance.ts";

export interface KCenterOptions {
  /** Index of the first centre (default 0). */
  firstIndex?: number;
  /**
   * Approximate mode: run the selection on the points' coordinates along their top `approxDims` principal
   * directions (a PCA projection, e.g. 32 or 64 of 128). The result is a valid selection of the original points
   * with a larger covering radius. Measured on real projected MobileNetV2 patch features: 32 of 128 dims is
   * ≈1.7× faster with a +24 % covering radius; 64 dims barely faster (+13 %) — pruning, not arithmetic,
   * dominates, so the exact mode is the default and usually the right choice.
   */
  approxDims?: number;
  /**
   * The orthonormal basis of the lower bounds (`lowerBoundBasis` of earlier points from the same distribution, such
   * as an earlier chunk of the same fit), instead of one computed from these points: the result is identical (any
   * orthonormal basis keeps the bounds valid); only the pruning, i.e. the speed, depends on how well it fits.
   */
  basis?: Float64Array;
}

/** Relative safety margin on pruning tests, so float rounding can never prune a real improvement. */
const SAFE = 1 + 1e-9;
/** Dimension of the lower-bound subspace. */
const LB_DIMS = 8;
/** Scan all points sequentially when the groups to inspect hold more than this fraction of them. */
const SEQ_FRACTION = 0.25;

function validate(points: Float32Array, n: number, d: number, m: number, first: number): void {
  if (!Number.isInteger(n) || n <= 0) throw new InvalidInputError(`n must be a positive integer, got ${n}`);
  if (!Number.isInteger(d) || d <= 0) throw new InvalidInputError(`d must be a positive integer, got ${d}`);
  if (!Number.isInteger(m) || m <= 0) throw new InvalidInputError(`m must be a positive integer, got ${m}`);
  if (points.length < n * d) throw new InvalidInputError(`points has ${points.length} values, expected ${n}×${d}`);
  if (!Number.isInteger(first) || first < 0 || first >= n) {
    throw new InvalidInputError(`firstIndex must be an integer in [0, ${n}), got ${first}`);
  }
}

function allIndices(n: number): Int32Array {
  const all = new Int32Array(n);
  for (let i = 0; i < n; i++) all[i] = i;
  return all;
}

/**
 * Select m centres among n points (row-major n×d float32) by greedy farthest-point traversal:
 * the first is `firstIndex`, each next one is the point farthest from the chosen set (lowest index on ties).
 * Once every point is covered at distance 0 (duplicates), the remaining picks are the lowest unchosen indices,
 * so the result always holds m distinct indices. m ≥ n returns 0..n−1.
 */
export function greedyKCenter(points: Float32Array, n: number, d: number, m: number, opts: KCenterOptions = {}): Int32Array {
  const first = opts.firstIndex ?? 0;
  validate(points, n, d, m, first);
  if (m >= n) return allIndices(n);
  const q = opts.approxDims;
  if (q !== undefined) {
    if (!Number.isInteger(q) || q <= 0) throw new InvalidInputError(`approxDims must be a positive integer, got ${q}`);
    if (q < d) {
      const { proj } = projectAll(points, n, d, principalBasis(points, n, d, q), q);
      return exactKCenter(Float32Array.from(proj), n, q, m, first).selected;
    }
  }
  if (opts.basis) checkBasis(opts.basis, d);
  return exactKCenter(points, n, d, m, first, null, opts.basis).selected;
}

/**
 * The basis `greedyKCenter` bounds distances with (top principal directions of a sample of the points), for reuse
 * on other points of the same distribution through `opts.basis`: a fit takes partial coresets of hundreds of chunks,
 * and computing it (a covariance of 2,048 samples) was ~30 % of a chunk's fixed cost.
 */
export function lowerBoundBasis(points: Float32Array, n: number, d: number): Float64Array {
  if (!Number.isInteger(n) || n <= 0 || !Number.isInteger(d) || d <= 0 || points.length < n * d) {
    throw new InvalidInputError(`lowerBoundBasis needs n×d points, got ${points.length} values for ${n}×${d}`);
  }
  return principalBasis(points, n, d, LB_DIMS);
}

/** A reused basis must be d×LB_DIMS and orthonormal, or the lower bounds (and the exactness) would not hold. */
function checkBasis(U: Float64Array, d: number): void {
  if (U.length !== d * LB_DIMS) throw new InvalidInputError(`basis has ${U.length} values, expected ${d}×${LB_DIMS}`);
  for (let a = 0; a < LB_DIMS; a++) {
    for (let b = a; b < LB_DIMS; b++) {
      let dot = 0;
      for (let j = 0; j < d; j++) dot += U[a * d + j]! * U[b * d + j]!;
      if (!(Math.abs(dot - (a === b ? 1 : 0)) <= 1e-9)) throw new InvalidInputError("basis is not orthonormal");
    }
  }
}

/**
 * An orthonormal d×q basis (column-major in a Float64Array, q columns of length d) approximating the top-q
 * principal directions of (a sample of) the points, by block power iteration on their covariance. Only used for
 * lower bounds (and approxDims), so its accuracy affects speed, never exactness.
 */
function principalBasis(points: Float32Array, n: number, d: number, q: number): Float64Array {
  const sampleN = Math.min(n, 2048);
  const stride = n / sampleN;
  // covariance of the sample (centred: directions of largest spread)
  const mean = new Float64Array(d);
  for (let s = 0; s < sampleN; s++) {
    const o = Math.floor(s * stride) * d;
    for (let j = 0; j < d; j++) mean[j] += points[o + j]!;
  }
  for (let j = 0; j < d; j++) mean[j] /= sampleN;
  const cov = new Float64Array(d * d);
  const row = new Float64Array(d);
  for (let s = 0; s < sampleN; s++) {
    const o = Math.floor(s * stride) * d;
    for (let j = 0; j < d; j++) row[j] = points[o + j]! - mean[j]!;
    for (let a = 0; a < d; a++) {
      const ra = row[a]!;
      if (ra === 0) continue;
      const base = a * d;
      for (let b = a; b < d; b++) cov[base + b] += ra * row[b]!;
    }
  }
  for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) cov[a * d + b] = cov[b * d + a]!;
  // block power iteration with Gram–Schmidt
  const U = new Float64Array(d * q);
  const V = new Float64Array(d * q);
  let seed = 12345;
  for (let i = 0; i < U.length; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    U[i] = seed / 4294967296 - 0.5;
  }
  const orthonormalise = (X: Float64Array): void => {
    for (let c = 0; c < q; c++) {
      const oc = c * d;
      for (let attempt = 0; ; attempt++) {
        let before = 0;
        for (let j = 0; j < d; j++) before += X[oc + j]! * X[oc + j]!;
        // Gram–Schmidt against the previous columns, twice ("twice is enough" for orthogonality)
        for (let pass = 0; pass < 2; pass++) {
          for (let p = 0; p < c; p++) {
            const op = p * d;
            let dot = 0;
            for (let j = 0; j < d; j++) dot += X[oc + j]! * X[op + j]!;
            for (let j = 0; j < d; j++) X[oc + j] -= dot * X[op + j]!;
          }
        }
        let after = 0;
        for (let j = 0; j < d; j++) after += X[oc + j]! * X[oc + j]!;
        if (after > 1e-20 * before && after > 1e-300) {
          const inv = 1 / Math.sqrt(after);
          for (let j = 0; j < d; j++) X[oc + j] = X[oc + j]! * inv;
          break;
        }
        // degenerate (rank-deficient data): try the unit axes in turn; some axis is outside a (< d)-dim span
        const axis = (c + attempt) % d;
        for (let j = 0; j < d; j++) X[oc + j] = j === axis ? 1 : 0;
        if (attempt > d) throw new Error("principalBasis: cannot complete an orthonormal basis");
      }
    }
  };
  orthonormalise(U);
  for (let it = 0; it < 24; it++) {
    for (let c = 0; c < q; c++) {
      const oc = c * d;
      for (let a = 0; a < d; a++) {
        let s = 0;
        const base = a * d;
        for (let b = 0; b < d; b++) s += cov[base + b]! * U[oc + b]!;
        V[oc + a] = s;
      }
    }
    U.set(V);
    orthonormalise(U);
  }
  // final re-orthonormalisation pass for accuracy (bounds need ‖U‖ ≤ 1; the safety margin absorbs the rest)
  orthonormalise(U);
  return U;
}

/**
 * Coordinates of every (mean-centred) point in the basis, n×q row-major, and a bound on their absolute rounding
 * error (so that lower bounds stay valid even for far-from-origin data with tiny distances).
 */
function projectAll(points: Float32Array, n: number, d: number, U: Float64Array, q: number): { proj: Float64Array; err: number } {
  const mean = new Float64Array(d);
  for (let p = 0; p < n; p++) {
    const o = p * d;
    for (let j = 0; j < d; j++) mean[j] += points[o + j]!;
  }
  for (let j = 0; j < d; j++) mean[j] /= n;
  const out = new Float64Array(n * q);
  const row = new Float64Array(d);
  let maxAbs = 0;
  for (let p = 0; p < n; p++) {
    const o = p * d;
    let l1 = 0;
    for (let j = 0; j < d; j++) {
      const v = points[o + j]! - mean[j]!;
      row[j] = v;
      l1 += Math.abs(v);
    }
    if (l1 > maxAbs) maxAbs = l1;
    for (let c = 0; c < q; c++) {
      const oc = c * d;
      let s0 = 0;
      let s1 = 0;
      let j = 0;
      for (; j + 1 < d; j += 2) {
        s0 += row[j]! * U[oc + j]!;
        s1 += row[j + 1]! * U[oc + j + 1]!;
      }
      if (j < d) s0 += row[j]! * U[oc + j]!;
      out[p * q + c] = s0 + s1;
    }
  }
  // |computed − exact| per coordinate ≤ ~(d + 2)·2⁻⁵²·Σ|x_j − mean_j| (|u_j| ≤ 1); ×4 for slack.
  return { proj: out, err: 4 * (d + 2) * Math.pow(2, -52) * (maxAbs + 1e-300) };
}

/**
 * The pruned exact algorithm. With `forced`, the centres are taken in that order instead of by argmax (used to
 * measure the covering radius of any centre set with the same pruning). Returns the centres and the final
 * largest squared distance of a point to its nearest centre.
 */
function exactKCenter(
  points: Float32Array,
  n: number,
  d: number,
  m: number,
  first: number,
  forced: ArrayLike<number> | null = null,
  basis?: Float64Array,
): { selected: Int32Array; maxMin2: number } {
  // Subspace lower bounds (LB_DIMS = 8 coordinates, unrolled below); skipped for small d where they cannot pay.
  const useLb = d > 2 * LB_DIMS;
  const Q = LB_DIMS;
  const { proj, err } = useLb ? projectAll(points, n, d, basis ?? principalBasis(points, n, d, Q), Q) : { proj: new Float64Array(0), err: 0 };
  /** Distance slack of the subspace lower bound: √Q coordinates, each off by at most 2·err. */
  const slack = 2 * err * Math.sqrt(Q);
  // the centre's subspace coordinates (locals) and the groups' centre coordinates (compact, in group order)
  let c0 = 0, c1 = 0, c2 = 0, c3 = 0, c4 = 0, c5 = 0, c6 = 0, c7 = 0;
  const cq = new Float64Array(useLb ? m * Q : 0);
  /** True when the partial subspace bound s (a lower bound of d²) proves d² ≥ bound, rounding included. */
  const proves = (s: number, bound: number): boolean => s >= bound && Math.sqrt(s) - slack >= Math.sqrt(bound);
  /** Lower-bound test of d²(c, the Q-vector at rows[o..]) against bound, in two halves. */
  const lbAt = (rows: Float64Array, o: number, bound: number): boolean => {
    let v = c0 - rows[o]!;
    let s = v * v;
    v = c1 - rows[o + 1]!;
    s += v * v;
    v = c2 - rows[o + 2]!;
    s += v * v;
    v = c3 - rows[o + 3]!;
    s += v * v;
    if (proves(s, bound)) return true;
    v = c4 - rows[o + 4]!;
    s += v * v;
    v = c5 - rows[o + 5]!;
    s += v * v;
    v = c6 - rows[o + 6]!;
    s += v * v;
    v = c7 - rows[o + 7]!;
    s += v * v;
    return proves(s, bound);
  };
  /** Against point p, and against the centre of group g (compact copy, sequential access). */
  const lbPoint = (p: number, bound: number): boolean => lbAt(proj, p * Q, bound);
  const lbGroup = (g: number, bound: number): boolean => lbAt(cq, g * Q, bound);
  const setCentre = (g: number, p: number): void => {
    if (!useLb) return;
    const o = p * Q;
    c0 = proj[o]!;
    c1 = proj[o + 1]!;
    c2 = proj[o + 2]!;
    c3 = proj[o + 3]!;
    c4 = proj[o + 4]!;
    c5 = proj[o + 5]!;
    c6 = proj[o + 6]!;
    c7 = proj[o + 7]!;
    cq.set(proj.subarray(o, o + Q), g * Q);
  };

  const selected = new Int32Array(m);
  const chosen = new Uint8Array(n);
  const minD = new Float64Array(n); // squared distance to the nearest centre
  const assign = new Int32Array(n); // group of each point
  const members: Int32Array[] = new Array(m);
  const groupCentre = new Int32Array(m);
  const groupMax = new Float64Array(m); // radius²: largest minD among the members
  const groupArg = new Int32Array(m); // that member (lowest index on ties), −1 if the group is empty
  const ccd = new Float64Array(m); // d²(c, centre_j) of the active groups of the current step
  const active = new Uint8Array(m);
  const activeList = new Int32Array(m);
  const lost = new Uint8Array(m);
  let movers = new Int32Array(Math.max(16, n >> 4));

  const recompute = (g: number): void => {
    const mem = members[g]!;
    let best = -1;
    let bestI = -1;
    for (let t = 0; t < mem.length; t++) {
      const p = mem[t]!;
      const v = minD[p]!;
      if (v > best || (v === best && p < bestI)) {
        best = v;
        bestI = p;
      }
    }
    groupMax[g] = best < 0 ? 0 : best;
    groupArg[g] = bestI;
  };
  const pushMover = (p: number, count: number): void => {
    if (count === movers.length) {
      const s = new Int32Array(movers.length * 2);
      s.set(movers);
      movers = s;
    }
    movers[count] = p;
  };

  // first centre: a full pass
  let c = first;
  selected[0] = c;
  chosen[c] = 1;
  for (let p = 0; p < n; p++) minD[p] = p === c ? 0 : sqDistRowsBounded(points, p, c, d, Infinity);
  members[0] = allIndices(n);
  groupCentre[0] = c;
  setCentre(0, c);
  recompute(0);
  let nextFree = 0; // lowest possibly-unchosen index, for the all-covered fallback

  for (let k = 1; k < m; k++) {
    // next centre: the farthest point, lowest index on ties
    let best = -1;
    let bestI = -1;
    for (let g = 0; g < k; g++) {
      const a = groupArg[g]!;
      if (a < 0) continue;
      const v = groupMax[g]!;
      if (v > best || (v === best && a < bestI)) {
        best = v;
        bestI = a;
      }
    }
    if (forced !== null) {
      c = forced[k]!;
    } else if (best > 0) {
      c = bestI;
    } else {
      // every point is covered exactly (duplicates): the lowest unchosen index
      while (chosen[nextFree]) nextFree++;
      c = nextFree;
    }
    selected[k] = c;
    chosen[c] = 1;
    setCentre(k, c);

    // groups that can lose members to c: d(c, c_g) < 2·radius_g
    let nActive = 0;
    let activeMembers = 0;
    for (let g = 0; g < k; g++) {
      const r2 = groupMax[g]!;
      if (r2 <= 0) continue;
      const bound = 4 * r2 * SAFE;
      if (useLb && lbGroup(g, bound)) continue;
      const dc = sqDistRowsBounded(points, c, groupCentre[g]!, d, bound);
      if (dc >= bound) continue;
      ccd[g] = dc;
      active[g] = 1;
      activeList[nActive++] = g;
      activeMembers += members[g]!.length;
    }

    // members that move to c: d(c, c_g) < 2·d(p, c_g), then a subspace bound, then the (bounded) distance
    let moved = 0;
    if (activeMembers > n * SEQ_FRACTION) {
      // weak pruning: one sequential pass over all points
      for (let p = 0; p < n; p++) {
        const g = assign[p]!;
        if (active[g] === 0) continue;
        const mp = minD[p]!;
        const bound = mp * SAFE;
        if (ccd[g]! >= 4 * bound) continue;
        if (useLb && lbPoint(p, bound)) continue;
        const dp = p === c ? 0 : sqDistRowsBounded(points, p, c, d, mp);
        if (dp < mp) {
          minD[p] = dp;
          assign[p] = k;
          lost[g] = 1;
          pushMover(p, moved++);
        }
      }
      for (let t = 0; t < nActive; t++) {
        const g = activeList[t]!;
        active[g] = 0;
        if (lost[g] === 0) continue;
        lost[g] = 0;
        const mem = members[g]!;
        let keep = 0;
        for (let u = 0; u < mem.length; u++) {
          const p = mem[u]!;
          if (assign[p] === g) mem[keep++] = p;
        }
        members[g] = mem.subarray(0, keep);
        recompute(g);
      }
    } else {
      for (let t = 0; t < nActive; t++) {
        const g = activeList[t]!;
        active[g] = 0;
        const dc = ccd[g]!;
        const mem = members[g]!;
        let keep = 0;
        for (let u = 0; u < mem.length; u++) {
          const p = mem[u]!;
          const mp = minD[p]!;
          const bound = mp * SAFE;
          if (dc >= 4 * bound || (useLb && lbPoint(p, bound))) {
            mem[keep++] = p;
            continue;
          }
          const dp = p === c ? 0 : sqDistRowsBounded(points, p, c, d, mp);
          if (dp < mp) {
            minD[p] = dp;
            assign[p] = k;
            pushMover(p, moved++);
          } else {
            mem[keep++] = p;
          }
        }
        if (keep !== mem.length) {
          members[g] = mem.subarray(0, keep);
          recompute(g);
        }
      }
    }
    const mine = movers.slice(0, moved);
    mine.sort(); // index order: friendlier memory access later
    members[k] = mine;
    groupCentre[k] = c;
    recompute(k);
  }
  let maxMin2 = 0;
  for (let g = 0; g < m; g++) if (groupMax[g]! > maxMin2) maxMin2 = groupMax[g]!;
  return { selected, maxMin2 };
}

/**
 * The plain O(n·m·d) greedy k-center with the same distances and tie rules as greedyKCenter (the reference the
 * pruned version is tested against).
 */
export function greedyKCenterBruteForce(points: Float32Array, n: number, d: number, m: number, opts: { firstIndex?: number } = {}): Int32Array {
  const first = opts.firstIndex ?? 0;
  validate(points, n, d, m, first);
  if (m >= n) return allIndices(n);
  const selected = new Int32Array(m);
  const chosen = new Uint8Array(n);
  const minD = new Float64Array(n).fill(Infinity);
  let c = first;
  let nextFree = 0;
  for (let k = 0; k < m; k++) {
    selected[k] = c;
    chosen[c] = 1;
    for (let p = 0; p < n; p++) {
      const dp = p === c ? 0 : sqDistRowsBounded(points, p, c, d, Infinity);
      if (dp < minD[p]!) minD[p] = dp;
    }
    let best = -1;
    let bestI = -1;
    for (let p = 0; p < n; p++) {
      if (minD[p]! > best) {
        best = minD[p]!;
        bestI = p;
      }
    }
    if (best <= 0) {
      while (chosen[nextFree]) nextFree++;
      bestI = nextFree;
    }
    c = bestI;
  }
  return selected;
}

/**
 * Covering radius of a centre set: the largest distance (not squared) from any point to its nearest centre,
 * computed with the same pruning as greedyKCenter.
 */
export function coveringRadius(points: Float32Array, n: number, d: number, centres: ArrayLike<number>): number {
  if (centres.length === 0) throw new InvalidInputError("coveringRadius needs at least one centre");
  validate(points, n, d, centres.length, centres[0]!);
  for (let i = 0; i < centres.length; i++) {
    const c = centres[i]!;
    if (!Number.isInteger(c) || c < 0 || c >= n) throw new InvalidInputError(`centre index ${c} is out of range`);
  }
  return Math.sqrt(exactKCenter(points, n, d, centres.length, centres[0]!, centres).maxMin2);
}
