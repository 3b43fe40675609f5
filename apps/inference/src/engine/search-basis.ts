// The space the int8 search finds its candidates in (knn.ts): a few directions that hold most of the bank's variance,
// so the int8 candidate product — the bulk of a square crop's 1-NN — reads far fewer numbers per bank row. The exact
// re-rank still measures every candidate in all channels, so the basis only decides which 16 rows are looked at.
//
// Patch features of a CNN keep most of their variance in a small subspace: on a 16.4k bsdata bank at 768, 95 % of it
// lies in ~180 principal directions but is spread over ~520 channels (99 %: ~445 directions, 744 channels). Found by
// a randomised subspace iteration (products in onnxruntime, Gram–Schmidt in JavaScript); a bank whose variance is
// not concentrated that way (a flat spectrum) keeps the channel subset the search used before.
import ort from "onnxruntime-node";
import { DataType, GraphBuilder, encodeModel, valueInfo } from "@bdi/models";
import { sessionOptions } from "./backbone.ts";
import { matMul, randomProjectionMatrix } from "./matmul.ts";

/**
 * Share of the bank's variance the principal directions keep. With 16 candidates the search over them found every
 * patch's nearest vector at 95 % (bsdata and kolektorsdd banks of 16.4k, 46k and 44k test patches); at 90 % it missed
 * 2 and 0 of them, at 85 % 11 and 7, with 8 candidates at 95 % 8 and 1 (a simulation of the int8 product in numpy).
 * Against a bank of all 160 bsdata training crops, all 614,400 test patches: 27 missed by 1e-5–7.4e-3 at 95 %, 13 at
 * 97 % (253 directions, ~40 % more product), 10 with the channel subset; the same eval metrics with each.
 */
export const PRINCIPAL_VARIANCE_SHARE = 0.95;
/** Share of the variance the channel subset keeps, where the principal directions do not pay (the former rule). */
export const CHANNEL_VARIANCE_SHARE = 0.99;
/** Columns of the first subspace iteration; doubled while the share is not reached, up to MAX_BASIS_COLUMNS. */
const FIRST_BASIS_COLUMNS = 256;
/** Bounds the Gram–Schmidt in JavaScript (d × columns² multiply-adds: ~0.3 G at 512 columns of 1,104). */
const MAX_BASIS_COLUMNS = 512;
/**
 * Products by the covariance between orthonormalisations. With 1, 95 % of a bsdata bank's variance takes 184
 * directions where its exact eigenvectors take 174 (2 iterations: 179): close enough for one more Gram–Schmidt less.
 */
const POWER_ITERATIONS = 1;
/**
 * Bank rows the mean and covariance are estimated from (evenly spaced): a basis needs the subspace, not the last
 * digit of the variance; all 16.4k rows of a bank cost 440–490 ms (a 40 GFLOP product), 4,096 a quarter of that.
 */
const MOMENT_ROWS = 4096;

/** How a row of d features becomes its search coordinates. */
export type SearchBasis =
  /** a subset of the channels, by decreasing variance */
  | { kind: "channels"; channels: Int32Array }
  /** x ↦ x·P − offset: P [d, dims] (row-major) orthonormal columns, offset = mean·P (the bank's mean at the origin) */
  | { kind: "projection"; matrix: Float32Array; offset: Float32Array; dims: number };

export function searchDims(basis: SearchBasis): number {
  return basis.kind === "channels" ? basis.channels.length : basis.dims;
}

/**
 * The channels the candidate search keeps when it keeps channels: the fewest, by decreasing variance, that hold
 * `share` of the total variance (ascending indices). ReLU features keep their variance in a few channels (bsdata bank
 * at 768: 99 % in 744 of 1104); a ViT's spreads over nearly all of them.
 */
