// Greedy k-center coreset (PatchCore): points are projected to 128 dims with a seeded Gaussian random matrix
// (a MatMul in onnxruntime), then `greedyKCenter` from @bdi/core picks the centres in the projected space.
import ort from "onnxruntime-node";
import { greedyKCenter, lowerBoundBasis, randomInt, seededRandom } from "@bdi/core";
import { DataType, GraphBuilder, encodeModel, valueInfo, type BackboneEntry } from "@bdi/models";
import { createSession } from "./backbone.ts";

export const DEFAULT_CORESET_RATE = 0.1;

/** The coreset rate of a fit: the configured one (BDI_CORESET_RATE), else the backbone's manifest default, else 0.10. */
export function defaultCoresetRate(entry: Pick<BackboneEntry, "coresetRate"> | null | undefined, configured?: number): number {
  return configured ?? entry?.coresetRate ?? DEFAULT_CORESET_RATE;
}
export const PROJECTION_DIM = 128;

let projSession: Promise<{ session: ort.InferenceSession }> | null = null;

function buildProjectionModel(): Uint8Array {
  const g = new GraphBuilder("proj");
  g.op("MatMul", ["X", "R"], {}, "Y");
  return encodeModel(g.build(
    [valueInfo("X", DataType.FLOAT, ["n", "d"]), valueInfo("R", DataType.FLOAT, ["d", "k"])],
    [valueInfo("Y", DataType.FLOAT, ["n", "k"])],
    "random_projection",
  ), { producer: "bdi-engine coreset" });
}

/** Seeded N(0, 1/k) matrix [d,k] (mulberry32 + Box–Muller): the same seed always gives the same projection. */
export function randomProjectionMatrix(d: number, k: number, seed = 0): Float32Array {
  let a = (seed ^ 0x9e3779b9) >>> 0;
  const rnd = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = new Float32Array(d * k);
  const s = 1 / Math.sqrt(k);
  for (let i = 0; i < out.length; i += 2) {
    const u = Math.max(rnd(), 1e-12), v = rnd();
    const r = Math.sqrt(-2 * Math.log(u));
    out[i] = r * Math.cos(2 * Math.PI * v) * s;
    if (i + 1 < out.length) out[i + 1] = r * Math.sin(2 * Math.PI * v) * s;
  }
  return out;
}

/** The last projection matrix as a tensor: a fit projects hundreds of chunks with the same one (~20 ms each to draw). */
let lastProjection: { key: string; tensor: ort.Tensor } | null = null;

function projectionTensor(d: number, k: number, seed: number): ort.Tensor {
  const key = `${d}|${k}|${seed}`;
  if (lastProjection?.key !== key) lastProjection = { key, tensor: new ort.Tensor("float32", randomProjectionMatrix(d, k, seed), [d, k]) };
  return lastProjection.tensor;
}

/** Project rows [n,d] → [n,k] in onnxruntime (chunked). */
export async function project(x: Float32Array, n: number, d: number, k = PROJECTION_DIM, opts: { seed?: number; threads?: number } = {}): Promise<Float32Array> {
  projSession ??= createSession(buildProjectionModel(), "cpu", opts.threads);
  const { session } = await projSession;
  const R = projectionTensor(d, k, opts.seed ?? 0);
  const out = new Float32Array(n * k);
  const chunk = 65536;
  for (let i = 0; i < n; i += chunk) {
    const m = Math.min(chunk, n - i);
    const r = await session.run({ X: new ort.Tensor("float32", x.subarray(i * d, (i + m) * d), [m, d]), R });
    out.set(r.Y.data as Float32Array, i * k);
  }
  return out;
}

export interface CoresetResult {
  indices: Uint32Array; n: number; m: number; rate: number; projectMs: number; selectMs: number;
  /** the k-center's lower-bound basis in the projected space, for the next chunk of the same fit (opts.basis) */
  basis?: Float64Array;
}

/** Select `ceil(n·rate)` rows; rate ≥ 1 keeps all (memory_fit). */
export async function selectCoreset(
  x: Float32Array, n: number, d: number, rate = DEFAULT_CORESET_RATE,
  opts: {
    seed?: number; threads?: number;
    /** greedy k-center on the top PCA dims of the projection (approximate, faster) */
    approxDims?: number;
    /** a previous chunk's `basis` (same seed and dims): same selection, less fixed cost per chunk */
    basis?: Float64Array;
  } = {},
): Promise<CoresetResult> {
  const m = Math.max(1, Math.ceil(n * rate));
  if (rate >= 1 || m >= n) {
    const all = new Uint32Array(n);
    for (let i = 0; i < n; i++) all[i] = i;
    return { indices: all, n, m: n, rate: 1, projectMs: 0, selectMs: 0 };
  }
  const t0 = performance.now();
  const k = Math.min(PROJECTION_DIM, d);
  const p = k < d ? await project(x, n, d, k, opts) : x;
  const t1 = performance.now();
  // First centre: a seeded pick (the legacy used rng(0).integers(0, N)).
  const first = randomInt(seededRandom(opts.seed ?? 0), n);
  const basis = opts.approxDims ? undefined : (opts.basis ?? lowerBoundBasis(p, n, k));
  const idx = greedyKCenter(p, n, k, m, { firstIndex: first, ...(opts.approxDims ? { approxDims: opts.approxDims } : { basis }) }) as ArrayLike<number>;
  const indices = Uint32Array.from(idx);
  return { indices, n, m: indices.length, rate, projectMs: t1 - t0, selectMs: performance.now() - t1, ...(basis ? { basis } : {}) };
}
