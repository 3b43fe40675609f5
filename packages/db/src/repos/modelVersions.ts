// Model versions: immutable fitted memory banks. A version is built ("building"), then "ready" or "failed";
// activating one flips the ROI's pointer and retires the previously active one, in one transaction.
import type { ModelVersion, Roi, Sample } from "../generated/prisma/client.ts";
import type { ModelVersionStatus } from "@bdi/core/schemas/common";
import { ConflictError, NotFoundError, ValidationError } from "../errors.ts";
import { appendAudit } from "./audit.ts";
import { inTx, toJson, type AuditCtx, type Queryable, type TxClient } from "./common.ts";

export interface CreateModelVersionInput {
  roiId: string;
  backboneId: string;
  backboneSha256: string;
  inputSize: number;
  featureLayers: string[];
  coresetRateRequested: number;
  /** the version this one was refitted from, if any */
  parentVersionId?: string | null;
  /** lineage: the samples that train it (can also be added later with addModelVersionSamples) */
  sampleIds?: string[];
}

async function loadVersion(tx: Queryable, id: string): Promise<ModelVersion> {
  const v = await tx.modelVersion.findUnique({ where: { id } });
  if (!v) throw new NotFoundError("ModelVersion", id);
  return v;
}

async function insertLineage(tx: TxClient, version: ModelVersion, sampleIds: string[]): Promise<number> {
  const unique = [...new Set(sampleIds)];
  if (unique.length === 0) return 0;
  const samples = await tx.sample.findMany({ where: { id: { in: unique } }, select: { id: true, roiId: true } });
  const missing = unique.filter((id) => !samples.some((s) => s.id === id));
  if (missing.length) throw new NotFoundError("Sample", missing.join(", "));
  const foreign = samples.filter((s) => s.roiId !== version.roiId).map((s) => s.id);
  if (foreign.length) throw new ValidationError(`samples of another ROI cannot train this version: ${foreign.join(", ")}`);
  const existing = await tx.modelVersionSample.findMany({ where: { modelVersionId: version.id }, select: { sampleId: true } });
  const known = new Set(existing.map((e) => e.sampleId));
  const data = unique.filter((id) => !known.has(id)).map((sampleId) => ({ modelVersionId: version.id, sampleId }));
  if (data.length) await tx.modelVersionSample.createMany({ data });
  return data.length;
}

/** Creates the next version number of the ROI in status "building". */
export async function createModelVersion(db: Queryable, input: CreateModelVersionInput, ctx: AuditCtx): Promise<ModelVersion> {
  if (!(input.coresetRateRequested > 0 && input.coresetRateRequested <= 1)) {
    throw new ValidationError("coresetRateRequested must be in (0, 1]");
  }
  return inTx(db, async (tx) => {
    if (!(await tx.roi.findUnique({ where: { id: input.roiId }, select: { id: true } }))) {
      throw new NotFoundError("Roi", input.roiId);
    }
    if (input.parentVersionId) {
      const parent = await loadVersion(tx, input.parentVersionId);
      if (parent.roiId !== input.roiId) throw new ValidationError("the parent version belongs to another ROI");
    }
    const last = await tx.modelVersion.aggregate({ where: { roiId: input.roiId }, _max: { versionNumber: true } });
    const version = await tx.modelVersion.create({
      data: {
        roiId: input.roiId,
        versionNumber: (last._max.versionNumber ?? 0) + 1,
        status: "building",
        backboneId: input.backboneId,
        backboneSha256: input.backboneSha256,
        inputSize: input.inputSize,
        featureLayers: JSON.stringify(input.featureLayers),
        coresetRateRequested: input.coresetRateRequested,
        parentVersionId: input.parentVersionId ?? null,
        actor: ctx.actor,
      },
    });
    const nSamples = await insertLineage(tx, version, input.sampleIds ?? []);
    await appendAudit(
      tx,
      { action: "model_version.create", entityType: "ModelVersion", entityId: version.id, after: { ...version, nSamples } },
      ctx,
    );
    return version;
  });
}

