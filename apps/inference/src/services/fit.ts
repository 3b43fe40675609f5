// Fitting a ROI. `startFit` is the one fit of both front ends (legacy /fit_ok through `fitOk`, the dashboard's
// fit.start): it picks the training samples (the ROI's OK dataset, at least BDI_MIN_OK_SAMPLES), the coreset rate and
// the mm/px, then queues the job that builds an immutable model version, self-calibrates it out-of-sample and
// activates both together. The engine's results (bank summary, out-of-sample scores) are passed through as they are.
// The job carries a JSON payload (ids and parameters, `FitPayload`), so whichever process takes it runs it: this one
// (SQLite), or any replica (plant mode, resources/jobs/pg.ts); `defineFitJobs` tells the job queue how.
import { DEFAULT_SCORE_PERCENTILE } from "@bdi/core";
import {
  activateModelVersion, appendAudit, createModelVersion, findCalibration, findModelVersion, findRoi, findSamplesByIds, getModelVersion, getRoi,
  listDatasetSamples, markModelVersionFailed, markModelVersionReady, type Calibration, type ModelVersion, type RoiWithActive, type Sample,
} from "@bdi/db";
import { defaultCoresetRate } from "../engine/coreset.ts";
import type { FitResponse } from "../compute/protocol.ts";
import type { JobContext } from "../resources/jobs.ts";
import type { Actor, Services } from "./index.ts";
import { ServiceError } from "./errors.ts";
import { storeCalibration } from "./calibrate.ts";
import { primeLabelledScores } from "./labelled-scores.ts";
import { SELF_CALIBRATION_FOLDS } from "./infer.ts";
import { announceModelChange, prepareForScoring, requireBackbone, roiMmPerPx } from "./model-state.ts";
import { checkMmPerPxLock, ensureRoiLocked, localSampleFiles, roiRefOf, uploadSamples, type RoiRef, type UploadResult } from "./samples.ts";
import { versionArtifactRel } from "../resources/storage.ts";

export type FitResult = {
  version: ModelVersion;
  /** what the compute process reported: the bank's summary, the k-fold scores, the NG samples' scores */
  fit: FitResponse;
  tokenShape: [number, number];
  coresetRateRequested: number;
  calibration: Calibration | null;
  calibrationSkippedReason?: string;
  durationMs: number;
};

export type FitInput = {
  roi: RoiWithActive;
  /** the training samples; absent: the ROI's live OK dataset, which must hold at least BDI_MIN_OK_SAMPLES */
  samples?: Sample[];
  /** absent: 1.0 with `memoryFit`, else BDI_CORESET_RATE, else the backbone's manifest default */
  coresetRate?: number;
  memoryFit?: boolean;
  /** absent: the ROI's, else its recipe's */
  mmPerPx?: number;
  areaMm2Thr?: number;
  scorePercentile?: number;
};

/** The ROI's OK dataset as training samples: none is no_ok_samples, fewer than the minimum insufficient_ok_samples. */
async function okTrainingSamples(svc: Services, roi: RoiWithActive): Promise<Sample[]> {
  const samples = await listDatasetSamples(svc.ctx.db.prisma, { roiId: roi.id, label: "ok" });
  const need = svc.ctx.config.minOkSamples;
  const details = { need, found: samples.length };
  if (samples.length === 0) throw new ServiceError("no_ok_samples", "the ROI has no OK samples to fit", details);
  if (samples.length < need) throw new ServiceError("insufficient_ok_samples", `need at least ${need} OK samples, found ${samples.length}`, details);
  return samples;
}

