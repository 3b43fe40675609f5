// Dashboard review operations on top of the shared infer service: a test inference on an uploaded crop
// (Inspection with source "dashboard-test"), and adding a reviewed inspection's crop to the ROI's dataset.
import { readFile } from "node:fs/promises";
import {
  createSample, findRecipe, inTx, reviewInspection, type Inspection, type RoiWithActive, type Sample,
} from "@bdi/db";
import type { Actor, Services } from "./index.ts";
import { ServiceError } from "./errors.ts";
import { inferImage, roiModelState } from "./models.ts";
import { extForFormat, inspectImage, removeQuietly, resolveInRoot, sampleRelPath, writeAtomic } from "./storage.ts";
import { roiRefOf } from "./dashboard-samples.ts";
import { DEFAULT_MM_PER_PX } from "@bdi/core";

/** Runs an inference on one uploaded crop with the ROI's active version + calibration; returns the Inspection id. */
export async function testInference(
  svc: Services,
  input: { roi: RoiWithActive; image: Buffer; fileName?: string; mmPerPx?: number; useRoiShape: boolean },
  who: Actor,
): Promise<{ inspectionId: string; calibrated: boolean }> {
  if (input.image.length > svc.ctx.config.maxUploadMb * 1024 * 1024)
    throw new ServiceError("payload_too_large", `image is over the upload limit of ${svc.ctx.config.maxUploadMb} MB`);
  const info = await inspectImage(input.image, input.fileName ? `image '${input.fileName}'` : "image");
  const state = roiModelState(svc, input.roi);
  const recipe = await findRecipe(svc.ctx.db.prisma, input.roi.recipeId);
  const mmPerPx = input.mmPerPx ?? input.roi.mmPerPx ?? recipe?.mmPerPx ?? DEFAULT_MM_PER_PX;
  const out = await inferImage(svc, {
    roi: input.roi,
    state,
    ref: await roiRefOf(svc, input.roi),
    image: input.image,
    imageSha256: info.sha256,
    shape: input.useRoiShape ? input.roi.shapeJson : null,
    mmPerPx,
    requireCalibration: true,
    source: "dashboard-test",
    requestId: who.requestId ?? undefined,
    actor: who.actor,
  });
  return { inspectionId: out.inspectionId, calibrated: out.calibrated };
}

/**
 * Copies an inspection's stored crop into the ROI's dataset as an OK or NG sample linked to the inspection, and
 * records the review outcome (relabelled_ok / relabelled_ng unless the verdict already says the same), audited,
 * in one transaction. A second add of the same inspection is a conflict.
 */
export async function addInspectionToDataset(
  svc: Services,
  input: { inspection: Inspection; label: "ok" | "ng"; note?: string },
  who: Actor,
): Promise<{ sample: Sample; inspection: Inspection }> {
  const db = svc.ctx.db.prisma;
  const insp = input.inspection;
  const existing = await db.sample.findFirst({ where: { inspectionId: insp.id, deletedAt: null } });
  if (existing)
    throw new ServiceError("conflict", `this inspection is already in the dataset as a ${existing.label.toUpperCase()} sample (${existing.fileName})`);
  if (!insp.imagePath) throw new ServiceError("bad_request", "this inspection did not keep its crop, so it cannot be added to the dataset");
  const dataRoot = svc.ctx.config.dataRoot;
  let data: Buffer;
  try {
    data = await readFile(resolveInRoot(dataRoot, insp.imagePath));
  } catch {
    throw new ServiceError("not_found", "the inspection's stored crop is missing from the data root");
  }
  const info = await inspectImage(data, "the inspection's crop");
  const roi = await db.roi.findUniqueOrThrow({ where: { id: insp.roiId } });
  const fileName = `insp-${insp.id}-${Date.now().toString(36)}${extForFormat(info.format)}`;
  const rel = sampleRelPath(roi.recipeId, roi.roleId, roi.roiId, input.label, info.sha256, fileName);
  await writeAtomic(dataRoot, rel, data);
  try {
    return await inTx(db, async (tx) => {
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
  } catch (err) {
    await removeQuietly(dataRoot, rel);
    throw err;
  }
}