export function searchChannels(variances: ArrayLike<number>, share: number): Int32Array {
  const d = variances.length;
  const v = Float64Array.from(variances, (x) => (Number.isFinite(x) && x > 0 ? x : 0));
  const total = v.reduce((a, b) => a + b, 0);
  const order = Array.from({ length: d }, (_, i) => i).sort((a, b) => v[b]! - v[a]! || a - b);
  let kept = 0, sum = 0;
  while (kept < d && (total <= 0 ? kept < d : sum < share * total)) sum += v[order[kept++]!]!;
  return Int32Array.from(order.slice(0, Math.max(1, kept))).sort();
}

/** Graph: X [m,d] → Xᵀ·X [d,d] and the column sums [d] (a chunk's share of the bank's mean and covariance). */
function buildMomentsModel(): Uint8Array {
  const g = new GraphBuilder("moments");
  g.op("Gemm", ["X", "X"], { transA: 1 }, "G");
  g.op("ReduceSum", ["X", g.constI64([0], "axis0")], { keepdims: 0 }, "S");
  return encodeModel(g.build(
    [valueInfo("X", DataType.FLOAT, ["m", "d"])],
    [valueInfo("G", DataType.FLOAT, ["d", "d"]), valueInfo("S", DataType.FLOAT, ["d"])],
    "bank_moments",
  ), { producer: "bdi-engine knn" });
}

let momentsSession: Promise<ort.InferenceSession> | null = null;

/** The mean [d] and covariance [d,d] (float64, row-major) of `rows` evenly spaced rows of `vectors` [n,d] (all when fewer). */
export async function bankMoments(vectors: Float32Array, n: number, d: number, threads?: number, rows = MOMENT_ROWS): Promise<{ mean: Float64Array; cov: Float64Array }> {
  // no memory arena: run once per bank, its intermediates must not stay allocated
  momentsSession ??= ort.InferenceSession.create(buildMomentsModel(), { ...sessionOptions(threads), enableCpuMemArena: false });
  if (n < 1) return { mean: new Float64Array(d), cov: new Float64Array(d * d) };
  const m = Math.min(n, Math.max(1, rows));
  let sample = vectors.subarray(0, n * d);
  if (m < n) {
    sample = new Float32Array(m * d);
    for (let i = 0; i < m; i++) { const r = Math.floor((i * n) / m); sample.set(vectors.subarray(r * d, (r + 1) * d), i * d); }
  }
  const out = await (await momentsSession).run({ X: new ort.Tensor("float32", sample, [m, d]) });
  const gram = out.G!.data as Float32Array, sums = out.S!.data as Float32Array;
  const mean = Float64Array.from(sums, (x) => x / m);
  const cov = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) cov[i * d + j] = gram[i * d + j]! / m - mean[i]! * mean[j]!;
  return { mean, cov };
}

/**
 * Orthonormal columns spanning the columns of Y [d,k] (row-major), by modified Gram–Schmidt in float64; a column that
 * depends on the ones before it becomes zero. Returns [d,k] row-major.
 */
export function orthonormalColumns(y: Float32Array, d: number, k: number): Float32Array {
  const cols = Array.from({ length: k }, (_, j) => { const c = new Float64Array(d); for (let i = 0; i < d; i++) c[i] = y[i * k + j]!; return c; });
  for (let j = 0; j < k; j++) {
    const c = cols[j]!;
    let before = 0;
    for (let i = 0; i < d; i++) before += c[i]! * c[i]!;
    for (let p = 0; p < j; p++) {
      const q = cols[p]!;
      let dot = 0;
      for (let i = 0; i < d; i++) dot += q[i]! * c[i]!;
      if (dot !== 0) for (let i = 0; i < d; i++) c[i] -= dot * q[i]!;
    }
    let norm = 0;
    for (let i = 0; i < d; i++) norm += c[i]! * c[i]!;
    // what is left of a dependent column is rounding: drop it rather than blow it up
    const keep = norm > 1e-20 * Math.max(before, 1e-300);
    const inv = keep ? 1 / Math.sqrt(norm) : 0;
    for (let i = 0; i < d; i++) c[i] *= inv;
  }
  const out = new Float32Array(d * k);
  for (let j = 0; j < k; j++) { const c = cols[j]!; for (let i = 0; i < d; i++) out[i * k + j] = c[i]!; }
  return out;
}