/** Queues a fit of the ROI (one job at a time per ROI); `done` settles with the outcome. */
export async function startFit(svc: Services, input: FitInput, who: Actor): Promise<{ jobId: string; done: Promise<FitResult>; samples: Sample[] }> {
  const samples = input.samples ?? (await okTrainingSamples(svc, input.roi));
  const backbone = requireBackbone(svc);
  const coresetRate = input.coresetRate ?? (input.memoryFit ? 1.0 : defaultCoresetRate(backbone.entry, svc.ctx.config.coresetRate));
  const mmPerPx = await roiMmPerPx(svc, input.roi, input.mmPerPx);
  const payload: FitPayload = {
    roiId: input.roi.id, sampleIds: samples.map((s) => s.id), coresetRate, mmPerPx, areaMm2Thr: input.areaMm2Thr,
    scorePercentile: input.scorePercentile, who: { actor: who.actor, requestId: who.requestId ?? null, reason: who.reason ?? null },
  };
  const { id, done } = await svc.jobs.enqueue<FitResult>("fit", input.roi.id, { actor: who.actor, requestId: who.requestId ?? undefined }, payload);
  return { jobId: id, done, samples };
}

/** What a fit job carries: ids and parameters only (JSON), enough for any process to run it. */
export type FitPayload = {
  roiId: string;
  /** the training samples, in this order */
  sampleIds: string[];
  coresetRate: number;
  mmPerPx?: number;
  areaMm2Thr?: number;
  scorePercentile?: number;
  who: Actor;
};

/** Tells the job queue how fit jobs run (from their payload), come back from another replica, and clean up. */
export function defineFitJobs(svc: Services): void {
  svc.jobs.define("fit", {
    run: (payload, ctx) => runFitJob(svc, payload as FitPayload, ctx),
    // A result read back from JSON (the fit ran on another replica): the rows it names, as objects again.
    revive: async (result) => {
      const r = result as FitResult;
      const calibration = r.calibration ? await findCalibration(svc.ctx.db.prisma, r.calibration.id) : null;
      return { ...r, version: await getModelVersion(svc.ctx.db.prisma, r.version.id), calibration };
    },
    // The replica running it died: the version it was building is failed (never activated: the previous one serves).
    abandoned: async ({ modelVersionId, replicaId }) => {
      if (!modelVersionId) return;
      const v = await getModelVersion(svc.ctx.db.prisma, modelVersionId);
      if (v.status !== "building") return;
      await markModelVersionFailed(svc.ctx.db.prisma, { id: v.id, error: `the replica running the fit (${replicaId ?? "?"}) stopped; the fit runs again` }, {
        actor: `replica:${svc.ctx.config.replicaId}`, reason: "fit job runner gone",
      });
    },
  });
}

async function runFitJob(svc: Services, payload: FitPayload, job: JobContext): Promise<FitResult> {
  const db = svc.ctx.db.prisma;
  const roi = await getRoi(db, payload.roiId);
  const samples = await findSamplesByIds(db, payload.sampleIds);
  const missing = payload.sampleIds.filter((_, i) => !samples[i]);
  if (missing.length) throw new ServiceError("conflict", `training samples no longer exist: ${missing.join(", ")}`);
  const ref = await roiRefOf(svc, roi);
  const input: FitJob = { ...payload, roi, samples: samples as Sample[], ref };
  return runFit(svc, input, payload.who, job.progress, job.signal, job);
}

type FitJob = FitInput & { samples: Sample[]; coresetRate: number; ref: RoiRef };

