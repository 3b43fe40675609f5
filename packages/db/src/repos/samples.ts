// Dataset samples of a ROI. Deletion is soft (deletedAt) so that model lineage and the audit trail stay valid.
import type { Prisma, Sample } from "../generated/prisma/client.ts";
import { ConflictError, NotFoundError, ValidationError } from "../errors.ts";
import { assertOneOf, SAMPLE_LABELS, SAMPLE_SOURCES, type SampleLabel, type SampleSource } from "../enums.ts";
import { appendAudit } from "./audit.ts";
import {
  dateRange, inTx, pageQuery, toJson, toPage, type AuditCtx, type Page, type PageArgs, type Queryable,
} from "./common.ts";

export interface CreateSampleInput {
  roiId: string;
  label: SampleLabel;
  source: SampleSource;
  /** relative to the data root */
  storedPath: string;
  /** stored base name (what the legacy /datasets API lists) */
  fileName: string;
  originalFileName?: string | null;
  sha256: string;
  width: number;
  height: number;
  mmPerPx?: number | null;
  shape?: unknown;
  /** the client's metadata as sent (legacy metas[i]) */
  clientMeta?: unknown;
  note?: string | null;
  ngRegions?: unknown;
  inspectionId?: string | null;
}

export async function createSample(db: Queryable, input: CreateSampleInput, ctx: AuditCtx): Promise<Sample> {
  assertOneOf("label", SAMPLE_LABELS, input.label);
  assertOneOf("source", SAMPLE_SOURCES, input.source);
  if (!(input.width > 0 && input.height > 0)) throw new ValidationError("sample width and height must be > 0");
  return inTx(db, async (tx) => {
    const sample = await tx.sample.create({
      data: {
        roiId: input.roiId,
        label: input.label,
        source: input.source,
        storedPath: input.storedPath,
        fileName: input.fileName,
        originalFileName: input.originalFileName ?? null,
        sha256: input.sha256,
        width: input.width,
        height: input.height,
        mmPerPx: input.mmPerPx ?? null,
        shapeJson: toJson(input.shape) ?? null,
        clientMetaJson: toJson(input.clientMeta) ?? null,
        note: input.note ?? null,
        ngRegionsJson: toJson(input.ngRegions) ?? null,
        inspectionId: input.inspectionId ?? null,
      },
    });
    await appendAudit(tx, { action: "sample.create", entityType: "Sample", entityId: sample.id, after: sample }, ctx);
    return sample;
  });
}

export async function findSample(db: Queryable, id: string): Promise<Sample | null> {
  return db.sample.findUnique({ where: { id } });
}

export async function getSample(db: Queryable, id: string): Promise<Sample> {
  const s = await findSample(db, id);
  if (!s) throw new NotFoundError("Sample", id);
  return s;
}

export interface SampleFilter {
  roiId?: string;
  label?: SampleLabel;
  source?: SampleSource;
  /** createdAt ≥ from */
  from?: Date | null;
  /** createdAt < to */
  to?: Date | null;
  /** default "exclude" */
  deleted?: "exclude" | "include" | "only";
}

function sampleWhere(f: SampleFilter) {
  const deleted = f.deleted ?? "exclude";
  return {
    roiId: f.roiId,
    label: f.label,
    source: f.source,
    createdAt: dateRange(f.from, f.to),
    deletedAt: deleted === "exclude" ? null : deleted === "only" ? { not: null } : undefined,
  };
}

/** Newest first, cursor-paginated. */
export async function listSamples(db: Queryable, filter: SampleFilter & PageArgs = {}): Promise<Page<Sample>> {
  const rows = await db.sample.findMany({
    where: sampleWhere(filter),
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    ...pageQuery(filter),
  });
  return toPage(rows, filter);
}

