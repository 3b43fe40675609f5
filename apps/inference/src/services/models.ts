// Fit, calibrate and infer for one ROI: model versions (immutable artifact dirs + rows + lineage + audit),
// calibrations (legacy rule, out-of-sample OK scores), inspections (stored crop + heatmap).
import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import {
  activateModelVersion, createCalibration, createInspection, createModelVersion, findModelVersion, listDatasetSamples,
  markModelVersionFailed, markModelVersionReady, parseJson, type Calibration, type ModelVersion, type RoiWithActive, type Sample,
} from "@bdi/db";
import { decide, DEFAULT_AREA_MM2_THR, DEFAULT_SCORE_PERCENTILE } from "@bdi/core";
import { legacyThreshold } from "@bdi/core/calibration/legacyRule";
import { expectedRates } from "@bdi/core/calibration/rates";
import type { Region } from "@bdi/core/schemas/region";
import type { Backbone } from "../engine/backbone.ts";
import { backboneInfo, type ScoreOptions, type ScoreResult } from "../engine/pipeline.ts";
import { checkBankCompatible, readBankMeta } from "../engine/artifacts.ts";
import { BankInvalidError } from "../engine/errors.ts";
import { existsSync, statSync } from "node:fs";
import type { FitResponse, OosResponse, ScoreRequest, ScoreResponse } from "./compute.ts";
import { LEGACY_ACTOR, type Actor, type Services } from "./index.ts";
import { ServiceError } from "./errors.ts";
import { resolveInRoot, segment, sha256, writeAtomic } from "./storage.ts";
import type { RoiRef } from "./samples.ts";

export { DEFAULT_AREA_MM2_THR, DEFAULT_SCORE_PERCENTILE } from "@bdi/core";
/** Folds of the out-of-sample self-calibration after a fit. */
export const SELF_CALIBRATION_FOLDS = 5;

/** The running backbone, or a 503-mapped error while it loads / after it failed. */
export function requireBackbone(svc: Services): Backbone {
  const s = svc.ctx.backbone.current;
  if (s.status === "ready") return s.backbone;
  if (s.status === "starting") throw new ServiceError("not_ready", "The backbone is still loading; retry in a few seconds.");
  throw new ServiceError("not_ready", `The backbone failed to load: ${s.error}`);
}

function bankDir(svc: Services, version: ModelVersion): string | null {
  return version.artifactPath ? resolveInRoot(svc.ctx.config.dataRoot, version.artifactPath) : null;
}

/**
 * Cheap "is this version usable" check (meta.json + bank file size + backbone compatibility), without reading the
 * bank: /state is called before every evaluation by the client (§8 #19).
 */
export function checkVersionArtifact(svc: Services, version: ModelVersion): void {
  const dir = bankDir(svc, version);
  if (!dir) throw new ServiceError("not_fitted", "model version has no artifact");
  const meta = readBankMeta(dir);
  const file = path.join(dir, meta.file ?? "bank.f32");
  if (!existsSync(file) || statSync(file).size !== meta.n * meta.dim * 4) throw new BankInvalidError(`model version ${dir}: bank file missing or truncated`);
  const b = svc.ctx.backbone.ready;
  if (b) checkBankCompatible(meta.backbone, backboneInfo(b));
}

export type RoiModelState = {
  fitted: boolean;
  calibrated: boolean;
  version: ModelVersion | null;
  calibration: Calibration | null;
  reason?: string;
};

/**
 * One rule for "fitted" used by /state and /infer alike (§8 #4): the ROI has an active, ready version whose
 * artifact loads and matches the running backbone. "calibrated": that version has an active calibration > 0.
 */
export function roiModelState(svc: Services, roi: RoiWithActive | null): RoiModelState {
  const version = roi?.activeModelVersion ?? null;
  const calibration = roi?.activeCalibration ?? null;
  if (!roi || !version || version.status !== "ready") return { fitted: false, calibrated: false, version, calibration, reason: "no_active_version" };
  try {
    checkVersionArtifact(svc, version);
  } catch (e) {
    return { fitted: false, calibrated: false, version, calibration, reason: (e as Error).message };
  }
  const calibrated = !!calibration && calibration.modelVersionId === version.id && calibration.threshold > 0;
  return { fitted: true, calibrated, version, calibration: calibrated ? calibration : null };
}