async function runFit(
  svc: Services, input: FitJob, who: Actor, progress: (p: number, stage: string, message?: string) => void, signal?: AbortSignal, job?: JobContext,
): Promise<FitResult> {
  const t0 = performance.now();
  const backbone = requireBackbone(svc);
  const db = svc.ctx.db.prisma;
  const version = await createModelVersion(db, {
    roiId: input.roi.id,
    backboneId: backbone.id,
    backboneSha256: backbone.sha256,
    inputSize: backbone.inputSize,
    featureLayers: backbone.entry.features.outputs,
    coresetRateRequested: input.coresetRate,
    parentVersionId: input.roi.activeModelVersionId ?? null,
    sampleIds: input.samples.map((s) => s.id),
  }, who);
  await job?.building(version.id);
  const rel = versionArtifactRel(input.ref.recipeId, input.ref.roleId, input.ref.roiId, version.versionNumber, version.id);
  const outDir = svc.artifacts.stagingDir(rel, version.id);
  let wroteDir = false;
  let madeReady = false;
  try {
    progress(0.02, "reading");
    const ngSamples = await listDatasetSamples(db, { roiId: input.roi.id, label: "ng" });
    const percentile = input.scorePercentile ?? DEFAULT_SCORE_PERCENTILE;
    // Extraction, coreset and the k-fold self-calibration run in the compute process (the event loop stays free).
    const fit = await svc.compute.run<FitResponse>({
      op: "fit",
      backboneSha256: backbone.sha256,
      okPaths: await localSampleFiles(svc, input.samples),
      coresetRate: input.coresetRate,
      outDir,
      extra: { roiId: input.roi.id, versionId: version.id, recipeId: input.ref.recipeId },
      selfCalibrate: true,
      folds: SELF_CALIBRATION_FOLDS,
      percentile,
      ngPaths: await localSampleFiles(svc, ngSamples),
      ngShapes: ngSamples.map((s) => s.shapeJson),
    }, progress, signal);
    // A cancel after the compute part still stops here: nothing is calibrated or activated, the previous version stays.
    signal?.throwIfAborted();
    wroteDir = true;
    // With a bucket as the store: the artifact's objects, complete, before the row below makes the version visible.
    await svc.artifacts.publish(rel, outDir);
    const tokenShape: [number, number] = [fit.grid, fit.grid];
    // The one fit duration both pages show: from the job's start to the version's data written (wallMs in its
    // timings, durationMs of the job); storing the calibration and activating take milliseconds more.
    const durationMs = performance.now() - t0;
    madeReady = true; // from here a failure leaves the artifact to start-up recovery (the row may already say ready)
    const ready = await markModelVersionReady(db, {
      id: version.id,
      nEmbeddings: fit.bank.coreset.candidates,
      coresetSize: fit.bank.n,
      coresetRateApplied: fit.bank.coreset.rate,
      memoryLayout: fit.bank.layout ?? "global",
      registrationShare: fit.bank.registrationShare ?? null,
      tokenShape,
      artifactPath: rel,
      timings: { ...fit.bank.timings, wallMs: Math.round(durationMs) },
    }, who);
    const calibration = fit.oos
      ? await storeCalibration(svc, {
        version: ready, okScores: fit.oos.scores, ngScores: fit.ngScores, percentile, areaMm2Thr: input.areaMm2Thr,
        mmPerPx: input.mmPerPx ?? null, outOfSample: true,
      }, { ...who, reason: `self-calibration after fit (${fit.oos.folds}-fold out-of-sample)` })
      : null;
    // The calibration view reads the labelled set's scores: the fit has them already (when it scored every crop).
    if (fit.oos && fit.oos.scored.length === input.samples.length && fit.ngScores.length === ngSamples.length) {
      const oos = fit.oos;
      await primeLabelledScores(svc, ready, {
        percentile,
        ok: oos.scored.map((idx, i) => ({ sample: input.samples[idx]!, score: oos.scores[i]! })),
        ng: ngSamples.map((sample, i) => ({ sample, score: fit.ngScores[i]! })),
      }).catch(() => false);
    }
    progress(0.95, "activating");
    signal?.throwIfAborted();
    await job?.confirm(); // plant mode: this replica still owns the job (it was not taken for dead meanwhile)
    await activateModelVersion(db, { id: version.id }, who);
    prepareForScoring(svc, ready);
    await announceModelChange(svc, { roiId: input.roi.id, change: "activate", versionId: version.id });
    svc.metrics.fitDuration.observe({ status: "succeeded" }, durationMs / 1000);
    svc.metrics.fitsTotal.inc({ status: "succeeded" });
    svc.metrics.bankSize.set({ recipe_id: input.ref.recipeId, role_id: input.ref.roleId, roi_id: input.ref.roiId }, fit.bank.n);
    return {
      version: (await findModelVersion(db, version.id)) ?? ready,
      fit, tokenShape, coresetRateRequested: input.coresetRate, calibration, durationMs,
      ...(calibration ? {} : { calibrationSkippedReason: "out-of-sample calibration needs at least 2 OK samples" }),
    };
  } catch (err) {
    const status = signal?.aborted ? "cancelled" : "failed";
    svc.metrics.fitsTotal.inc({ status });
    svc.metrics.fitDuration.observe({ status }, (performance.now() - t0) / 1000);
    await markModelVersionFailed(db, { id: version.id, error: err instanceof Error ? err.message : String(err) }, who).catch(() => undefined);
    // The version is failed: its folder goes (on the data root a written one stays for start-up recovery, as before).
    if (!wroteDir || (svc.store.kind !== "local" && !madeReady)) await svc.artifacts.discard(rel, version.id).catch(() => undefined);
    throw err;
  }
}