/** Every live sample of a ROI with one label, oldest first: the input of a fit or a calibration. */
export async function listDatasetSamples(db: Queryable, input: { roiId: string; label: SampleLabel }): Promise<Sample[]> {
  return db.sample.findMany({
    where: { roiId: input.roiId, label: input.label, deletedAt: null },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
}

export async function findSamplesBySha256(
  db: Queryable,
  input: { sha256: string; roiId?: string; includeDeleted?: boolean },
): Promise<Sample[]> {
  return db.sample.findMany({
    where: { sha256: input.sha256, roiId: input.roiId, deletedAt: input.includeDeleted ? undefined : null },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
  });
}

/** The newest sample of the ROI stored under this file name (or, failing that, sent with this original name). */
export async function findSampleByFileName(
  db: Queryable,
  input: { roiId: string; fileName: string; label?: SampleLabel; includeDeleted?: boolean },
): Promise<Sample | null> {
  const base = { roiId: input.roiId, label: input.label, deletedAt: input.includeDeleted ? undefined : null };
  const order = [{ createdAt: "desc" as const }, { id: "desc" as const }];
  return (
    (await db.sample.findFirst({ where: { ...base, fileName: input.fileName }, orderBy: order })) ??
    (await db.sample.findFirst({ where: { ...base, originalFileName: input.fileName }, orderBy: order }))
  );
}

/** Loads, applies `change`, audits before/after: the shape of every single-sample edit below. */
async function editSample(
  db: Queryable,
  sampleId: string,
  action: string,
  ctx: AuditCtx,
  change: (before: Sample) => Prisma.SampleUncheckedUpdateInput | null,
): Promise<Sample> {
  return inTx(db, async (tx) => {
    const before = await tx.sample.findUnique({ where: { id: sampleId } });
    if (!before) throw new NotFoundError("Sample", sampleId);
    const data = change(before);
    if (data === null) return before; // nothing to change: no event
    const after = await tx.sample.update({ where: { id: sampleId }, data });
    await appendAudit(tx, { action, entityType: "Sample", entityId: sampleId, before, after }, ctx);
    return after;
  });
}

/** Changes the label (and, when the storage moved the file, its path / name). */
export async function relabelSample(
  db: Queryable,
  input: { sampleId: string; label: SampleLabel; storedPath?: string; fileName?: string },
  ctx: AuditCtx,
): Promise<Sample> {
  assertOneOf("label", SAMPLE_LABELS, input.label);
  return editSample(db, input.sampleId, "sample.relabel", ctx, (s) => {
    if (s.deletedAt) throw new ConflictError(`sample ${s.id} is deleted; restore it first`, { sampleId: s.id });
    if (s.label === input.label && input.storedPath === undefined && input.fileName === undefined) return null;
    return { label: input.label, storedPath: input.storedPath, fileName: input.fileName };
  });
}

export async function softDeleteSample(db: Queryable, input: { sampleId: string }, ctx: AuditCtx): Promise<Sample> {
  return editSample(db, input.sampleId, "sample.delete", ctx, (s) => (s.deletedAt ? null : { deletedAt: new Date() }));
}

export async function restoreSample(db: Queryable, input: { sampleId: string }, ctx: AuditCtx): Promise<Sample> {
  return editSample(db, input.sampleId, "sample.restore", ctx, (s) => (s.deletedAt ? { deletedAt: null } : null));
}

export async function setSampleNote(db: Queryable, input: { sampleId: string; note: string | null }, ctx: AuditCtx): Promise<Sample> {
  return editSample(db, input.sampleId, "sample.set_note", ctx, (s) => (s.note === input.note ? null : { note: input.note }));
}

/** Ground-truth defect regions drawn in the dashboard (null clears them). */
export async function setSampleNgRegions(
  db: Queryable,
  input: { sampleId: string; regions: unknown[] | null },
  ctx: AuditCtx,
): Promise<Sample> {
  const json = toJson(input.regions) ?? null;
  return editSample(db, input.sampleId, "sample.set_ng_regions", ctx, (s) =>
    s.ngRegionsJson === json ? null : { ngRegionsJson: json },
  );
}

/** The live sample made from an inspection's crop, if any (an inspection is added to the dataset once). */
export async function findLiveSampleOfInspection(db: Queryable, inspectionId: string): Promise<Sample | null> {
  return db.sample.findFirst({ where: { inspectionId, deletedAt: null } });
}

/** Every sample made from an inspection's crop (deleted ones included), newest first. */
export async function listSamplesOfInspection(db: Queryable, inspectionId: string): Promise<Sample[]> {
  return db.sample.findMany({ where: { inspectionId }, orderBy: { createdAt: "desc" } });
}

/** What identifies a ROI's labelled set (live OK + NG samples: id, label, content, shape), in id order. */
export async function listLabelledSetKeys(
  db: Queryable,
  roiId: string,
): Promise<Array<Pick<Sample, "id" | "label" | "sha256" | "shapeJson">>> {
  return db.sample.findMany({
    where: { roiId, deletedAt: null, label: { in: ["ok", "ng"] } },
    select: { id: true, label: true, sha256: true, shapeJson: true },
    orderBy: { id: "asc" },
  });
}

/** The stored file of every sample row, deleted ones included (start-up recovery: files no row owns). */
export async function listSampleStoredPaths(db: Queryable): Promise<Set<string>> {
  const rows = await db.sample.findMany({ select: { storedPath: true } });
  return new Set(rows.map((r) => r.storedPath));
}

/** Samples by id, in the order given (undefined where an id has no row): a queued fit's training set. */
export async function findSamplesByIds(db: Queryable, ids: string[]): Promise<Array<Sample | undefined>> {
  const rows = await db.sample.findMany({ where: { id: { in: ids } } });
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id));
}