export interface ModelVersionReadyInput {
  id: string;
  nEmbeddings: number;
  coresetSize: number;
  coresetRateApplied: number;
  tokenShape: number[];
  /** relative to the data root; written completely before this call */
  artifactPath: string;
  timings?: unknown;
  /** the fit's memory layout ("global" | "positional") and its registration probe's share, when it ran */
  memoryLayout?: string;
  registrationShare?: number | null;
}

async function finishBuild(
  db: Queryable,
  id: string,
  action: string,
  data: Partial<ModelVersion>,
  ctx: AuditCtx,
): Promise<ModelVersion> {
  return inTx(db, async (tx) => {
    const before = await loadVersion(tx, id);
    if (before.status !== "building") {
      throw new ConflictError(`model version ${id} is ${before.status}, not building`, { id, status: before.status });
    }
    const after = await tx.modelVersion.update({ where: { id }, data });
    await appendAudit(tx, { action, entityType: "ModelVersion", entityId: id, before, after }, ctx);
    return after;
  });
}

export async function markModelVersionReady(db: Queryable, input: ModelVersionReadyInput, ctx: AuditCtx): Promise<ModelVersion> {
  return finishBuild(
    db,
    input.id,
    "model_version.ready",
    {
      status: "ready",
      nEmbeddings: input.nEmbeddings,
      coresetSize: input.coresetSize,
      coresetRateApplied: input.coresetRateApplied,
      tokenShapeJson: JSON.stringify(input.tokenShape),
      artifactPath: input.artifactPath,
      timingsJson: toJson(input.timings) ?? null,
      memoryLayout: input.memoryLayout ?? null,
      registrationShare: input.registrationShare ?? null,
    },
    ctx,
  );
}

export async function markModelVersionFailed(
  db: Queryable,
  input: { id: string; error: string; timings?: unknown },
  ctx: AuditCtx,
): Promise<ModelVersion> {
  return finishBuild(
    db,
    input.id,
    "model_version.fail",
    { status: "failed", error: input.error, timingsJson: toJson(input.timings) ?? null },
    ctx,
  );
}

export interface ActivationResult {
  roi: Roi;
  version: ModelVersion;
  /** the version that was active before (now "retired"), if any */
  previous: ModelVersion | null;
}

/**
 * Makes a ready (or previously retired: rollback) version the ROI's active one. The ROI's active calibration
 * follows: it becomes this version's active calibration, or null until one is created.
 */
export async function activateModelVersion(db: Queryable, input: { id: string }, ctx: AuditCtx): Promise<ActivationResult> {
  return inTx(db, async (tx) => {
    const target = await loadVersion(tx, input.id);
    if (target.status !== "ready" && target.status !== "retired") {
      throw new ConflictError(`model version ${target.id} is ${target.status}; only ready or retired versions can be activated`, {
        id: target.id,
        status: target.status,
      });
    }
    const roiBefore = await tx.roi.findUniqueOrThrow({ where: { id: target.roiId } });
    if (roiBefore.activeModelVersionId === target.id) return { roi: roiBefore, version: target, previous: null };

    const now = new Date();
    let previous: ModelVersion | null = null;
    if (roiBefore.activeModelVersionId) {
      previous = await tx.modelVersion.update({
        where: { id: roiBefore.activeModelVersionId },
        data: { status: "retired", retiredAt: now },
      });
    }
    const version = await tx.modelVersion.update({
      where: { id: target.id },
      data: { status: "ready", activatedAt: now, retiredAt: null },
    });
    const calibration = await tx.calibration.findFirst({
      where: { modelVersionId: target.id, active: true },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    });
    const roi = await tx.roi.update({
      where: { id: target.roiId },
      data: { activeModelVersionId: target.id, activeCalibrationId: calibration?.id ?? null },
    });
    const pointers = (r: Roi) => ({ activeModelVersionId: r.activeModelVersionId, activeCalibrationId: r.activeCalibrationId });
    await appendAudit(
      tx,
      {
        action: "model_version.activate",
        entityType: "ModelVersion",
        entityId: target.id,
        before: { roiId: roiBefore.id, ...pointers(roiBefore), status: target.status },
        after: { roiId: roi.id, ...pointers(roi), status: version.status, retiredVersionId: previous?.id ?? null },
      },
      ctx,
    );
    return { roi, version, previous };
  });
}