/**
 * The legacy client's fit (/fit_ok): from the ROI's OK dataset, or from uploaded OK crops that first join it (all or
 * nothing); the recipe's mm/px lock is checked and set. Waits for the fit.
 */
export async function fitOk(
  svc: Services,
  input: { ref: RoiRef; mmPerPx: number; useDataset: boolean; memoryFit: boolean; images: Array<{ data: Buffer; filename: string }> },
  who: Actor,
): Promise<{ jobId: string; result: FitResult; samples: Sample[]; uploaded: UploadResult | null }> {
  const { ref, mmPerPx } = input;
  if (svc.ctx.config.trainDatasetOnly && !input.useDataset) throw new ServiceError("dataset_only", "this deployment trains from the stored dataset only");
  if (!input.useDataset && input.images.length === 0) throw new ServiceError("no_images", "no images to fit from");
  await checkMmPerPxLock(svc, ref.recipeId, mmPerPx);
  let uploaded: UploadResult | null = null;
  if (input.images.length) {
    requireBackbone(svc); // do not store anything when the fit cannot run
    const files = input.images.map((i) => ({ data: i.data, filename: i.filename, meta: { mm_per_px: mmPerPx } }));
    uploaded = await uploadSamples(svc, { ref, label: "ok", source: "legacy-upload", files, defaultMmPerPx: mmPerPx }, who);
  }
  await ensureRoiLocked(svc, ref, mmPerPx, who);
  const roi = await findRoi(svc.ctx.db.prisma, { recipeId: ref.recipeId, roleId: ref.roleId, roiId: ref.roiId });
  if (!roi) throw new Error("ROI vanished");
  const samples = input.useDataset ? undefined : uploaded!.samples;
  const { jobId, done, samples: used } = await startFit(svc, { roi, samples, memoryFit: input.memoryFit, mmPerPx }, who);
  return { jobId, result: await done, samples: used, uploaded };
}

/**
 * Cancels a queued or running fit (the dashboard's Cancel button): the job's compute request is killed, its model
 * version is marked failed ("cancelled by …"), nothing is activated — the ROI keeps its previous version — and an
 * audit event `fit.cancel` (entity: the ROI) records who, why and how far the fit had got.
 */
export async function cancelFit(svc: Services, input: { jobId: string }, who: Actor): Promise<{ jobId: string; roiId: string }> {
  const job = svc.jobs.get(input.jobId);
  if (!job || job.kind !== "fit") throw new ServiceError("not_found", `no fit job ${input.jobId} (finished jobs are kept for a while only)`);
  const reason = new Error(`cancelled by ${who.actor}${who.reason ? `: ${who.reason}` : ""}`);
  const cancelled = await svc.jobs.cancel(job.id, who.actor, reason);
  if (!cancelled) throw new ServiceError("conflict", `the fit has already ${job.status === "succeeded" ? "finished" : "stopped"}; nothing to cancel`);
  await appendAudit(svc.ctx.db.prisma, {
    action: "fit.cancel", entityType: "Roi", entityId: job.roiKey,
    before: { jobId: job.id, status: job.status, stage: job.stage, progress: job.progress, startedBy: job.actor },
    after: { jobId: job.id, status: "cancelled" },
  }, who);
  return { jobId: job.id, roiId: job.roiKey };
}