async function readSampleImages(svc: Services, samples: Sample[]): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (const s of samples) {
    try {
      out.push(await readFile(resolveInRoot(svc.ctx.config.dataRoot, s.storedPath)));
    } catch {
      throw new ServiceError("bad_request", `sample ${s.fileName} is missing from the data root (${s.storedPath})`);
    }
  }
  return out;
}

export type FitResult = {
  version: ModelVersion;
  nEmbeddings: number;
  coresetSize: number;
  tokenShape: [number, number];
  coresetRateRequested: number;
  coresetRateApplied: number;
  calibration: Calibration | null;
  calibrationSkippedReason?: string;
  durationMs: number;
};

/**
 * Fits a new model version of the ROI from `samples` (OK, already stored) as a queued job: writes the artifact
 * dir atomically, marks the version ready, self-calibrates out-of-sample when it can, then activates version +
 * calibration together (the previous calibration never stays in force for the new bank).
 */
export function submitFit(
  svc: Services,
  input: { roi: RoiWithActive; ref: RoiRef; samples: Sample[]; coresetRate: number; mmPerPx?: number; areaMm2Thr?: number; scorePercentile?: number },
  who: Actor,
): { jobId: string; done: Promise<FitResult> } {
  const roiKey = input.roi.id;
  const backbone = requireBackbone(svc);
  const { id, done } = svc.jobs.submit("fit", roiKey, { actor: who.actor, requestId: who.requestId ?? undefined }, async (progress) => {
    const t0 = performance.now();
    const db = svc.ctx.db.prisma;
    const version = await createModelVersion(
      db,
      {
        roiId: input.roi.id,
        backboneId: backbone.id,
        backboneSha256: backbone.sha256,
        inputSize: backbone.inputSize,
        featureLayers: backbone.entry.features.outputs,
        coresetRateRequested: input.coresetRate,
        parentVersionId: input.roi.activeModelVersionId ?? null,
        sampleIds: input.samples.map((s) => s.id),
      },
      who,
    );
    const rel = path.posix.join(
      "models",
      segment(input.ref.recipeId),
      `${segment(input.ref.roleId)}__${segment(input.ref.roiId)}`,
      `v${String(version.versionNumber).padStart(4, "0")}-${version.id}`,
    );
    let wroteDir = false;
    try {
      progress(0.02, "reading");
      const root = svc.ctx.config.dataRoot;
      const ngSamples = await listDatasetSamples(db, { roiId: input.roi.id, label: "ng" });
      const percentile = input.scorePercentile ?? DEFAULT_SCORE_PERCENTILE;
      const outDir = resolveInRoot(root, rel);
      // Extraction, coreset and the k-fold self-calibration run in the compute worker (event loop stays free).
      const fit = await svc.compute.run<FitResponse>(
        {
          op: "fit",
          backboneSha256: backbone.sha256,
          okPaths: input.samples.map((s) => resolveInRoot(root, s.storedPath)),
          coresetRate: input.coresetRate,
          outDir,
          extra: { roiId: input.roi.id, versionId: version.id, recipeId: input.ref.recipeId },
          selfCalibrate: true,
          folds: SELF_CALIBRATION_FOLDS,
          percentile,
          ngPaths: ngSamples.map((s) => resolveInRoot(root, s.storedPath)),
          ngShapes: ngSamples.map((s) => shapeText(s.shapeJson)),
        },
        progress,
      );
      wroteDir = true;
      const tokenShape: [number, number] = [fit.grid, fit.grid];
      const ready = await markModelVersionReady(
        db,
        {
          id: version.id,
          nEmbeddings: fit.candidates,
          coresetSize: fit.n,
          coresetRateApplied: fit.rate,
          tokenShape,
          artifactPath: rel,
          timings: fit.timings,
        },
        who,
      );

      let calibration: Calibration | null = null;
      let calibrationSkippedReason: string | undefined;
      if (fit.oos) {
        calibration = await storeCalibration(
          svc,
          {
            version: ready,
            okScores: fit.oos.scores,
            ngScores: fit.ngScores,
            percentile,
            areaMm2Thr: input.areaMm2Thr ?? DEFAULT_AREA_MM2_THR,
            mmPerPx: input.mmPerPx ?? null,
            outOfSample: true,
          },
          { ...who, reason: `self-calibration after fit (${fit.oos.folds}-fold out-of-sample)` },
        );
      } else {
        calibrationSkippedReason = "out-of-sample calibration needs at least 2 OK samples";
      }
      progress(0.95, "activating");
      await activateModelVersion(db, { id: version.id }, who);
      prepareForScoring(svc, ready);
      const final = (await findModelVersion(db, version.id)) ?? ready;
      const durationMs = performance.now() - t0;
      svc.metrics.fitDuration.observe({ status: "succeeded" }, durationMs / 1000);
      svc.metrics.fitsTotal.inc({ status: "succeeded" });
      svc.metrics.bankSize.set({ recipe_id: input.ref.recipeId, role_id: input.ref.roleId, roi_id: input.ref.roiId }, fit.n);
      return {
        version: final,
        nEmbeddings: fit.candidates,
        coresetSize: fit.n,
        tokenShape,
        coresetRateRequested: input.coresetRate,
        coresetRateApplied: fit.rate,
        calibration,
        calibrationSkippedReason,
        durationMs,
      };
    } catch (err) {
      svc.metrics.fitsTotal.inc({ status: "failed" });
      svc.metrics.fitDuration.observe({ status: "failed" }, (performance.now() - t0) / 1000);
      await markModelVersionFailed(db, { id: version.id, error: err instanceof Error ? err.message : String(err) }, who).catch(() => undefined);
      if (!wroteDir) await rm(resolveInRoot(svc.ctx.config.dataRoot, rel), { recursive: true, force: true }).catch(() => undefined);
      throw err;
    }
  });
  return { jobId: id, done };
}

