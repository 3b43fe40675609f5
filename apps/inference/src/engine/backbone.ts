// One onnxruntime session per backbone, shared by all requests. Device from config: `cpu` (default) or
// `cuda` / `cuda:N` (CUDA EP, falls back to CPU with a warning and a reason for /health).
import { join } from "node:path";
import ort from "onnxruntime-node";
import {
  PACKAGE_DIR, backboneFilePresent, buildBundledBytes, getBackboneEntry, loadManifest, readBackboneFile, sha256,
  type BackboneEntry,
} from "@bdi/models";
import type { CellRect } from "@bdi/core";
import { BackboneUnavailableError } from "./errors.ts";
import { setDecodeThreads } from "./preprocess.ts";
import { FEATURES_CELLS_INPUT, FEATURES_OUTPUT, featuresL2, featuresLocalAvg, gridFor, inputWindowSpec, withFeatureHead } from "./features.ts";

export interface LoadBackboneOptions {
  /** `auto` (DINOv2 when its file is present, else the bundled one) or a manifest id */
  backbone?: string;
  /** `cpu`, `cuda`, `cuda:N` */
  device?: string;
  /** intra-op threads; 0 or undefined = onnxruntime default */
  threads?: number;
  /** where backbone files are looked for first (then models/cache) */
  modelsDir?: string;
  /** override the manifest's square input size */
  inputSize?: number;
  /** L2-normalise patch features (default: the manifest's `features.l2`, else true) */
  l2?: boolean;
  /** CNN feature neighbourhood k×k (default: the manifest's `features.localAvg`) */
  localAvg?: number;
  warmup?: boolean;
  log?: { warn: (...a: any[]) => void; info?: (...a: any[]) => void };
}

export interface Backbone {
  id: string;
  kind: BackboneEntry["kind"];
  sha256: string;
  inputSize: number;
  /** side of the square patch grid */
  grid: number;
  stride: number;
  dim: number;
  /** patch features are L2-normalised */
  l2: boolean;
  /** k×k neighbourhood averaged into each CNN patch feature (0 for ViTs) */
  localAvg: number;
  device: string;
  deviceReason?: string;
  entry: BackboneEntry;
  loadMs: number;
  /**
   * Runs the backbone + feature head on one preprocessed NCHW input, the whole square or (CNNs) a `size` window of it
   * (preprocess's "crop" mode); returns [cells, dim] L2-normalised features of the `cells` rectangle of the input's
   * grid (row-major; default every cell of the input).
   */
  extract(input: Float32Array, size?: { w: number; h: number }, cells?: CellRect): Promise<Float32Array>;
  /** Backbone-only forward (raw outputs, no head; a second session, built on first use): for benchmarks. */
  forwardRaw(input: Float32Array, size?: { w: number; h: number }): Promise<void>;
  release(): Promise<void>;
}

const DEFAULT_CACHE = join(PACKAGE_DIR, "cache");

function dirsFor(modelsDir?: string): string[] {
  const out = [modelsDir, process.env.BDI_MODELS_DIR, DEFAULT_CACHE].filter((d): d is string => !!d);
  return [...new Set(out)];
}

/** Resolve `auto` / id into a manifest entry and the directory holding its file (null dir = bundled, build in memory). */
export function resolveBackbone(requested = "auto", modelsDir?: string): { entry: BackboneEntry; dir: string | null } {
  const dirs = dirsFor(modelsDir);
  const find = (id: string) => {
    for (const d of dirs) {
      const e = getBackboneEntry(id, d);
      if (backboneFilePresent(e, d)) return { entry: e, dir: d };
    }
    return null;
  };
  const m = loadManifest(dirs[0]);
  if (requested === "auto") {
    const dino = Object.values(m.backbones).find((b) => b.kind === "dinov2");
    const hit = dino && find(dino.id);
    if (hit) return hit;
    requested = m.default;
  }
  if (!m.backbones[requested]) {
    throw new BackboneUnavailableError(`unknown backbone "${requested}" (known: auto, ${Object.keys(m.backbones).join(", ")})`);
  }
  const hit = find(requested);
  if (hit) return hit;
  const e = m.backbones[requested];
  if (e.bundled) return { entry: e, dir: null };
  throw new BackboneUnavailableError(`backbone ${requested}: file ${e.file} not found in ${dirs.join(" or ")}; run \`npm run models -- import FILE.onnx\` or \`npm run models -- pull\``);
}

