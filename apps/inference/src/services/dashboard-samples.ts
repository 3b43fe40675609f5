// Dashboard dataset operations on top of the shared sample services: multi-upload into a ROI (existing or new),
// and bulk relabel / delete / restore in one transaction (all or nothing, one audit event per sample).
import {
  findRecipe, getRoi, inTx, relabelSample, restoreSample, setSampleNote, softDeleteSample,
  type Roi, type Sample, type SampleLabel,
} from "@bdi/db";
import type { Actor, Services } from "./index.ts";
import { ServiceError } from "./errors.ts";
import { uploadSamples, type RoiRef } from "./samples.ts";

/** The legacy reference of a ROI row (what the shared services address ROIs by). */
export async function roiRefOf(svc: Services, roi: Roi): Promise<RoiRef> {
  const recipe = await findRecipe(svc.ctx.db.prisma, roi.recipeId);
  return { recipeId: roi.recipeId, recipeDisplayName: recipe?.displayName, roleId: roi.roleId, roiId: roi.roiId, modelKey: roi.modelKey };
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
  let roiMm: number | null = null;
  if (input.roiId) {
    const roi = await getRoi(svc.ctx.db.prisma, input.roiId);
    ref = await roiRefOf(svc, roi);
    roiMm = roi.mmPerPx;
  } else {
    ref = { recipeId: input.recipeId!, roleId: input.roleId!, roiId: input.roiName! };
  }
  const recipe = await findRecipe(svc.ctx.db.prisma, ref.recipeId);
  const files = [];
  for (const f of input.files) files.push({ data: Buffer.from(await f.arrayBuffer()), filename: f.name || "upload", meta: null });
  const res = await uploadSamples(
    svc,
    { ref, label: input.label, source: "dashboard", files, defaultMmPerPx: input.mmPerPx ?? roiMm ?? recipe?.mmPerPx ?? undefined },
    who,
  );
  if (input.note) {
    const noted: Sample[] = [];
    for (const s of res.samples) noted.push(await setSampleNote(svc.ctx.db.prisma, { sampleId: s.id, note: input.note }, who));
    return { roi: res.roi, samples: noted };
  }
  return res;
}

export type BulkAction = { action: "relabel"; ids: string[]; label: SampleLabel } | { action: "delete"; ids: string[] } | { action: "restore"; ids: string[] };

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