function shapeText(shapeJson: string | null): string | null {
  return shapeJson ?? null;
}

/** Creates (and activates for its version) a calibration from scores with the legacy rule. */
export async function storeCalibration(
  svc: Services,
  input: {
    version: ModelVersion;
    okScores: number[];
    ngScores: number[] | null;
    percentile: number;
    areaMm2Thr: number;
    mmPerPx: number | null;
    outOfSample: boolean;
  },
  who: Actor,
): Promise<Calibration> {
  const t = legacyThreshold({ okScores: input.okScores, ngScores: input.ngScores, percentile: input.percentile });
  const rates = expectedRates(t.threshold, input.okScores, input.ngScores);
  return createCalibration(
    svc.ctx.db.prisma,
    {
      modelVersionId: input.version.id,
      threshold: t.threshold,
      rule: t.rule,
      scorePercentile: input.percentile,
      areaMm2Thr: input.areaMm2Thr,
      mmPerPx: input.mmPerPx,
      okScores: input.okScores,
      ngScores: input.ngScores && input.ngScores.length ? input.ngScores : null,
      okStats: { mean: t.okMean, p: t.pOk, n: t.nOk },
      ngStats: t.nNg ? { mean: t.ngMean, p5: t.pNg, n: t.nNg } : null,
      outOfSample: input.outOfSample,
      expectedFalseRejectRate: rates.falseRejectRate,
      expectedMissRate: rates.missRate,
    },
    who,
  );
}

/**
 * Asks the scoring process to load an activated version's bank and build its search index in the background (the
 * int8 session costs ~130 ms for a 12k bank): the line's next /infer then runs at full speed. Best effort.
 */
export function prepareForScoring(svc: Services, version: ModelVersion): void {
  const dir = bankDir(svc, version);
  const b = svc.ctx.backbone.ready;
  if (!dir || !b) return;
  svc.scorer.run({ op: "prepare", backboneSha256: b.sha256, bankDir: dir }).catch((err: unknown) =>
    svc.ctx.log?.warn?.({ err: (err as Error)?.message, version: version.id }, "could not prepare the bank for scoring"));
}

