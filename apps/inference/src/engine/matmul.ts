// The engine's one-off linear algebra (the coreset's random projection, the int8 search's principal basis): a plain
// matrix product in onnxruntime (rows of X [n,d] times R [d,k], chunked over the rows) and a seeded Gaussian matrix.
import ort from "onnxruntime-node";
import { DataType, GraphBuilder, encodeModel, valueInfo } from "@bdi/models";
import { createSession } from "./backbone.ts";

let session: Promise<{ session: ort.InferenceSession }> | null = null;

function buildMatMulModel(): Uint8Array {
  const g = new GraphBuilder("matmul");
  g.op("MatMul", ["X", "R"], {}, "Y");
  return encodeModel(g.build(
    [valueInfo("X", DataType.FLOAT, ["n", "d"]), valueInfo("R", DataType.FLOAT, ["d", "k"])],
    [valueInfo("Y", DataType.FLOAT, ["n", "k"])],
    "matmul",
  ), { producer: "bdi-engine" });
}

/** X [n,d] · R [d,k] → [n,k] (R given as a tensor so a caller reusing one matrix builds it once). */
export async function matMul(x: Float32Array, n: number, d: number, r: ort.Tensor, opts: { threads?: number; rowsPerRun?: number } = {}): Promise<Float32Array> {
  const k = r.dims[1]!;
  if (x.length !== n * d || r.dims[0] !== d) throw new Error(`matMul: [${n},${d}] · [${r.dims.join(",")}] with ${x.length} floats`);
  session ??= createSession(buildMatMulModel(), "cpu", opts.threads);
  const s = (await session).session;
  const out = new Float32Array(n * k);
  const chunk = opts.rowsPerRun ?? 65536;
  for (let i = 0; i < n; i += chunk) {
    const m = Math.min(chunk, n - i);
    const y = await s.run({ X: new ort.Tensor("float32", x.subarray(i * d, (i + m) * d), [m, d]), R: r });
    out.set(y.Y!.data as Float32Array, i * k);
  }
  return out;
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
