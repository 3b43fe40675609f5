// DINOv2 ViT-S/14: import a user's ONNX file (HF `onnx-community/dinov2-small` or models/export_dinov2.py output),
// expose the raw outputs of blocks 9, 10, 11 as extra graph outputs (protobuf append, backbones.md §4), record the
// sha256 in `<modelsDir>/manifest.local.json`. `pullDinov2` downloads the hub file where internet exists.
import { createWriteStream, existsSync, readFileSync, renameSync, rmSync, statSync, mkdirSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import ort from "onnxruntime-node";
import { DataType, appendToModel, summarizeModel, valueInfo } from "./onnx.ts";
import { getBackboneEntry, modelsDir, sha256, writeFileAtomic, writeLocalEntry } from "./manifest.ts";

export const DINOV2_ID = "dinov2-vits14";
export const DINOV2_URL = "https://huggingface.co/onnx-community/dinov2-small/resolve/main/onnx/model.onnx";

export class ImportError extends Error { constructor(m: string) { super(m); this.name = "ImportError"; } }

/** Find the tensor holding the raw output of transformer block `i` (0-based). */
export function findBlockTensor(nodeOutputs: string[], outputs: string[], i: number): string | undefined {
  const named = [`block${i}`, `patch_tokens_block${i}`].find((n) => outputs.includes(n));
  if (named) return named;
  const re = new RegExp(`(^|/)(encoder/)?(layer|blocks)[._]${i}/`);
  const inBlock = nodeOutputs.filter((n) => re.test(n));
  const adds = inBlock.filter((n) => /Add(_\d+)?_output_0$/.test(n));
  return adds.length ? adds[adds.length - 1] : undefined;
}

export interface ImportResult {
  id: string; path: string; sha256: string; bytes: number; tensors: Record<string, string>; prefixTokens: number;
  outputShapes: Record<string, number[]>;
  /** true for models/export_dinov2.py --random-weights output: for speed benchmarks only */
  randomWeights: boolean;
}

/** Import a DINOv2 ViT-S/14 ONNX file. Checks I/O with a real 448 run in onnxruntime. */
export async function importDinov2(file: string, opts: { dir?: string; blocks?: number[] } = {}): Promise<ImportResult> {
  const dir = opts.dir ?? modelsDir();
  const blocks = opts.blocks ?? [9, 10, 11];
  if (!existsSync(file)) throw new ImportError(`import: ${file} not found`);
  const original = readFileSync(file);
  let s;
  try { s = summarizeModel(original); } catch (e) { throw new ImportError(`import: ${file} is not an ONNX model (${(e as Error).message})`); }
  const input = s.inputs.find((i) => i.name === "pixel_values") ?? s.inputs[0];
  if (!input || s.inputs.length !== 1) throw new ImportError(`import: expected one image input, found ${s.inputs.map((i) => i.name).join(", ") || "none"}`);
  if (input.elemType !== DataType.FLOAT || input.dims.length !== 4 || (typeof input.dims[1] === "number" && input.dims[1] !== 3)) {
    throw new ImportError(`import: input ${input.name} must be float32 [batch,3,H,W], got [${input.dims}]`);
  }
  const outNames = s.outputs.map((o) => o.name);
  const tensors: Record<string, string> = {};
  const extra: string[] = [];
  for (const b of blocks) {
    const t = findBlockTensor(s.nodeOutputs, outNames, b);
    if (!t) throw new ImportError(`import: cannot find the output of transformer block ${b} (is this DINOv2 ViT-S/14?)`);
    tensors[`block${b}`] = t;
    if (!outNames.includes(t)) extra.push(t);
  }
  const bytes = extra.length ? appendToModel(original, { output: extra.map((t) => valueInfo(t, DataType.FLOAT)) }) : new Uint8Array(original);

  // Probe at 448: each block output must be [1, prefix+1024, 384].
  const sess = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 2, graphOptimizationLevel: "all" });
  const x = new ort.Tensor("float32", new Float32Array(3 * 448 * 448), [1, 3, 448, 448]);
  let res;
  try { res = await sess.run({ [input.name]: x }, Object.values(tensors)); } catch (e) {
    throw new ImportError(`import: a 448×448 run failed (${(e as Error).message.split("\n")[0]}); export a fixed-448 model with models/export_dinov2.py`);
  }
  const outputShapes: Record<string, number[]> = {};
  let prefix = -1;
  for (const [k, t] of Object.entries(tensors)) {
    const d = res[t].dims.map(Number);
    outputShapes[k] = d;
    if (d.length !== 3 || d[0] !== 1 || d[2] !== 384 || d[1] < 1024 || d[1] > 1024 + 5) {
      throw new ImportError(`import: ${k} (${t}) has shape [${d}] at 448, expected [1, 1024(+prefix), 384]`);
    }
    prefix = d[1] - 1024;
  }
  await sess.release();

  const e = getBackboneEntry(DINOV2_ID, dir);
  const path = join(dir, e.file);
  writeFileAtomic(path, bytes);
  const sum = sha256(bytes);
  writeLocalEntry(DINOV2_ID, {
    sha256: sum, bytes: bytes.length, tensors, importedFrom: file, importedAt: new Date().toISOString(),
    input: { ...e.input, name: input.name },
    features: { ...e.features, prefixTokens: prefix },
    randomWeights: s.metadata["bdi.weights"] === "random",
  }, dir);
  return { id: DINOV2_ID, path, sha256: sum, bytes: bytes.length, tensors, prefixTokens: prefix, outputShapes, randomWeights: s.metadata["bdi.weights"] === "random" };
}

