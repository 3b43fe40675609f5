// Scoring use cases. `scoreCrop` is the one call into the scoring process: /infer, /predict and the dashboard's test
// inference reach it through `inferImage` (one crop, recorded as an Inspection), /infer_dataset, /calibrate_dataset
// and the dashboard's labelled scores through `scoreDataset` (the ROI's stored samples). The OK/NG decision is the
// engine's (core's decide(), made where the score is computed); nothing here compares a score with a threshold.
import path from "node:path";
import { DEFAULT_MM_PER_PX, DEFAULT_SCORE_PERCENTILE, LINE_SOURCE, type Region } from "@bdi/core";
import {
  createInspection, listDatasetSamples, listModelVersionSampleIds, type Calibration, type InspectionSource, type ModelVersion,
  type RoiWithActive, type Sample,
} from "@bdi/db";
import type { ScoreOptions, ScoreResult } from "../engine/pipeline.ts";
import type { OosResponse, ScoreResponse } from "../compute/protocol.ts";
import { LEGACY_ACTOR, type Services } from "./index.ts";
import { ServiceError, storageFault } from "./errors.ts";
import { bankDir, checkVersionArtifact, requireBackbone, requireFitted, roiMmPerPx, versionScoring } from "./model-state.ts";
import { checkMmPerPxLock, findRoiForRead, sampleMmPerPx, type RoiRef } from "./samples.ts";
import { parseShapeText } from "./shape.ts";
import { INSPECTIONS_DIR, inspectImage, segment } from "../resources/storage.ts";

/** Folds of the out-of-sample scoring of in-bank OK samples (and of a fit's self-calibration). */
export const SELF_CALIBRATION_FOLDS = 5;

type CropInput = { version: ModelVersion; image?: Buffer; imagePath?: string; opts: ScoreOptions };

/** Scores one crop in the scoring process (onnxruntime runs block their thread: never in the event loop). */
export async function scoreCrop(svc: Services, input: CropInput): Promise<ScoreResult> {
  const backbone = requireBackbone(svc);
  const dir = await bankDir(svc, input.version);
  if (!dir) throw new ServiceError("not_fitted", "model version has no artifact");
  const { includeMap: _map, knn: _knn, ...opts } = input.opts;
  const r = await svc.scorer.run<ScoreResponse>({
    op: "score",
    backboneSha256: backbone.sha256,
    bankDir: dir,
    image: input.image ? new Uint8Array(input.image.buffer, input.image.byteOffset, input.image.byteLength) : undefined,
    imagePath: input.imagePath,
    opts,
  });
  const { heatmapPng, ...rest } = r;
  return { ...rest, ...(heatmapPng ? { heatmapPng: Buffer.from(heatmapPng.buffer, heatmapPng.byteOffset, heatmapPng.byteLength) } : {}) };
}

/** Scoring options of a calibration (threshold, percentile, area); the engine's defaults when there is none. */
function calibrationOpts(cal: Calibration | null): ScoreOptions {
  return cal ? { threshold: cal.threshold, scorePercentile: cal.scorePercentile, areaMm2Thr: cal.areaMm2Thr } : { threshold: null };
}

const byAreaDesc = (regions: Region[]) => [...regions].sort((a, b) => b.area_px - a.area_px);

export type InferOutcome = {
  result: ScoreResult;
  decision: "ok" | "ng";
  /** the calibration's threshold (NaN when uncalibrated) */
  threshold: number;
  /** largest first */
  regions: Region[];
  tokenShape: [number, number];
  inspectionId: string;
  heatmapPng: Buffer | undefined;
  calibrated: boolean;
  version: ModelVersion;
  calibration: Calibration | null;
  /** false when the crop / heatmap could not be written (the answer stands; see storeEvidence) */
  evidenceStored: boolean;
};

export type InferInput = {
  /** the ROI row (dashboard), or its legacy reference (read fallback to the default recipe) */
  roi?: RoiWithActive;
  ref?: RoiRef;
  image: Buffer;
  /** the client's file name, for messages */
  fileName?: string;
  /** the ROI shape as sent (JSON text or object), validated against the crop; absent = whole crop */
  shape?: unknown;
  /** absent: the ROI's, else its recipe's, else 0.2 */
  mmPerPx?: number;
  /** refuse an mm/px other than the recipe's lock (409), as the legacy routes do */
  checkMmPerPxLock?: boolean;
  requireCalibration: boolean;
  source: InspectionSource;
  requestId?: string;
  /** who asked; defaults by source (the WPF client or the dashboard) */
  actor?: string;
};