export async function findModelVersion(db: Queryable, id: string): Promise<ModelVersion | null> {
  return db.modelVersion.findUnique({ where: { id } });
}

export async function getModelVersion(db: Queryable, id: string): Promise<ModelVersion> {
  return loadVersion(db, id);
}

export type ModelVersionListItem = ModelVersion & { _count: { samples: number; calibrations: number } };

/** Versions of a ROI, newest first, with lineage and calibration counts. */
export async function listModelVersions(db: Queryable, input: { roiId: string; status?: string }): Promise<ModelVersionListItem[]> {
  return db.modelVersion.findMany({
    where: { roiId: input.roiId, status: input.status },
    orderBy: { versionNumber: "desc" },
    include: { _count: { select: { samples: true, calibrations: true } } },
  });
}

/** Adds training samples to a version that is still building (a finished version is immutable). Returns how many were new. */
export async function addModelVersionSamples(
  db: Queryable,
  input: { modelVersionId: string; sampleIds: string[] },
  ctx: AuditCtx,
): Promise<number> {
  return inTx(db, async (tx) => {
    const version = await loadVersion(tx, input.modelVersionId);
    if (version.status !== "building") {
      throw new ConflictError(`model version ${version.id} is ${version.status}; lineage is frozen`, { id: version.id });
    }
    const added = await insertLineage(tx, version, input.sampleIds);
    if (added > 0) {
      await appendAudit(
        tx,
        { action: "model_version.add_samples", entityType: "ModelVersion", entityId: version.id, after: { added } },
        ctx,
      );
    }
    return added;
  });
}

/** The samples that trained a version (deleted ones included: lineage is history). */
export async function listModelVersionSamples(db: Queryable, input: { modelVersionId: string }): Promise<Sample[]> {
  const links = await db.modelVersionSample.findMany({
    where: { modelVersionId: input.modelVersionId },
    include: { sample: true },
  });
  return links.map((l) => l.sample).sort((a, b) => +a.createdAt - +b.createdAt || a.id.localeCompare(b.id));
}

/** The versions a sample helped train, newest first. */
export async function listSampleModelVersions(db: Queryable, input: { sampleId: string }): Promise<ModelVersion[]> {
  const links = await db.modelVersionSample.findMany({ where: { sampleId: input.sampleId }, include: { modelVersion: true } });
  return links.map((l) => l.modelVersion).sort((a, b) => +b.createdAt - +a.createdAt);
}

/** Ids of the samples that trained a version. */
export async function listModelVersionSampleIds(db: Queryable, modelVersionId: string): Promise<Set<string>> {
  const links = await db.modelVersionSample.findMany({ where: { modelVersionId }, select: { sampleId: true } });
  return new Set(links.map((l) => l.sampleId));
}

/** The most recently created version that finished building (ready or retired), of any ROI. */
export async function findLastBuiltModelVersion(db: Queryable): Promise<ModelVersion | null> {
  return db.modelVersion.findFirst({ where: { status: { in: ["ready", "retired"] } }, orderBy: { createdAt: "desc" } });
}

/** Every version in one status across all ROIs (start-up recovery: builds a crash interrupted). */
export async function listModelVersionsInStatus(db: Queryable, status: ModelVersionStatus): Promise<ModelVersion[]> {
  return db.modelVersion.findMany({ where: { status }, orderBy: { createdAt: "asc" } });
}

/** The versions with these ids (missing ids are simply absent). */
export async function findModelVersionsByIds(db: Queryable, ids: string[]): Promise<ModelVersion[]> {
  return ids.length ? db.modelVersion.findMany({ where: { id: { in: ids } } }) : [];
}
