// The state of a ROI's model, one rule each: the running backbone (503 while it loads), whether the active version
// is usable ("fitted"), whether it is calibrated, and the ROI's mm/px when a request names none.
import { cropKindOf, type BankLayout, type CropKind, type InputMode, type MapBaseline, type ScoreRule } from "@bdi/core";
import { findModelVersion, findRecipe, type Calibration, type ModelVersion, type Roi, type RoiWithActive } from "@bdi/db";
import type { Backbone } from "../engine/backbone.ts";
import { backboneInfo } from "../engine/pipeline.ts";
import { bankInputMode, checkArtifactFiles, checkBankCompatible, readBankMeta } from "../engine/artifacts.ts";
import type { Services } from "./index.ts";
import { ServiceError } from "./errors.ts";
import type { ModelChange } from "../resources/model-changes.ts";

/** The running backbone, or a not_ready error while it loads / after it failed. */
export function requireBackbone(svc: Services): Backbone {
  const s = svc.ctx.backbone.current;
  if (s.status === "ready") return s.backbone;
  if (s.status === "starting") throw new ServiceError("not_ready", "The backbone is still loading; retry in a few seconds.");
  throw new ServiceError("not_ready", `The backbone failed to load: ${s.error}`);
}

/**
 * Local artifact folder of a version for the engine (null when it has none): the data root's own, or with a bucket
 * as the store this replica's copy, fetched once (resources/store/versions.ts).
 */
export async function bankDir(svc: Services, version: ModelVersion): Promise<string | null> {
  return version.artifactPath ? svc.artifacts.localDir(version.artifactPath, version.id) : null;
}

/**
 * Cheap "is this version usable" check (meta.json + data file sizes + backbone compatibility), without reading the
 * bank: /state is called before every evaluation by the client (§8 #19).
 */
export async function checkVersionArtifact(svc: Services, version: ModelVersion): Promise<void> {
  const dir = await bankDir(svc, version);
  if (!dir) throw new ServiceError("not_fitted", "model version has no artifact");
  const meta = readBankMeta(dir);
  checkArtifactFiles(dir, meta);
  const b = svc.ctx.backbone.ready;
  if (b) checkBankCompatible(meta.backbone, backboneInfo(b));
}

/**
 * How the version turns crops into scores: z-scores (its bank has a per-position normalisation) or raw 1-NN
 * distances, its image-score rule (banks written before the rule existed: "percentile"), and how its crops fill the
 * backbone input (banks written before session 8: the whole square), its memory layout (before session 9: global), what
 * its crops are (the probe's share, else what the layout implies: cropKindOf), its map's baseline (before session 10:
 * none), its channel weights (before session 23: none) and its brightness reference level (before session 24: none).
 */
export async function versionScoring(svc: Services, version: ModelVersion): Promise<{
  normalise: boolean; scoreRule: ScoreRule; input: InputMode; layout: BankLayout; cropKind: CropKind | null; baseline: MapBaseline; channelWeights: number[] | null;
  brightness: number | null;
}> {
  const dir = await bankDir(svc, version);
  const meta = dir ? readBankMeta(dir) : null;
  return {
    normalise: !!meta?.norm, scoreRule: meta?.scoreRule ?? "percentile", input: meta ? bankInputMode(meta.backbone) : "square", layout: meta?.layout ?? "global",
    cropKind: cropKindOf(meta ?? {}) ?? null,
    baseline: meta?.baseline ?? "none", channelWeights: meta?.channelWeights ?? null, brightness: meta?.brightness ?? null,
  };
}

export type RoiModelState = {
  fitted: boolean;
  calibrated: boolean;
  version: ModelVersion | null;
  calibration: Calibration | null;
  reason?: string;
};

/** "Calibrated": the calibration belongs to this version and has a threshold > 0. */
export function calibrationApplies(version: ModelVersion | null, calibration: Calibration | null): calibration is Calibration {
  return !!version && !!calibration && calibration.modelVersionId === version.id && calibration.threshold > 0;
}

