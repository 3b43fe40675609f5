// Greedy k-center (farthest-point traversal): the coreset rule of PatchCore, as a plain O(n·m·d) loop in float64.
// The engine picks a fit's centres in onnxruntime (`greedyKCenterSteps` in apps/inference/src/engine/coreset.ts,
// float32, one run per centre: 4–9 × faster than the pruned JavaScript search this file held until session 19);
// this is the rule's reference, which that code is tested against.
import { InvalidInputError } from "../errors.ts";
import { sqDistRowsBounded } from "./distance.ts";

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
 * Select m centres among n points (row-major n×d float32) by greedy farthest-point traversal: the first is
 * `firstIndex`, each next one is the point farthest from the chosen set (lowest index on ties). Once every point is
 * covered at distance 0 (duplicates), the remaining picks are the lowest unchosen indices, so the result always holds
 * m distinct indices. m ≥ n returns 0..n−1.
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