/** Scores one image in the scorer worker (onnxruntime runs block their thread: never in the event loop). */
export async function scoreInWorker(
  svc: Services,
  input: { version: ModelVersion; image?: Buffer; imagePath?: string; opts: ScoreRequest["opts"] },
): Promise<ScoreResult> {
  const backbone = requireBackbone(svc);
  const dir = bankDir(svc, input.version);
  if (!dir) throw new ServiceError("not_fitted", "model version has no artifact");
  const r = await svc.scorer.run<ScoreResponse>({
    op: "score",
    backboneSha256: backbone.sha256,
    bankDir: dir,
    image: input.image ? new Uint8Array(input.image.buffer, input.image.byteOffset, input.image.byteLength) : undefined,
    imagePath: input.imagePath,
    opts: input.opts,
  });
  const { heatmapPng, ...rest } = r;
  return { ...rest, ...(heatmapPng ? { heatmapPng: Buffer.from(heatmapPng.buffer, heatmapPng.byteOffset, heatmapPng.byteLength) } : {}) };
}

export type DatasetScore = { sample: Sample; score?: number; result?: ScoreResult; error?: string };

/**
 * Scores the ROI's dataset with the active bank. OK samples that trained the bank are scored out-of-sample
 * (k-fold), so a dataset calibration is not biased towards zero.
 */
export async function scoreDataset(
  svc: Services,
  input: { roi: RoiWithActive; version: ModelVersion; labels: Array<"ok" | "ng">; percentile: number; outOfSampleOk: boolean; threshold?: number; includeHeatmap?: boolean; defaultMmPerPx?: number; areaMm2Thr?: number },
): Promise<{ ok: DatasetScore[]; ng: DatasetScore[]; outOfSample: boolean }> {
  const backbone = requireBackbone(svc);
  checkVersionArtifact(svc, input.version);
  const db = svc.ctx.db.prisma;
  const out: { ok: DatasetScore[]; ng: DatasetScore[]; outOfSample: boolean } = { ok: [], ng: [], outOfSample: false };
  const lineage = new Set(
    (await db.modelVersionSample.findMany({ where: { modelVersionId: input.version.id }, select: { sampleId: true } })).map((l) => l.sampleId),
  );
  for (const label of input.labels) {
    const samples = await listDatasetSamples(db, { roiId: input.roi.id, label });
    const inBank = label === "ok" && input.outOfSampleOk ? samples.filter((s) => lineage.has(s.id)) : [];
    const direct = samples.filter((s) => !inBank.includes(s));
    if (inBank.length >= 2) {
      const imgs: Buffer[] = [];
      const used: Sample[] = [];
      for (const s of inBank) {
        try {
          imgs.push((await readSampleImages(svc, [s]))[0]!);
          used.push(s);
        } catch (e) {
          out.ok.push({ sample: s, error: (e as Error).message });
        }
      }
      void imgs;
      const oos = await svc.compute.run<OosResponse>({
        op: "oos",
        backboneSha256: backbone.sha256,
        paths: used.map((s) => resolveInRoot(svc.ctx.config.dataRoot, s.storedPath)),
        coresetRate: input.version.coresetRateRequested,
        folds: SELF_CALIBRATION_FOLDS,
        percentile: input.percentile,
      });
      used.forEach((s, i) => out.ok.push({ sample: s, score: oos.scores[i] }));
      out.outOfSample = true;
    } else direct.push(...inBank);
    for (const s of direct) {
      try {
        const meta = parseJson<Record<string, unknown>>(s.clientMetaJson) ?? {};
        const mm = s.mmPerPx ?? (typeof meta.mm_per_px === "number" ? meta.mm_per_px : undefined) ?? input.defaultMmPerPx;
        const imagePath = resolveInRoot(svc.ctx.config.dataRoot, s.storedPath);
        if (!existsSync(imagePath)) throw new ServiceError("bad_request", `sample ${s.fileName} is missing from the data root (${s.storedPath})`);
        const r = await scoreInWorker(svc, {
          version: input.version,
          imagePath,
          opts: {
            shape: shapeText(s.shapeJson),
            scorePercentile: input.percentile,
            threshold: input.threshold,
            mmPerPx: mm,
            areaMm2Thr: input.areaMm2Thr,
            includeHeatmap: input.includeHeatmap,
          },
        });
        out[label].push({ sample: s, score: r.score, result: r });
      } catch (e) {
        out[label].push({ sample: s, error: (e as Error).message });
      }
    }
  }
  return out;
}