/**
 * One rule for "fitted" used by /state and every scoring path alike (§8 #4): the ROI has an active, ready version
 * whose artifact loads and matches the running backbone. "calibrated": that version has an active calibration > 0.
 */
export async function roiModelState(svc: Services, roi: RoiWithActive | null): Promise<RoiModelState> {
  const version = roi?.activeModelVersion ?? null;
  const calibration = roi?.activeCalibration ?? null;
  if (!roi || !version || version.status !== "ready") return { fitted: false, calibrated: false, version, calibration, reason: "no_active_version" };
  try {
    await checkVersionArtifact(svc, version);
  } catch (e) {
    return { fitted: false, calibrated: false, version, calibration, reason: (e as Error).message };
  }
  const calibrated = calibrationApplies(version, calibration);
  return { fitted: true, calibrated, version, calibration: calibrated ? calibration : null };
}

/** The ROI's fitted version (not_fitted otherwise) and its calibration (calibration_missing when required and absent). */
export async function requireFitted(
  svc: Services,
  roi: RoiWithActive | null,
  opts: { calibrated: boolean },
): Promise<{ roi: RoiWithActive; state: RoiModelState; version: ModelVersion; calibration: Calibration | null }> {
  const state = await roiModelState(svc, roi);
  if (!roi || !state.fitted || !state.version) throw new ServiceError("not_fitted", "the ROI has no usable fitted model version");
  if (opts.calibrated && !state.calibrated) throw new ServiceError("calibration_missing", "the ROI's active model version has no calibration");
  return { roi, state, version: state.version, calibration: state.calibration };
}

/** The mm/px of a ROI when a request names none: the ROI's own, else its recipe's lock, else undefined. */
export async function roiMmPerPx(svc: Services, roi: Pick<Roi, "recipeId" | "mmPerPx">, requested?: number | null): Promise<number | undefined> {
  if (requested != null) return requested;
  if (roi.mmPerPx != null) return roi.mmPerPx;
  return (await findRecipe(svc.ctx.db.prisma, roi.recipeId))?.mmPerPx ?? undefined;
}

/**
 * Asks the scoring process to load an activated version's bank and build its search index in the background (the
 * int8 session costs ~130 ms for a 12k bank): the line's next /infer then runs at full speed. Best effort.
 */
export function prepareForScoring(svc: Services, version: ModelVersion): void {
  const b = svc.ctx.backbone.ready;
  if (!version.artifactPath || !b) return;
  void bankDir(svc, version).then((dir) => svc.scorer.run({ op: "prepare", backboneSha256: b.sha256, bankDir: dir! })).catch((err: unknown) =>
    svc.ctx.log?.warn?.({ err: (err as Error)?.message, version: version.id }, "could not prepare the bank for scoring"));
}

/**
 * Tells every process holding this ROI's model state that it changed (in plant mode every replica, through
 * PostgreSQL NOTIFY). Best effort: the change itself is committed; a replica that misses it still reads the active
 * version and threshold from the database on every request.
 */
export async function announceModelChange(svc: Services, change: Omit<ModelChange, "from">): Promise<void> {
  await svc.changes.announce(change).catch((err: unknown) =>
    svc.ctx.log?.warn?.({ err: (err as Error)?.message, ...change }, "could not announce a model change"));
}

/**
 * What a replica does when a ROI's model changed anywhere. The active version and its threshold are read from the
 * database on every /state and /infer (nothing in this process can go stale); the scoring processes hold banks,
 * keyed by artifact folder (a version's bank never changes): the newly active version's bank is loaded there at
 * once, so this replica's next /infer on the ROI scores with it at full speed.
 */
export function watchModelChanges(svc: Services): void {
  svc.changes.on("change", (c: ModelChange) => {
    if (c.change === "threshold" || c.from === svc.ctx.config.replicaId) return; // same bank / prepared by the sender
    void findModelVersion(svc.ctx.db.prisma, c.versionId).then((v) => {
      if (v) prepareForScoring(svc, v);
    }, () => undefined);
  });
}
