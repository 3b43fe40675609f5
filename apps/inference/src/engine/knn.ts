// Exact 1-NN (Euclidean) distances in onnxruntime: min_j ||q||² + ||b_j||² − 2 q·b_j, chunked over the bank
// (and over the queries) so the distance matrix held at once stays bounded.
import ort from "onnxruntime-node";
import { DataType, GraphBuilder, encodeModel, valueInfo } from "@bdi/models";
import { createSession } from "./backbone.ts";

export interface KnnOptions { device?: string; threads?: number; /** max floats of one distance block (default 8M = 32 MB) */ blockFloats?: number }

let knnSession: Promise<{ session: ort.InferenceSession; device: string }> | null = null;
let knnKey = "";

/** Graph: Q [nq,d], B [nb,d], BN [nb] → min over j of (BN_j − 2 Q·B_jᵀ) [nq] (the ||q||² term is added outside). */
export function buildKnnModel(): Uint8Array {
  const g = new GraphBuilder("knn");
  const prod = g.op("Gemm", ["Q", "B"], { transB: 1, alpha: { float: -2 } });
  const s = g.op("Add", [prod, "BN"]);
  g.op("ReduceMin", [s], { axes: [1], keepdims: 0 }, "M");
  return encodeModel(g.build(
    [valueInfo("Q", DataType.FLOAT, ["nq", "d"]), valueInfo("B", DataType.FLOAT, ["nb", "d"]), valueInfo("BN", DataType.FLOAT, ["nb"])],
    [valueInfo("M", DataType.FLOAT, ["nq"])],
    "knn_min",
  ), { producer: "bdi-engine knn" });
}

async function session(opts: KnnOptions) {
  const key = `${opts.device ?? "cpu"}|${opts.threads ?? 0}`;
  if (!knnSession || knnKey !== key) {
    knnKey = key;
    knnSession = createSession(buildKnnModel(), opts.device ?? "cpu", opts.threads);
  }
  return (await knnSession).session;
}

/** Squared norms of the rows of a [n,d] matrix. */
export function rowSqNorms(x: Float32Array, n: number, d: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    const o = i * d;
    for (let k = 0; k < d; k++) s += x[o + k] * x[o + k];
    out[i] = s;
  }
  return out;
}

/** A bank prepared for repeated searches (norms precomputed once). */
export interface KnnIndex { vectors: Float32Array; n: number; dim: number; sqNorms: Float32Array }

export function makeIndex(vectors: Float32Array, n: number, dim: number): KnnIndex {
  if (vectors.length !== n * dim) throw new Error(`bank has ${vectors.length} floats, expected ${n}×${dim}`);
  return { vectors, n, dim, sqNorms: rowSqNorms(vectors, n, dim) };
}

/** Exact 1-NN Euclidean distance of each query row to the bank. */
export async function nearestDistances(index: KnnIndex, queries: Float32Array, nq: number, opts: KnnOptions = {}): Promise<Float32Array> {
  const d = index.dim;
  if (queries.length !== nq * d) throw new Error(`queries have ${queries.length} floats, expected ${nq}×${d}`);
  const out = new Float32Array(nq).fill(Infinity);
  if (nq === 0 || index.n === 0) return out;
  const s = await session(opts);
  const block = opts.blockFloats ?? 8 * 1024 * 1024;
  const qChunk = Math.max(1, Math.min(nq, 4096));
  const bChunk = Math.max(256, Math.min(index.n, Math.floor(block / qChunk)));
  const qn = rowSqNorms(queries, nq, d);
  for (let q0 = 0; q0 < nq; q0 += qChunk) {
    const qn_ = Math.min(qChunk, nq - q0);
    const Q = new ort.Tensor("float32", queries.subarray(q0 * d, (q0 + qn_) * d), [qn_, d]);
    for (let b0 = 0; b0 < index.n; b0 += bChunk) {
      const bn = Math.min(bChunk, index.n - b0);
      const B = new ort.Tensor("float32", index.vectors.subarray(b0 * d, (b0 + bn) * d), [bn, d]);
      const BN = new ort.Tensor("float32", index.sqNorms.subarray(b0, b0 + bn), [bn]);
      const r = await s.run({ Q, B, BN });
      const m = r.M.data as Float32Array;
      for (let i = 0; i < qn_; i++) if (m[i] < out[q0 + i]) out[q0 + i] = m[i];
    }
  }
  for (let i = 0; i < nq; i++) out[i] = Math.sqrt(Math.max(0, out[i] + qn[i]));
  return out;
}

/** Brute-force JS reference (tests only). */
export function nearestDistancesReference(bank: Float32Array, n: number, queries: Float32Array, nq: number, d: number): Float32Array {
  const out = new Float32Array(nq);
  for (let i = 0; i < nq; i++) {
    let best = Infinity;
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) { const t = queries[i * d + k] - bank[j * d + k]; s += t * t; }
      if (s < best) best = s;
    }
    out[i] = Math.sqrt(best);
  }
  return out;
}
