// ROIs: the unit that owns a dataset, model versions and calibrations. Roles are created with their first ROI.
import type { Calibration, ModelVersion, Roi } from "../generated/prisma/client.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { appendAudit } from "./audit.ts";
import { inSnapshot, inTx, toJson, type AuditCtx, type Queryable } from "./common.ts";
import { assertRecipeId } from "./recipes.ts";
import { nameIdProblem } from "@bdi/core/schemas/ids";

export interface RoiKey {
  recipeId: string;
  roleId: string;
  roiId: string;
}

export interface UpsertRoiInput extends RoiKey {
  /** legacy model_key; defaults to roiId */
  modelKey?: string;
  /** ROI shape (rect / circle / annulus JSON); undefined = keep */
  shape?: unknown;
  mmPerPx?: number | null;
  /** used only when the recipe is created by this call */
  recipeDisplayName?: string;
}

export type RoiWithActive = Roi & { activeModelVersion: ModelVersion | null; activeCalibration: Calibration | null };
export type RoiSummary = RoiWithActive & { counts: { ok: number; ng: number; unlabeled: number } };

const withActive = { activeModelVersion: true, activeCalibration: true } as const;

/**
 * An active version is always "ready" in committed data (activation retires the previous one and moves the pointer in
 * one transaction). Read with its include in two statements, a ROI can still show the previous pointer with that
 * version already retired: /state then said "not fitted" for a moment during a refit (plant-mode test, 1 run in 5).
 */
const consistent = (roi: RoiWithActive | null) => !roi?.activeModelVersion || roi.activeModelVersion.status === "ready";

/** The ROI(s) with their active version and calibration, read again in one snapshot when the reads straddled an activation. */
async function readWithActive<T extends RoiWithActive | null>(db: Queryable, read: (q: Queryable) => Promise<T[]>): Promise<T[]> {
  const rows = await read(db);
  return rows.every(consistent) ? rows : inSnapshot(db, read);
}

/**
 * Creates the ROI (and its recipe / role when missing) or updates the given fields.
 * Audited only when something changed, so repeated legacy uploads with the same shape write no events.
 */
export async function upsertRoi(db: Queryable, input: UpsertRoiInput, ctx: AuditCtx): Promise<{ roi: Roi; created: boolean }> {
  assertRecipeId(input.recipeId);
  if (!input.roleId || !input.roiId) throw new ValidationError("roleId and roiId are required");
  // core's id rule, whichever door the ids came through (legacy REST, tRPC, import)
  for (const [field, v] of [["role_id", input.roleId], ["roi_id", input.roiId], ["model_key", input.modelKey]] as const) {
    const problem = v === undefined ? null : nameIdProblem(field, v);
    if (problem) throw new ValidationError(problem);
  }
  return inTx(db, async (tx) => {
    if (!(await tx.recipe.findUnique({ where: { id: input.recipeId } }))) {
      const recipe = await tx.recipe.create({
        data: { id: input.recipeId, displayName: input.recipeDisplayName ?? input.recipeId },
      });
      await appendAudit(tx, { action: "recipe.create", entityType: "Recipe", entityId: recipe.id, after: recipe }, ctx);
    }
    await tx.role.upsert({
      where: { recipeId_roleId: { recipeId: input.recipeId, roleId: input.roleId } },
      create: { recipeId: input.recipeId, roleId: input.roleId },
      update: {},
    });
    const key = { recipeId: input.recipeId, roleId: input.roleId, roiId: input.roiId };
    const before = await tx.roi.findUnique({ where: { recipeId_roleId_roiId: key } });
    const shapeJson = toJson(input.shape);
    if (!before) {
      const roi = await tx.roi.create({
        data: { ...key, modelKey: input.modelKey ?? input.roiId, shapeJson: shapeJson ?? null, mmPerPx: input.mmPerPx ?? null },
      });
      await appendAudit(tx, { action: "roi.create", entityType: "Roi", entityId: roi.id, after: roi }, ctx);
      return { roi, created: true };
    }
    const changes: Partial<Pick<Roi, "modelKey" | "shapeJson" | "mmPerPx">> = {};
    if (input.modelKey !== undefined && input.modelKey !== before.modelKey) changes.modelKey = input.modelKey;
    if (shapeJson !== undefined && shapeJson !== before.shapeJson) changes.shapeJson = shapeJson;
    if (input.mmPerPx !== undefined && input.mmPerPx !== before.mmPerPx) changes.mmPerPx = input.mmPerPx;
    if (Object.keys(changes).length === 0) return { roi: before, created: false };
    const roi = await tx.roi.update({ where: { id: before.id }, data: changes });
    await appendAudit(tx, { action: "roi.update", entityType: "Roi", entityId: roi.id, before, after: roi }, ctx);
    return { roi, created: false };
  });
}

export async function findRoi(db: Queryable, key: RoiKey): Promise<RoiWithActive | null> {
  const [roi] = await readWithActive(db, async (q) => [await q.roi.findUnique({ where: { recipeId_roleId_roiId: key }, include: withActive })]);
  return roi ?? null;
}

export async function getRoi(db: Queryable, id: string): Promise<RoiWithActive> {
  const [roi] = await readWithActive(db, async (q) => [await q.roi.findUnique({ where: { id }, include: withActive })]);
  if (!roi) throw new NotFoundError("Roi", id);
  return roi;
}

/** ROIs with their active version and calibration and the number of live samples per label. */
export async function listRois(db: Queryable, filter: { recipeId?: string; roleId?: string } = {}): Promise<RoiSummary[]> {
  const rois = await readWithActive(db, (q) => q.roi.findMany({
    where: { recipeId: filter.recipeId, roleId: filter.roleId },
    include: withActive,
    orderBy: [{ recipeId: "asc" }, { roleId: "asc" }, { roiId: "asc" }],
  }));
  const groups = await db.sample.groupBy({
    by: ["roiId", "label"],
    where: { roiId: { in: rois.map((r) => r.id) }, deletedAt: null },
    _count: { _all: true },
  });
  return rois.map((roi) => {
    const counts = { ok: 0, ng: 0, unlabeled: 0 };
    for (const g of groups) {
      if (g.roiId === roi.id && g.label in counts) counts[g.label as keyof typeof counts] = g._count._all;
    }
    return { ...roi, counts };
  });
}