export type InferOutcome = {
  result: ScoreResult;
  decision: "ok" | "ng";
  threshold: number;
  regions: Region[];
  tokenShape: [number, number];
  inspectionId: string;
  heatmapPng: Buffer | undefined;
};

/** Scores one crop with the active version + calibration and records an Inspection (crop + heatmap stored). */
export async function inferImage(
  svc: Services,
  input: {
    roi: RoiWithActive;
    state: RoiModelState;
    ref: RoiRef;
    image: Buffer;
    imageSha256?: string;
    shape?: ScoreOptions["shape"];
    mmPerPx: number;
    requireCalibration: boolean;
    source: "legacy-infer" | "dashboard-test" | "infer-dataset";
    requestId?: string;
    /** who asked; defaults by source (the WPF client or the dashboard) */
    actor?: string;
  },
): Promise<InferOutcome & { calibrated: boolean }> {
  const backbone = requireBackbone(svc);
  const { state } = input;
  if (!state.fitted || !state.version) throw new ServiceError("not_fitted", "Memoria no encontrada. Ejecuta /fit_ok antes de /infer.");
  if (input.requireCalibration && !state.calibrated) throw new ServiceError("calibration_missing", "calibration_missing");
  const cal = state.calibration;
  const t0 = performance.now();
  const result = await scoreInWorker(svc, {
    version: state.version,
    image: input.image,
    opts: {
      shape: input.shape ?? null,
      threshold: cal?.threshold ?? null,
      mmPerPx: input.mmPerPx,
      areaMm2Thr: cal?.areaMm2Thr ?? DEFAULT_AREA_MM2_THR,
      scorePercentile: cal?.scorePercentile ?? DEFAULT_SCORE_PERCENTILE,
      includeHeatmap: true,
    },
  });
  svc.metrics.inferDuration.observe({ source: input.source }, (performance.now() - t0) / 1000);
  const threshold = cal?.threshold ?? NaN;
  const decision: "ok" | "ng" = cal ? decide(result.score, cal.threshold) : "ok";
  svc.metrics.inferDecisions.inc({ decision });
  const regions = [...result.regions].sort((a, b) => b.area_px - a.area_px);

  // Keep the crop and its heatmap for review.
  const sha = input.imageSha256 ?? sha256(input.image);
  const day = new Date().toISOString().slice(0, 10);
  const base = path.posix.join("inspections", segment(input.ref.recipeId), `${segment(input.ref.roleId)}__${segment(input.ref.roiId)}`, day);
  const stamp = `${Date.now()}-${sha.slice(0, 12)}`;
  const imagePath = `${base}/${stamp}.png`;
  const heatmapPath = result.heatmapPng ? `${base}/${stamp}_heatmap.png` : null;
  await writeAtomic(svc.ctx.config.dataRoot, imagePath, input.image);
  if (result.heatmapPng && heatmapPath) await writeAtomic(svc.ctx.config.dataRoot, heatmapPath, result.heatmapPng);
  const inspection = await createInspection(svc.ctx.db.prisma, {
    roiId: input.roi.id,
    modelVersionId: state.version.id,
    calibrationId: cal?.id ?? null,
    imageSha256: sha,
    imagePath,
    width: result.width,
    height: result.height,
    mmPerPx: input.mmPerPx,
    score: result.score,
    threshold: cal?.threshold ?? null,
    decision,
    regions,
    heatmapPath,
    timings: result.timings,
    requestId: input.requestId ?? null,
    source: input.source,
  }, { actor: input.actor ?? (input.source === "dashboard-test" ? "dashboard" : LEGACY_ACTOR), requestId: input.requestId ?? null });
  return {
    result,
    decision,
    threshold,
    regions,
    tokenShape: [backbone.grid, backbone.grid],
    inspectionId: inspection.id,
    heatmapPng: result.heatmapPng,
    calibrated: !!cal,
  };
}

/** Reads an artifact's meta without loading the bank (for manifests). */
export function versionArtifactMeta(svc: Services, version: ModelVersion) {
  const dir = bankDir(svc, version);
  if (!dir) return null;
  try {
    return readBankMeta(dir);
  } catch {
    return null;
  }
}
