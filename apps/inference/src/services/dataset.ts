// The dashboard's dataset curation on top of the sample store (samples.ts): list and read samples, multi-upload into
// a ROI (existing or new), relabel / delete / restore / annotate one sample or many in one transaction (all or
// nothing, one audit event per sample).
import { ngRegionProblem, type NgRegion } from "@bdi/core/dashboard/samples";
import {
  findSample, getRoi, getSample, inTx, listSampleModelVersions, listSamples, relabelSample, restoreSample, setSampleNgRegions, setSampleNote,
  softDeleteSample, type ModelVersion, type PageArgs, type Roi, type Sample, type SampleFilter, type SampleLabel,
} from "@bdi/db";
import type { Actor, Services } from "./index.ts";
import { ServiceError } from "./errors.ts";
import { roiMmPerPx } from "./model-state.ts";
import { roiRefOf, uploadSamples, type RoiRef } from "./samples.ts";

/** Samples of one ROI, newest first (not_found for an unknown ROI rather than an empty page). */
export async function listRoiSamples(svc: Services, filter: SampleFilter & PageArgs & { roiId: string }) {
  await getRoi(svc.ctx.db.prisma, filter.roiId);
  return listSamples(svc.ctx.db.prisma, filter);
}

/** A sample by id, deleted ones included (null when unknown). */
export function findSampleRecord(svc: Services, id: string): Promise<Sample | null> {
  return findSample(svc.ctx.db.prisma, id);
}

/** One sample with the model versions it trained. */
export async function sampleWithVersions(svc: Services, id: string): Promise<{ sample: Sample; versions: ModelVersion[] }> {
  const sample = await getSample(svc.ctx.db.prisma, id);
  return { sample, versions: await listSampleModelVersions(svc.ctx.db.prisma, { sampleId: sample.id }) };
}

/** One change to one sample (audited). */
export type SampleEdit =
  | { action: "relabel"; label: SampleLabel }
  | { action: "delete" }
  | { action: "restore" }
  | { action: "note"; note: string | null };

export function editSample(svc: Services, sampleId: string, edit: SampleEdit, who: Actor): Promise<Sample> {
  const db = svc.ctx.db.prisma;
  if (edit.action === "relabel") return relabelSample(db, { sampleId, label: edit.label }, who);
  if (edit.action === "delete") return softDeleteSample(db, { sampleId }, who);
  if (edit.action === "restore") return restoreSample(db, { sampleId }, who);
  return setSampleNote(db, { sampleId, note: edit.note }, who);
}

/** Ground-truth defect regions of an NG sample (crop pixels); null clears them. */
export async function setNgRegions(svc: Services, input: { sampleId: string; regions: NgRegion[] | null }, who: Actor): Promise<Sample> {
  const db = svc.ctx.db.prisma;
  const s = await getSample(db, input.sampleId);
  if (input.regions) {
    if (s.label !== "ng")
      throw new ServiceError("precondition", `NG regions can only be drawn on an NG sample (this one is ${s.label.toUpperCase()})`);
    const problem = ngRegionProblem(input.regions, s.width, s.height);
    if (problem) throw new ServiceError("bad_request", problem);
  }
  return setSampleNgRegions(db, { sampleId: s.id, regions: input.regions }, who);
}

export type DashboardUploadInput = {
  roiId?: string;
  recipeId?: string;
  roleId?: string;
  roiName?: string;
  label: SampleLabel;
  mmPerPx?: number;
  note?: string;
  files: Array<{ name: string; size: number; arrayBuffer(): Promise<ArrayBuffer> }>;
};

/** Stores the files as samples of one ROI (all or nothing; the ROI is created for a new recipe/role/roi name). */
export async function dashboardUpload(svc: Services, input: DashboardUploadInput, who: Actor): Promise<{ roi: Roi; samples: Sample[] }> {
  const limit = svc.ctx.config.maxUploadMb * 1024 * 1024;
  const total = input.files.reduce((s, f) => s + f.size, 0);
  if (total > limit)
    throw new ServiceError("payload_too_large", `upload of ${(total / 1048576).toFixed(1)} MB is over the limit of ${svc.ctx.config.maxUploadMb} MB`);

  let ref: RoiRef;
  let defaultMmPerPx: number | undefined;
  if (input.roiId) {
    const roi = await getRoi(svc.ctx.db.prisma, input.roiId);
    ref = await roiRefOf(svc, roi);
    defaultMmPerPx = await roiMmPerPx(svc, roi, input.mmPerPx);
  } else {
    ref = { recipeId: input.recipeId!, roleId: input.roleId!, roiId: input.roiName! };
    defaultMmPerPx = await roiMmPerPx(svc, { recipeId: ref.recipeId, mmPerPx: null }, input.mmPerPx);
  }
  const files = [];
  for (const f of input.files) files.push({ data: Buffer.from(await f.arrayBuffer()), filename: f.name || "upload", meta: null });
  const res = await uploadSamples(svc, { ref, label: input.label, source: "dashboard", files, defaultMmPerPx }, who);
  if (input.note) {
    const noted: Sample[] = [];
    for (const s of res.samples) noted.push(await setSampleNote(svc.ctx.db.prisma, { sampleId: s.id, note: input.note }, who));
    return { roi: res.roi, samples: noted };
  }
  return res;
}

type BulkAction = { action: "relabel"; ids: string[]; label: SampleLabel } | { action: "delete"; ids: string[] } | { action: "restore"; ids: string[] };

/** Applies one action to many samples in a single transaction: any failure (missing id, deleted sample) changes nothing. */
export async function bulkSamples(svc: Services, input: BulkAction, who: Actor): Promise<Sample[]> {
  const ids = [...new Set(input.ids)];
  return inTx(svc.ctx.db.prisma, async (tx) => {
    const out: Sample[] = [];
    for (const id of ids) {
      if (input.action === "relabel") out.push(await relabelSample(tx, { sampleId: id, label: input.label }, who));
      else if (input.action === "delete") out.push(await softDeleteSample(tx, { sampleId: id }, who));
      else out.push(await restoreSample(tx, { sampleId: id }, who));
    }
    return out;
  });
}