function bar(done: number, total: number): string {
  const w = 30;
  const f = total > 0 ? Math.min(1, done / total) : 0;
  const mb = (n: number) => (n / 1e6).toFixed(1);
  return `[${"#".repeat(Math.round(f * w)).padEnd(w, ".")}] ${mb(done)}/${total ? mb(total) : "?"} MB`;
}

/** Download the hub's fp32 DINOv2-small ONNX, verify size (and sha256 when given), then import it. */
export async function pullDinov2(opts: { url?: string; sha256?: string; dir?: string; log?: (s: string) => void } = {}): Promise<ImportResult> {
  const url = opts.url ?? DINOV2_URL;
  const dir = opts.dir ?? modelsDir();
  const log = opts.log ?? ((s: string) => process.stderr.write(s));
  mkdirSync(dir, { recursive: true });
  let resp: Response;
  try {
    resp = await fetch(url, { redirect: "follow", signal: AbortSignal.timeout(30_000) });
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).name;
    throw new ImportError(`pull: cannot download ${url} (${cause}): no internet here? Download it elsewhere and run \`npm run models -- import FILE.onnx\``);
  }
  if (!resp.ok || !resp.body) throw new ImportError(`pull: ${url} answered HTTP ${resp.status}`);
  const total = Number(resp.headers.get("content-length") ?? 0);
  const tmp = join(dir, `dinov2-download.tmp-${process.pid}`);
  const hash = createHash("sha256");
  const out = createWriteStream(tmp);
  let done = 0;
  let last = 0;
  try {
    for await (const chunk of bodyChunks(resp.body)) {
      hash.update(chunk);
      done += chunk.length;
      if (!out.write(chunk)) await new Promise<void>((r) => out.once("drain", () => r()));
      if (Date.now() - last > 200) { log(`\r${bar(done, total)}`); last = Date.now(); }
    }
    await new Promise<void>((r, j) => out.end((err?: Error | null) => (err ? j(err) : r())));
    log(`\r${bar(done, total)}\n`);
    if (total && statSync(tmp).size !== total) throw new ImportError(`pull: truncated download (${done} of ${total} bytes)`);
    const sum = hash.digest("hex");
    if (opts.sha256 && sum !== opts.sha256.toLowerCase()) throw new ImportError(`pull: sha256 mismatch (expected ${opts.sha256}, got ${sum})`);
    log(`downloaded ${done} bytes, sha256 ${sum}\n`);
    const src = join(dir, "dinov2-small.model.onnx");
    renameSync(tmp, src);
    return await importDinov2(src, { dir });
  } finally {
    if (existsSync(tmp)) rmSync(tmp, { force: true });
  }
}

/** The chunks of a fetch body (the DOM typing of ReadableStream has no async iterator). */
async function* bodyChunks(body: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}
