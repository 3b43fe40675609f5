// Calibrations: thresholds of a model version with the scores they came from. At most one is active per version;
// the ROI's activeCalibrationId points at the active calibration of the ROI's active version.
import type { Calibration, Roi } from "../generated/prisma/client.ts";
import { ConflictError, NotFoundError, ValidationError } from "../errors.ts";
import { appendAudit } from "./audit.ts";
import { inTx, toJson, type AuditCtx, type Queryable, type TxClient } from "./common.ts";

export interface CreateCalibrationInput {
  modelVersionId: string;
  threshold: number;
  /** how the threshold was chosen, e.g. "p99_ok", "midpoint_p99ok_p5ng", "p99_ok_x1.02", "manual" */
  rule: string;
  scorePercentile: number;
  areaMm2Thr: number;
  mmPerPx?: number | null;
  okScores: number[];
  ngScores?: number[] | null;
  okStats?: unknown;
  ngStats?: unknown;
  /** true when the OK scores come from samples left out of the memory bank */
  outOfSample?: boolean;
  expectedFalseRejectRate?: number | null;
  expectedMissRate?: number | null;
  /** make it the version's active calibration (default true) */
  activate?: boolean;
}

/** Sets `calibration` active for its version, and the ROI pointer when that version is the active one. */
async function activateInTx(tx: TxClient, calibration: Calibration, ctx: AuditCtx): Promise<{ calibration: Calibration; roi: Roi }> {
  const roiBefore = await tx.roi.findUniqueOrThrow({ where: { id: calibration.roiId } });
  await tx.calibration.updateMany({
    where: { modelVersionId: calibration.modelVersionId, active: true, id: { not: calibration.id } },
    data: { active: false },
  });
  const activated = await tx.calibration.update({ where: { id: calibration.id }, data: { active: true } });
  const roi =
    roiBefore.activeModelVersionId === calibration.modelVersionId
      ? await tx.roi.update({ where: { id: roiBefore.id }, data: { activeCalibrationId: calibration.id } })
      : roiBefore;
  await appendAudit(
    tx,
    {
      action: "calibration.activate",
      entityType: "Calibration",
      entityId: calibration.id,
      before: { active: calibration.active, roiActiveCalibrationId: roiBefore.activeCalibrationId },
      after: { active: true, roiActiveCalibrationId: roi.activeCalibrationId, threshold: activated.threshold },
    },
    ctx,
  );
  return { calibration: activated, roi };
}

export async function createCalibration(db: Queryable, input: CreateCalibrationInput, ctx: AuditCtx): Promise<Calibration> {
  if (!Number.isFinite(input.threshold)) throw new ValidationError("threshold must be a finite number");
  return inTx(db, async (tx) => {
    const version = await tx.modelVersion.findUnique({ where: { id: input.modelVersionId } });
    if (!version) throw new NotFoundError("ModelVersion", input.modelVersionId);
    if (version.status !== "ready" && version.status !== "retired") {
      throw new ConflictError(`model version ${version.id} is ${version.status}; only a built version can be calibrated`, {
        id: version.id,
        status: version.status,
      });
    }
    const created = await tx.calibration.create({
      data: {
        modelVersionId: version.id,
        roiId: version.roiId,
        threshold: input.threshold,
        rule: input.rule,
        scorePercentile: input.scorePercentile,
        areaMm2Thr: input.areaMm2Thr,
        mmPerPx: input.mmPerPx ?? null,
        okScoresJson: JSON.stringify(input.okScores),
        ngScoresJson: toJson(input.ngScores) ?? null,
        okStatsJson: toJson(input.okStats) ?? null,
        ngStatsJson: toJson(input.ngStats) ?? null,
        outOfSample: input.outOfSample ?? false,
        expectedFalseRejectRate: input.expectedFalseRejectRate ?? null,
        expectedMissRate: input.expectedMissRate ?? null,
        actor: ctx.actor,
        reason: ctx.reason ?? null,
      },
    });
    await appendAudit(tx, { action: "calibration.create", entityType: "Calibration", entityId: created.id, after: created }, ctx);
    if (input.activate === false) return created;
    return (await activateInTx(tx, created, ctx)).calibration;
  });
}

export async function activateCalibration(db: Queryable, input: { id: string }, ctx: AuditCtx): Promise<{ calibration: Calibration; roi: Roi }> {
  return inTx(db, async (tx) => {
    const calibration = await tx.calibration.findUnique({ where: { id: input.id } });
    if (!calibration) throw new NotFoundError("Calibration", input.id);
    return activateInTx(tx, calibration, ctx);
  });
}

export async function findCalibration(db: Queryable, id: string): Promise<Calibration | null> {
  return db.calibration.findUnique({ where: { id } });
}

export async function getCalibration(db: Queryable, id: string): Promise<Calibration> {
  const c = await findCalibration(db, id);
  if (!c) throw new NotFoundError("Calibration", id);
  return c;
}

/** Newest first. */
export async function listCalibrations(db: Queryable, filter: { roiId?: string; modelVersionId?: string }): Promise<Calibration[]> {
  return db.calibration.findMany({
    where: { roiId: filter.roiId, modelVersionId: filter.modelVersionId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
  });
}

/** The active calibration of each version of a ROI. */
export async function listActiveCalibrations(db: Queryable, filter: { roiId: string }): Promise<Calibration[]> {
  return db.calibration.findMany({ where: { roiId: filter.roiId, active: true } });
}
