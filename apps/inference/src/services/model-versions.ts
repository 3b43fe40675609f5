// Model versions of a ROI as the dashboard manages them: list, read (lineage, calibrations, parent), activate or roll
// back (audited), and compare two versions on the same labelled set.
import { auroc } from "@bdi/core/metrics/auroc";
import { confusionAt } from "@bdi/core/calibration/rates";
import {
  activateModelVersion, findCalibration, findLastBuiltModelVersion, findModelVersion, getModelVersion, getRoi, listActiveCalibrations, listCalibrations,
  listModelVersionSamples, listModelVersions, type Calibration, type ModelVersion, type RoiWithActive,
} from "@bdi/db";
import type { Actor, Services } from "./index.ts";
import { ServiceError } from "./errors.ts";
import { activeCalibrationOf } from "./calibrate.ts";
import { labelledScores, versionPercentile } from "./labelled-scores.ts";
import { announceModelChange, checkVersionArtifact, prepareForScoring, versionScoring } from "./model-state.ts";

export function findVersion(svc: Services, id: string): Promise<ModelVersion> {
  return getModelVersion(svc.ctx.db.prisma, id);
}

/** The version named, or the ROI's active one (no_active_version when it has none). */
export async function resolveVersion(svc: Services, input: { modelVersionId?: string; roiId?: string }): Promise<ModelVersion> {
  if (input.modelVersionId) return findVersion(svc, input.modelVersionId);
  const roi = await getRoi(svc.ctx.db.prisma, input.roiId!);
  if (!roi.activeModelVersion) throw new ServiceError("no_active_version", `ROI ${roi.roleId}/${roi.roiId} has no active model version`);
  return roi.activeModelVersion;
}

/** A ROI's versions, newest first, each with its active calibration. */
export async function listRoiVersions(svc: Services, roiId: string) {
  const db = svc.ctx.db.prisma;
  const roi = await getRoi(db, roiId);
  const [versions, activeCals] = await Promise.all([listModelVersions(db, { roiId: roi.id }), listActiveCalibrations(db, { roiId: roi.id })]);
  return { roi, versions: versions.map((v) => ({ version: v, calibration: activeCals.find((c) => c.modelVersionId === v.id) ?? null })) };
}

/** One version with its ROI, lineage (deleted samples included), calibrations, parent and how it scores. */
export async function versionDetail(svc: Services, id: string) {
  const db = svc.ctx.db.prisma;
  const version = await getModelVersion(db, id);
  const [roi, samples, calibrations, parent] = await Promise.all([
    getRoi(db, version.roiId),
    listModelVersionSamples(db, { modelVersionId: version.id }),
    listCalibrations(db, { modelVersionId: version.id }),
    version.parentVersionId ? findModelVersion(db, version.parentVersionId) : null,
  ]);
  // how its scores are made, from its meta.json (a failed fit has none; an unreadable artifact says so elsewhere)
  const scoring = version.artifactPath ? await versionScoring(svc, version).catch(() => null) : null;
  return { version, roi, samples, calibrations, parent, scoring };
}

/** A version's calibrations, newest first. */
export async function versionCalibrations(svc: Services, modelVersionId: string): Promise<Calibration[]> {
  await findVersion(svc, modelVersionId);
  return listCalibrations(svc.ctx.db.prisma, { modelVersionId });
}

/**
 * Makes a version the ROI's active one (activation, or rollback to a retired version), audited. The ROI's threshold
 * follows: the version's own active calibration, or none. A built version's artifact must be intact and fit the
 * running backbone (checked from its metadata and file size; the scoring process loads the bank when first used).
 */
export async function activateVersion(svc: Services, id: string, who: Actor) {
  const db = svc.ctx.db.prisma;
  const target = await getModelVersion(db, id);
  if (target.status === "ready" || target.status === "retired") {
    try {
      await checkVersionArtifact(svc, target);
    } catch (err) {
      throw new ServiceError("precondition", `v${target.versionNumber} cannot be activated: its memory bank is unusable (${(err as Error).message})`);
    }
  }
  const r = await activateModelVersion(db, { id: target.id }, who);
  prepareForScoring(svc, r.version);
  await announceModelChange(svc, { roiId: r.roi.id, change: target.status === "retired" ? "rollback" : "activate", versionId: r.version.id });
  const calibration = r.roi.activeCalibrationId ? await findCalibration(db, r.roi.activeCalibrationId) : null;
  return { ...r, calibration };
}

/**
 * Two versions of the same ROI scored on the same labelled set (OK out-of-sample where a version trained on them),
 * with AUROC each and the confusion at each version's threshold.
 */
export async function compareVersions(svc: Services, input: { a: string; b: string }) {
  const [a, b] = await Promise.all([findVersion(svc, input.a), findVersion(svc, input.b)]);
  if (a.roiId !== b.roiId) throw new ServiceError("bad_request", "the two versions belong to different ROIs");
  const percentile = await versionPercentile(svc, a);
  const sa = await labelledScores(svc, a, { percentile });
  const sb = await labelledScores(svc, b, { percentile });
  const byId = new Map(sb.items.map((i) => [i.sampleId, i]));
  const rows = sa.items
    .filter((i) => byId.has(i.sampleId))
    .map((i) => {
      const j = byId.get(i.sampleId)!;
      return { sampleId: i.sampleId, label: i.label, fileName: i.fileName, originalFileName: i.originalFileName, scoreA: i.score, scoreB: j.score, outOfSampleA: i.outOfSample, outOfSampleB: j.outOfSample };
    });
  const summary = async (v: ModelVersion, key: "scoreA" | "scoreB") => {
    const au = auroc(rows.map((r) => r[key]), rows.map((r) => (r.label === "ng" ? 1 : 0)));
    const cal = await activeCalibrationOf(svc, v);
    const scoring = await versionScoring(svc, v);
    return {
      version: v,
      auroc: Number.isFinite(au) ? au : null,
      threshold: cal?.threshold ?? null,
      confusion: cal ? confusionAt(cal.threshold, rows.map((r) => ({ score: r[key], label: r.label }))) : null,
      scoreRule: scoring.scoreRule,
      baseline: scoring.baseline,
      channelWeights: scoring.channelWeights !== null,
      brightness: scoring.brightness !== null,
    };
  };
  return { percentile, a: await summary(a, "scoreA"), b: await summary(b, "scoreB"), rows };
}

/** The most recently finished fit of any ROI (ready or retired version). */
export function lastBuiltVersion(svc: Services): Promise<ModelVersion | null> {
  return findLastBuiltModelVersion(svc.ctx.db.prisma);
}

/** A ROI row by id, with its active version and calibration. */
export function findRoiById(svc: Services, id: string): Promise<RoiWithActive> {
  return getRoi(svc.ctx.db.prisma, id);
}