/** Scores one crop with the ROI's active version + calibration and records an Inspection (crop + heatmap stored). */
export async function inferImage(svc: Services, input: InferInput): Promise<InferOutcome> {
  const limitMb = svc.ctx.config.maxUploadMb;
  if (input.image.length > limitMb * 1024 * 1024) throw new ServiceError("payload_too_large", `image is over the upload limit of ${limitMb} MB`);
  if (input.checkMmPerPxLock && input.ref && input.mmPerPx !== undefined) await checkMmPerPxLock(svc, input.ref.recipeId, input.mmPerPx);
  const info = await inspectImage(input.image, input.fileName ? `image '${input.fileName}'` : "image");
  const found = input.roi ?? (input.ref ? await findRoiForRead(svc, input.ref) : null);
  const backbone = requireBackbone(svc); // while it loads nothing can be scored, fitted or not
  const { roi, version, calibration } = await requireFitted(svc, found, { calibrated: input.requireCalibration });
  const shape = parseShapeText(input.shape, "shape", info.width, info.height)?.shape ?? null;
  const mmPerPx = (await roiMmPerPx(svc, roi, input.mmPerPx)) ?? DEFAULT_MM_PER_PX;
  const t0 = performance.now();
  const result = await scoreCrop(svc, { version, image: input.image, opts: { ...calibrationOpts(calibration), shape, mmPerPx, includeHeatmap: true } });
  svc.metrics.inferDuration.observe({ source: input.source }, (performance.now() - t0) / 1000);
  const decision = result.decision ?? "ok";
  svc.metrics.inferDecisions.inc({ decision });
  const regions = byAreaDesc(result.regions);

  // Keep the crop and its heatmap for review.
  const day = new Date().toISOString().slice(0, 10);
  const base = path.posix.join(INSPECTIONS_DIR, segment(roi.recipeId), `${segment(roi.roleId)}__${segment(roi.roiId)}`, day);
  const stamp = `${Date.now()}-${info.sha256.slice(0, 12)}`;
  const evidence = await storeEvidence(svc, base, stamp, input.image, result.heatmapPng);
  const { imagePath, heatmapPath } = evidence;
  const inspection = await createInspection(svc.ctx.db.prisma, {
    roiId: roi.id,
    modelVersionId: version.id,
    calibrationId: calibration?.id ?? null,
    imageSha256: info.sha256,
    imagePath,
    width: result.width,
    height: result.height,
    mmPerPx,
    score: result.score,
    threshold: calibration?.threshold ?? null,
    decision,
    regions,
    heatmapPath,
    heatmapRange: heatmapPath ? result.heatmapRange ?? null : null,
    timings: result.timings,
    requestId: input.requestId ?? null,
    source: input.source,
  }, {
    actor: input.actor ?? (input.source === "dashboard-test" ? "dashboard" : LEGACY_ACTOR), requestId: input.requestId ?? null,
    ...(evidence.error ? { reason: `evidence not stored: ${evidence.error}` } : {}),
  });
  // the line's crop moves its calibration's verdicts (line-watch.ts); checked in the background, never in this answer
  if (calibration && input.source === LINE_SOURCE) svc.lineWatch.note(calibration.id);
  return {
    result, decision, threshold: calibration?.threshold ?? NaN, regions, tokenShape: [backbone.grid, backbone.grid],
    inspectionId: inspection.id, heatmapPng: result.heatmapPng, calibrated: !!calibration, version, calibration,
    evidenceStored: !evidence.error,
  };
}

/**
 * Writes the crop and its heatmap for review. The decision does not depend on them: when they cannot be written
 * (disk full, permissions) the answer still goes out, the inspection is recorded without them (its audit event says
 * why) and bdi_evidence_not_stored_total rises, for an operator to alert on.
 */
async function storeEvidence(svc: Services, base: string, stamp: string, image: Buffer, heatmap: Buffer | undefined) {
  const imagePath = `${base}/${stamp}.png`;
  const heatmapPath = heatmap ? `${base}/${stamp}_heatmap.png` : null;
  // Both at once (with a bucket as the store, each write is a round trip); either failing stores neither.
  const writes = await Promise.allSettled([svc.store.put(imagePath, image), ...(heatmap && heatmapPath ? [svc.store.put(heatmapPath, heatmap)] : [])]);
  const failed = writes.find((w): w is PromiseRejectedResult => w.status === "rejected");
  if (!failed) return { imagePath, heatmapPath, error: null };
  const err: unknown = failed.reason;
  for (const key of [imagePath, heatmapPath]) if (key) await svc.store.delete(key).catch(() => undefined);
  const fault = storageFault(err);
  svc.metrics.evidenceNotStored.inc({ reason: fault?.code ?? "write_error" });
  svc.ctx.log?.warn({ err, imagePath }, "inference answered, but its crop / heatmap could not be stored");
  return { imagePath: null, heatmapPath: null, error: fault?.message ?? "the crop / heatmap could not be written" };
}