/**
 * The fewest principal directions of a covariance `cov` [d,d] that hold `share` of its variance, at most `maxDims`,
 * as P [d, dims] row-major; null when `maxDims` directions do not reach the share (or there is no variance). Randomised
 * subspace iteration (Halko, Martinsson & Tropp 2011): a seeded Gaussian block times the covariance, orthonormalised,
 * POWER_ITERATIONS more products, then the columns ordered by the variance each captures.
 */
export async function principalDirections(cov: Float64Array, d: number, share: number, maxDims: number, threads?: number): Promise<{ matrix: Float32Array; dims: number } | null> {
  let total = 0;
  for (let i = 0; i < d; i++) total += cov[i * d + i]!;
  if (!(total > 0) || maxDims < 1) return null;
  const c = Float32Array.from(cov);
  const times = (x: Float32Array, k: number) => matMul(c, d, d, new ort.Tensor("float32", x, [d, k]), { threads });
  for (let k = Math.min(FIRST_BASIS_COLUMNS, maxDims, d); ; k = Math.min(2 * k, maxDims, MAX_BASIS_COLUMNS, d)) {
    let q = orthonormalColumns(await times(randomProjectionMatrix(d, k), k), d, k);
    for (let it = 0; it < POWER_ITERATIONS; it++) q = orthonormalColumns(await times(q, k), d, k);
    const cq = await times(q, k);
    const captured = new Float64Array(k);
    for (let i = 0; i < d; i++) for (let j = 0; j < k; j++) captured[j] += q[i * k + j]! * cq[i * k + j]!;
    const order = Array.from({ length: k }, (_, j) => j).sort((a, b) => captured[b]! - captured[a]! || a - b);
    let dims = 0, sum = 0;
    while (dims < k && sum < share * total) sum += captured[order[dims++]!]!;
    if (sum >= share * total) {
      const matrix = new Float32Array(d * dims);
      for (let i = 0; i < d; i++) for (let j = 0; j < dims; j++) matrix[i * dims + j] = q[i * k + order[j]!]!;
      return { matrix, dims };
    }
    if (k >= Math.min(maxDims, MAX_BASIS_COLUMNS, d)) return null;
  }
}

/**
 * The search basis of a bank [n,d]: its principal directions holding PRINCIPAL_VARIANCE_SHARE of the variance when
 * they are at most half as many as the channels holding CHANNEL_VARIANCE_SHARE, else those channels. The half keeps
 * the directions only where the variance is concentrated: where it is flat, the 5 % left out is where neighbours
 * differ (a synthetic bank of 40 clusters with an even noise floor of 20 % of its variance in 96 channels: 70
 * directions against 95 channels, and 12 of 500 queries missed their nearest vector); real CNN banks keep ~1 in 4
 * (bsdata 184 of 744, kolektorsdd 194 of 715).
 */
export async function searchBasis(vectors: Float32Array, n: number, d: number, threads?: number): Promise<SearchBasis> {
  const { mean, cov } = await bankMoments(vectors, n, d, threads);
  const channels = searchChannels(Array.from({ length: d }, (_, i) => cov[i * d + i]!), CHANNEL_VARIANCE_SHARE);
  const principal = await principalDirections(cov, d, PRINCIPAL_VARIANCE_SHARE, Math.floor(channels.length / 2), threads);
  if (!principal) return { kind: "channels", channels };
  const { matrix, dims } = principal;
  const offset = new Float32Array(dims);
  for (let j = 0; j < dims; j++) { let s = 0; for (let i = 0; i < d; i++) s += mean[i]! * matrix[i * dims + j]!; offset[j] = s; }
  return { kind: "projection", matrix, offset, dims };
}
