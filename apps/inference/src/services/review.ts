// Review of inspections (the dashboard's queue): list and read them, record a verdict, and add a reviewed crop to the
// ROI's dataset. Test inferences are ordinary inferences (infer.ts, source "dashboard-test").
import {
  createSample, findCalibration, findInspection, findLiveSampleOfInspection, findModelVersion, getInspection, getRoi, inTx, listInspections,
  listSamplesOfInspection, reviewInspection, type Inspection, type InspectionFilter, type PageArgs, type ReviewStatus, type Sample,
} from "@bdi/db";
import { LINE_SOURCE } from "@bdi/core";
import type { Actor, Services } from "./index.ts";
import { ServiceError } from "./errors.ts";
import { extForFormat, inspectImage, sampleRelPath } from "../resources/storage.ts";

/** The review queue: newest first (or nearest to the threshold first), filtered, cursor-paginated. */
export function listInspectionPage(svc: Services, filter: InspectionFilter & PageArgs) {
  return listInspections(svc.ctx.db.prisma, filter);
}

export function findInspectionById(svc: Services, id: string): Promise<Inspection> {
  return getInspection(svc.ctx.db.prisma, id);
}

/** An inspection by id (null when unknown). */
export function findInspectionRecord(svc: Services, id: string): Promise<Inspection | null> {
  return findInspection(svc.ctx.db.prisma, id);
}

/** One inspection with what it was judged by (ROI, version, calibration) and the samples made from its crop. */
export async function inspectionDetail(svc: Services, id: string) {
  const db = svc.ctx.db.prisma;
  const inspection = await getInspection(db, id);
  const [roi, version, calibration, samples] = await Promise.all([
    getRoi(db, inspection.roiId),
    inspection.modelVersionId ? findModelVersion(db, inspection.modelVersionId) : null,
    inspection.calibrationId ? findCalibration(db, inspection.calibrationId) : null,
    listSamplesOfInspection(db, inspection.id),
  ]);
  return { inspection, roi, version, calibration, samples };
}

/** Confirm NG, mark a false positive, or reset to pending, with an optional note (audited, reviewer = actor). */
export async function reviewVerdict(svc: Services, input: { id: string; verdict: ReviewStatus; note?: string | null }, who: Actor): Promise<Inspection> {
  return noteLineReview(svc, await reviewInspection(svc.ctx.db.prisma, { id: input.id, reviewStatus: input.verdict, note: input.note }, who));
}

/** A review of a line crop moves its calibration's promise (false rejects, misses): the line watch checks it again. */
function noteLineReview(svc: Services, inspection: Inspection): Inspection {
  if (inspection.calibrationId && inspection.source === LINE_SOURCE) svc.lineWatch.note(inspection.calibrationId);
  return inspection;
}

/**
 * Copies an inspection's stored crop into the ROI's dataset as an OK or NG sample linked to the inspection, and
 * records the review outcome (relabelled_ok / relabelled_ng unless the verdict already says the same), audited,
 * in one transaction. A second add of the same inspection is a conflict.
 */
export async function addInspectionToDataset(
  svc: Services,
  input: { inspectionId: string; label: "ok" | "ng"; note?: string },
  who: Actor,
): Promise<{ sample: Sample; inspection: Inspection }> {
  const db = svc.ctx.db.prisma;
  const insp = await getInspection(db, input.inspectionId);
  const existing = await findLiveSampleOfInspection(db, insp.id);
  if (existing)
    throw new ServiceError("conflict", `this inspection is already in the dataset as a ${existing.label.toUpperCase()} sample (${existing.fileName})`);
  if (!insp.imagePath) {
    const why = insp.evidenceExpiredAt ? "this inspection's crop expired (retention)" : "this inspection did not keep its crop";
    throw new ServiceError("bad_request", `${why}, so it cannot be added to the dataset`);
  }
  const data = await svc.store.get(insp.imagePath).catch(() => null);
  if (!data) throw new ServiceError("not_found", "the inspection's stored crop is missing from the store");
  const info = await inspectImage(data, "the inspection's crop");
  const roi = await getRoi(db, insp.roiId);
  const fileName = `insp-${insp.id}-${Date.now().toString(36)}${extForFormat(info.format)}`;
  const rel = sampleRelPath(roi.recipeId, roi.roleId, roi.roiId, input.label, info.sha256, fileName);
  await svc.store.put(rel, data);
  try {
    const added = await inTx(db, async (tx) => {
      const sample = await createSample(
        tx,
        {
          roiId: roi.id,
          label: input.label,
          source: "infer-capture",
          storedPath: rel,
          fileName,
          originalFileName: null,
          sha256: info.sha256,
          width: info.width,
          height: info.height,
          mmPerPx: insp.mmPerPx,
          shape: roi.shapeJson ? JSON.parse(roi.shapeJson) : undefined,
          clientMeta: { role_id: roi.roleId, roi_id: roi.roiId, label: input.label, filename: fileName, recipe_id: roi.recipeId, mm_per_px: insp.mmPerPx ?? undefined, inspection_id: insp.id },
          note: input.note ?? null,
          inspectionId: insp.id,
        },
        who,
      );
      const same = (input.label === "ng" && insp.reviewStatus === "confirmed_ng") || (input.label === "ok" && insp.reviewStatus === "false_positive");
      const inspection = same
        ? insp
        : await reviewInspection(tx, { id: insp.id, reviewStatus: input.label === "ok" ? "relabelled_ok" : "relabelled_ng" }, who);
      return { sample, inspection };
    });
    noteLineReview(svc, added.inspection);
    return added;
  } catch (err) {
    await svc.store.delete(rel).catch(() => undefined);
    throw err;
  }
}