export type DatasetScore = { sample: Sample; mmPerPx: number | null; score?: number; result?: ScoreResult; error?: string };
type DatasetScores = { ok: DatasetScore[]; ng: DatasetScore[]; outOfSample: boolean };

/**
 * Scores the ROI's dataset with a version's bank. With `outOfSampleOk`, OK samples that trained the bank are scored
 * out-of-sample (k-fold), so a dataset calibration is not biased towards zero.
 */
export async function scoreDataset(
  svc: Services,
  input: {
    roi: RoiWithActive; version: ModelVersion; labels: Array<"ok" | "ng">; outOfSampleOk: boolean;
    calibration?: Calibration | null; percentile?: number; includeHeatmap?: boolean; defaultMmPerPx?: number;
  },
): Promise<DatasetScores> {
  const backbone = requireBackbone(svc);
  await checkVersionArtifact(svc, input.version);
  const db = svc.ctx.db.prisma;
  const out: DatasetScores = { ok: [], ng: [], outOfSample: false };
  const lineage = await listModelVersionSampleIds(db, input.version.id);
  const opts: ScoreOptions = { ...calibrationOpts(input.calibration ?? null), ...(input.percentile !== undefined ? { scorePercentile: input.percentile } : {}) };
  const missing = (s: Sample) => `sample ${s.fileName} is missing from the store (${s.storedPath})`;
  for (const label of input.labels) {
    const samples = await listDatasetSamples(db, { roiId: input.roi.id, label });
    const inBank = label === "ok" && input.outOfSampleOk ? samples.filter((s) => lineage.has(s.id)) : [];
    const direct = samples.filter((s) => !inBank.includes(s));
    if (inBank.length >= 2) {
      const used: Sample[] = [];
      const files: string[] = [];
      for (const s of inBank) {
        const file = await svc.store.localFile(s.storedPath);
        if (file) {
          used.push(s);
          files.push(file);
        } else out.ok.push({ sample: s, mmPerPx: sampleMmPerPx(s, input.defaultMmPerPx), error: missing(s) });
      }
      const oos = await svc.compute.run<OosResponse>({
        op: "oos",
        backboneSha256: backbone.sha256,
        paths: files,
        coresetRate: input.version.coresetRateRequested,
        folds: SELF_CALIBRATION_FOLDS,
        percentile: opts.scorePercentile ?? DEFAULT_SCORE_PERCENTILE,
        // the out-of-sample scores must be in the units, by the rule and from the input the version scores with
        ...(await versionScoring(svc, input.version)),
      });
      used.forEach((s, i) => out.ok.push({ sample: s, mmPerPx: sampleMmPerPx(s, input.defaultMmPerPx), score: oos.scores[i] }));
      out.outOfSample = true;
    } else direct.push(...inBank);
    for (const s of direct) {
      const mmPerPx = sampleMmPerPx(s, input.defaultMmPerPx);
      try {
        const imagePath = await svc.store.localFile(s.storedPath);
        if (!imagePath) throw new ServiceError("bad_request", missing(s));
        const r = await scoreCrop(svc, {
          version: input.version,
          imagePath,
          opts: { ...opts, shape: s.shapeJson, mmPerPx: mmPerPx ?? undefined, includeHeatmap: input.includeHeatmap },
        });
        out[label].push({ sample: s, mmPerPx, score: r.score, result: { ...r, regions: byAreaDesc(r.regions) } });
      } catch (e) {
        out[label].push({ sample: s, mmPerPx, error: (e as Error).message });
      }
    }
  }
  return out;
}

/** /infer_dataset: the ROI's stored samples scored and decided with its active version + calibration (nothing stored). */
export async function inferDataset(
  svc: Services,
  input: { ref: RoiRef; labels: Array<"ok" | "ng">; includeHeatmap: boolean; defaultMmPerPx?: number },
): Promise<{ items: DatasetScore[]; calibration: Calibration }> {
  const { roi, version, calibration } = await requireFitted(svc, await findRoiForRead(svc, input.ref), { calibrated: true });
  const scored = await scoreDataset(svc, {
    roi, version, calibration, labels: input.labels, outOfSampleOk: false, includeHeatmap: input.includeHeatmap, defaultMmPerPx: input.defaultMmPerPx,
  });
  return { items: [...scored.ok, ...scored.ng], calibration: calibration! };
}