function loadBytes(entry: BackboneEntry, dir: string | null): { bytes: Uint8Array; sha256: string } {
  if (dir) {
    try {
      const r = readBackboneFile(entry, dir);
      return { bytes: r.bytes, sha256: r.sha256 };
    } catch (e) {
      // A stale bundled file (e.g. built by an older converter) is rebuilt in memory; imported files must match.
      if (!entry.bundled) throw new BackboneUnavailableError((e as Error).message);
    }
  }
  const bytes = buildBundledBytes(entry.id);
  const sum = sha256(bytes);
  if (sum !== entry.sha256) throw new BackboneUnavailableError(`bundled backbone ${entry.id}: converter output sha256 ${sum} differs from the manifest's ${entry.sha256}`);
  return { bytes, sha256: sum };
}

function parseDevice(device: string): { ep: "cpu" | "cuda"; deviceId: number } {
  const m = /^cuda(?::(\d+))?$/.exec(device);
  return m ? { ep: "cuda", deviceId: Number(m[1] ?? 0) } : { ep: "cpu", deviceId: 0 };
}

/** Session options shared by the backbone and the engine's small compute graphs. */
export function sessionOptions(threads?: number, ep: "cpu" | "cuda" = "cpu", deviceId = 0): ort.InferenceSession.SessionOptions {
  return {
    graphOptimizationLevel: "all",
    executionProviders: ep === "cuda" ? [{ name: "cuda", deviceId } as any, "cpu"] : ["cpu"],
    ...(threads && threads > 0 ? { intraOpNumThreads: threads, interOpNumThreads: 1 } : {}),
    // No busy-waiting of idle intra-op threads: the backbone, 1-NN and projection sessions run one after another on
    // the same cores, and a session whose threads keep spinning after its run halves the next session's speed
    // (measured: 1-NN of a 5k bank right after the DINOv2 forward 59 ms → 34 ms; the backbone itself unchanged).
    extra: { "session.intra_op.allow_spinning": "0" },
  };
}

/** Create a session on the requested device, falling back to CPU with a reason. */
export async function createSession(bytes: Uint8Array, device = "cpu", threads?: number): Promise<{ session: ort.InferenceSession; device: string; reason?: string }> {
  const { ep, deviceId } = parseDevice(device);
  if (ep === "cuda") {
    try {
      const session = await ort.InferenceSession.create(bytes, sessionOptions(threads, "cuda", deviceId));
      return { session, device: `cuda:${deviceId}` };
    } catch (e) {
      const msg = (e as Error).message.split("\n")[0].slice(0, 300);
      const session = await ort.InferenceSession.create(bytes, sessionOptions(threads));
      return { session, device: "cpu", reason: `cuda_not_available: ${msg}` };
    }
  }
  return { session: await ort.InferenceSession.create(bytes, sessionOptions(threads)), device: "cpu" };
}

const shared = new Map<string, Promise<Backbone>>();

/** Load (once per id/device/threads/input size) and warm up a backbone. */
export function loadBackbone(opts: LoadBackboneOptions = {}): Promise<Backbone> {
  const { entry, dir } = resolveBackbone(opts.backbone ?? process.env.BDI_BACKBONE ?? "auto", opts.modelsDir);
  const inputSize = opts.inputSize ?? entry.input.size;
  const key = `${entry.id}|${dir}|${opts.device ?? "cpu"}|${opts.threads ?? 0}|${inputSize}|${featuresL2(entry, opts.l2)}|${featuresLocalAvg(entry, opts.localAvg)}`;
  let p = shared.get(key);
  if (!p) {
    p = doLoad(entry, dir, inputSize, opts, () => shared.delete(key));
    shared.set(key, p);
    p.catch(() => shared.delete(key));
  }
  return p;
}

