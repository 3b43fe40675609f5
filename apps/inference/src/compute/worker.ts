// Compute process for the CPU-heavy parts of a fit, a dataset calibration and scoring (feature extraction of many
// images, greedy coresets, k-fold out-of-sample scoring). They run for seconds; in the service process they would
// stall every other request (/health polled every 2 s by the WPF client). The process loads its own backbone and
// talks to pool.ts over the IPC channel (protocol.ts). worker-boot.mjs has already lowered its priority.
import { readFile } from "node:fs/promises";
import type { Backbone } from "../engine/backbone.ts";
import { backboneInfo, bankIndex, isPositionalIndex, scoreImage, serveBank } from "../engine/pipeline.ts";
import { fitBank, fitWithOutOfSample, outOfSampleOkScores } from "../engine/fit.ts";
import { prepareIndex } from "../engine/knn.ts";
import { BankCache, writeBank, type MemoryBank } from "../engine/artifacts.ts";
import { loadServiceBackbone } from "../runtime/load-backbone.ts";
import type { ComputeInit, ComputeRequest, ComputeResponse, FitResponse, OosResponse, ScoreResponse } from "./protocol.ts";

const { config } = JSON.parse(process.env.BDI_COMPUTE_INIT ?? "{}") as ComputeInit;
if (!config || !process.send) throw new Error("compute-worker runs as a child process started by ComputePool");
// After the service closed the channel (its stop), an answer has no one to go to: dropped, not an EPIPE crash.
const send = (m: ComputeResponse) => {
  if (process.connected) process.send!(m, undefined, {}, () => undefined);
};
// The service went away (crash, SIGKILL): nothing left to compute for.
process.on("disconnect", () => process.exit(0));
let backbonePromise: Promise<Backbone> | null = null;
const backbone = () => (backbonePromise ??= loadServiceBackbone(config));

async function readAll(paths: string[]): Promise<Buffer[]> {
  return Promise.all(paths.map((p) => readFile(p)));
}

const banks = new BankCache(Math.max(1, config.bankCacheMb) * 1024 * 1024, serveBank);

async function handle(req: ComputeRequest, progress: (p: number, stage: string, message?: string) => void): Promise<unknown> {
  const b = await backbone();
  if (req.op === "warm") return null;
  if (b.sha256 !== req.backboneSha256) throw new Error(`compute worker runs backbone ${b.id} (${b.sha256.slice(0, 12)}), the service ${req.backboneSha256.slice(0, 12)}`);
  if (req.op === "fit") {
    const images = await readAll(req.okPaths);
    const calibrate = req.selfCalibrate && images.length >= 2;
    let bank: MemoryBank;
    let oos: FitResponse["oos"] = null;
    const ngScores: number[] = [];
    if (calibrate) {
      // one coreset pass gives the bank and its k-fold out-of-sample OK scores
      const r = await fitWithOutOfSample(b, images, {
        folds: Math.min(req.folds, images.length),
        coresetRate: req.coresetRate,
        scorePercentile: req.percentile,
        knn: config.knn,
        onProgress: (p) => p.stage === "score"
          ? progress(0.7 + 0.2 * (p.done / p.total), "calibrating", `${p.done}/${p.total}`)
          : progress(0.05 + 0.6 * (p.done / p.total), p.stage, `${p.done}/${p.total}`),
      });
      bank = r.bank;
      oos = r.oos;
    } else {
      bank = await fitBank(b, images, {
        coresetRate: req.coresetRate,
        onProgress: (p) => progress(0.05 + 0.6 * (p.stage === "coreset" ? 1 : p.done / p.total), p.stage, `${p.done}/${p.total}`),
      });
    }
    progress(0.92, "writing");
    writeBank(req.outDir, bank, req.extra);
    if (calibrate) {
      for (let i = 0; i < req.ngPaths.length; i++) {
        try {
          const [img] = await readAll([req.ngPaths[i]!]);
          const s = await scoreImage(b, bank, img!, { shape: req.ngShapes[i] ?? null, scorePercentile: req.percentile, includeMap: false, knn: config.knn });
          ngScores.push(s.score);
        } catch {
          /* an unreadable NG sample does not block the fit */
        }
      }
    }
    const { vectors: _vectors, norm: _norm, cells: _cells, channelWeights: _weights, ...summary } = bank; // these stay in the artifact
    return { bank: summary, oos, ngScores, grid: b.grid } satisfies FitResponse;
  }
  if (req.op === "prepare") {
    const index = bankIndex(banks.get(req.bankDir, backboneInfo(b)), config.knn);
    if (!isPositionalIndex(index)) await prepareIndex(index); // the positional search has no per-bank session
    return null;
  }
  if (req.op === "score") {
    const bank = banks.get(req.bankDir, backboneInfo(b));
    const image = req.image ? Buffer.from(req.image.buffer, req.image.byteOffset, req.image.byteLength) : await readFile(req.imagePath!);
    const r = await scoreImage(b, bank, image, { ...req.opts, includeMap: false, knn: config.knn });
    const { map: _map, heatmapPng, ...rest } = r;
    return { ...rest, ...(heatmapPng ? { heatmapPng: new Uint8Array(heatmapPng.buffer, heatmapPng.byteOffset, heatmapPng.byteLength) } : {}) } satisfies ScoreResponse;
  }
  const images = await readAll(req.paths);
  return (await outOfSampleOkScores(b, images, {
    folds: Math.min(req.folds, images.length), coresetRate: req.coresetRate, scorePercentile: req.percentile, knn: config.knn,
    normalise: req.normalise, scoreRule: req.scoreRule, input: req.input, layout: req.layout, cropKind: req.cropKind ?? undefined, baseline: req.baseline,
    channelWeights: req.channelWeights ? Float32Array.from(req.channelWeights) : null, brightness: req.brightness,
  })) satisfies OosResponse;
}

process.on("message", (msg: { id: number; req: ComputeRequest }) => {
  const progress = (p: number, stage: string, message?: string) => send({ id: msg.id, type: "progress", p, stage, message });
  handle(msg.req, progress).then(
    (result) => send({ id: msg.id, type: "done", result }),
    (err: unknown) =>
      send({
        id: msg.id,
        type: "error",
        error: { name: (err as Error)?.name ?? "Error", message: (err as Error)?.message ?? String(err), code: (err as { code?: string })?.code, details: (err as { details?: Record<string, unknown> })?.details },
      }),
  );
});