async function doLoad(entry: BackboneEntry, dir: string | null, inputSize: number, opts: LoadBackboneOptions, onRelease: () => void): Promise<Backbone> {
  const t0 = performance.now();
  setDecodeThreads(opts.threads);
  const { bytes, sha256: sum } = loadBytes(entry, dir);
  const l2 = featuresL2(entry, opts.l2);
  const localAvg = featuresLocalAvg(entry, opts.localAvg);
  const withHead = withFeatureHead(bytes, entry, inputSize, l2, localAvg);
  const { session, device, reason } = await createSession(withHead, opts.device ?? "cpu", opts.threads);
  if (reason) opts.log?.warn({ reason }, `backbone ${entry.id}: CUDA unavailable, using CPU`);
  if (entry.randomWeights) opts.log?.warn({ backbone: entry.id }, "backbone has RANDOM weights (export_dinov2.py --random-weights): speed benchmarks only");
  const inName = entry.input.name;
  const grid = gridFor(entry, inputSize);
  const dim = entry.features.dim;
  const rawOutputs = entry.kind === "dinov2" ? entry.features.outputs.map((o) => entry.tensors?.[o] ?? o) : entry.features.outputs;
  // Serialise runs: one session, concurrent callers queue (ORT sessions are thread-safe but contend for the same cores).
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const r = chain.then(fn, fn);
    chain = r.catch(() => undefined);
    return r;
  };
  const stride = entry.kind === "dinov2" ? (entry.patch ?? 14) : entry.features.stride;
  const align = inputWindowSpec(entry)?.align ?? 0;
  const shapeOf = (size?: { w: number; h: number }) => {
    if (!size || (size.w === inputSize && size.h === inputSize)) return { w: inputSize, h: inputSize, gw: grid, gh: grid };
    const { w, h } = size;
    if (!align || w <= 0 || h <= 0 || w > inputSize || h > inputSize || w % align || h % align) {
      throw new Error(`backbone ${entry.id}: input window ${w}×${h} is not a multiple of ${align || "the square input"} within ${inputSize}×${inputSize}`);
    }
    return { w, h, gw: w / stride, gh: h / stride };
  };
  const tensor = (input: Float32Array, shape: { w: number; h: number }) => {
    if (input.length !== 3 * shape.w * shape.h) throw new Error(`backbone input must be 3×${shape.h}×${shape.w}`);
    return new ort.Tensor("float32", input, [1, 3, shape.h, shape.w]);
  };
  let backboneOnly: Promise<ort.InferenceSession> | null = null;
  const b: Backbone = {
    id: entry.id, kind: entry.kind, sha256: sum, inputSize, grid, stride,
    dim, l2, localAvg, device, ...(reason ? { deviceReason: reason } : {}), entry, loadMs: 0,
    extract: (input, size, cells) => serial(async () => {
      const shape = shapeOf(size);
      const rect = cells ?? { row: 0, col: 0, rows: shape.gh, cols: shape.gw };
      const { row, col, rows, cols } = rect;
      if (![row, col, rows, cols].every(Number.isInteger) || row < 0 || col < 0 || rows < 1 || cols < 1 || row + rows > shape.gh || col + cols > shape.gw) {
        throw new Error(`backbone ${entry.id}: cells ${JSON.stringify(rect)} are not a rectangle of the ${shape.gw}×${shape.gh} grid`);
      }
      const box = BigInt64Array.from([row, col, row + rows, col + cols].map(BigInt));
      const out = await session.run({ [inName]: tensor(input, shape), [FEATURES_CELLS_INPUT]: new ort.Tensor("int64", box, [4]) }, [FEATURES_OUTPUT]);
      const t = out[FEATURES_OUTPUT];
      const data = t.data as Float32Array;
      if (data.length !== rows * cols * dim) throw new Error(`feature head returned ${t.dims} (expected ${rows * cols}×${dim})`);
      return data;
    }),
    // A session of the backbone alone, built on first use: onnxruntime runs every node of a graph whatever outputs
    // are fetched, so the head's session cannot time the backbone (raw outputs from it: 231 ms, from the backbone
    // alone: 171 ms, interleaved).
    forwardRaw: (input, size) => serial(async () => {
      backboneOnly ??= createSession(bytes, device, opts.threads).then((s) => s.session);
      await (await backboneOnly).run({ [inName]: tensor(input, shapeOf(size)) }, rawOutputs);
    }),
    release: async () => {
      onRelease();
      await session.release();
      if (backboneOnly) await (await backboneOnly).release();
    },
  };
  if (opts.warmup !== false) await b.extract(new Float32Array(3 * inputSize * inputSize));
  b.loadMs = performance.now() - t0;
  opts.log?.info?.({ backbone: b.id, device, inputSize, grid, dim, loadMs: Math.round(b.loadMs) }, "backbone ready");
  return b;
}
