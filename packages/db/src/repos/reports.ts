// The numbers of a shift report: one ROI's inspections in a time window counted by decision and review outcome, and
// the changes of the threshold in force (from the audit log, where every activation is recorded with its pointers).
// And what the line judged under one calibration: counts against the false-reject rate it promised, and its most
// recent scores against the calibration's OK scores.
import type { LineCounts } from "@bdi/core/calibration/line-promise";
import { LINE_SOURCE } from "@bdi/core/schemas/common";
import { parseJson, type Queryable } from "./common.ts";

export type ThresholdChange = {
  at: Date;
  actor: string;
  reason: string | null;
  /** "calibration.activate" (a threshold saved or re-activated) or "model_version.activate" (a fit, a rollback) */
  action: string;
  fromThreshold: number | null;
  toThreshold: number | null;
  versionNumber: number | null;
};

export type ShiftCounts = {
  inspections: { total: number; ok: number; ng: number };
  /** by review status: pending, confirmed_ng, false_positive, relabelled_ok, relabelled_ng */
  review: Record<string, number>;
  /** the threshold in force when the window opened (null: none yet, or set before the audit log knew) */
  thresholdAtStart: number | null;
  thresholdChanges: ThresholdChange[];
};

/** Counts of `roiId`'s inspections with from ≤ createdAt < to, and the threshold changes in that window. */
export async function shiftCounts(db: Queryable, input: { roiId: string; from: Date; to: Date }): Promise<ShiftCounts> {
  const where = { roiId: input.roiId, createdAt: { gte: input.from, lt: input.to } };
  const [byDecision, byReview, calibrations, versions] = await Promise.all([
    db.inspection.groupBy({ by: ["decision"], where, _count: { _all: true } }),
    db.inspection.groupBy({ by: ["reviewStatus"], where, _count: { _all: true } }),
    db.calibration.findMany({ where: { roiId: input.roiId }, select: { id: true, threshold: true, modelVersionId: true } }),
    db.modelVersion.findMany({ where: { roiId: input.roiId }, select: { id: true, versionNumber: true } }),
  ]);
  const count = (d: string) => byDecision.find((r) => r.decision === d)?._count._all ?? 0;
  const review: Record<string, number> = {};
  for (const r of byReview) review[r.reviewStatus] = r._count._all;

  const calibrationById = new Map(calibrations.map((c) => [c.id, c]));
  const versionNumber = new Map(versions.map((v) => [v.id, v.versionNumber]));
  const events = await db.auditEvent.findMany({
    where: {
      at: { lt: input.to },
      OR: [
        { action: "calibration.activate", entityId: { in: calibrations.map((c) => c.id) } },
        { action: "model_version.activate", entityId: { in: versions.map((v) => v.id) } },
      ],
    },
    orderBy: [{ at: "asc" }, { id: "asc" }],
  });
  // The ROI's calibration pointer before and after each activation: a change when they differ.
  const pointer = (json: string | null) => {
    const o = parseJson<{ roiActiveCalibrationId?: string | null; activeCalibrationId?: string | null }>(json);
    return o?.roiActiveCalibrationId ?? o?.activeCalibrationId ?? null;
  };
  const thresholdOf = (id: string | null) => (id ? (calibrationById.get(id)?.threshold ?? null) : null);
  let thresholdAtStart: number | null = null;
  const thresholdChanges: ThresholdChange[] = [];
  for (const e of events) {
    const before = pointer(e.beforeJson);
    const after = pointer(e.afterJson);
    if (before === after) continue;
    if (e.at < input.from) {
      thresholdAtStart = thresholdOf(after);
      continue;
    }
    const cal = after ? calibrationById.get(after) : undefined;
    thresholdChanges.push({
      at: e.at, actor: e.actor, reason: e.reason, action: e.action,
      fromThreshold: thresholdOf(before), toThreshold: thresholdOf(after),
      versionNumber: cal ? (versionNumber.get(cal.modelVersionId) ?? null) : null,
    });
  }
  return { inspections: { total: count("ok") + count("ng"), ok: count("ok"), ng: count("ng") }, review, thresholdAtStart, thresholdChanges };
}

/**
 * What the line judged under one calibration, for its promise (core's `linePromise`): the calibration's inspections
 * from the line (source "legacy-infer": the dashboard's test uploads and dataset runs are not the line) by decision
 * and review outcome.
 */
export async function calibrationLineCounts(db: Queryable, calibration: { id: string }): Promise<LineCounts> {
  const rows = await db.inspection.groupBy({
    by: ["decision", "reviewStatus"],
    // answered by the index [calibrationId, source, decision, reviewStatus] alone
    where: { calibrationId: calibration.id, source: LINE_SOURCE },
    _count: { _all: true },
  });
  const c: LineCounts = { ngGood: 0, ngDefect: 0, ngPending: 0, okGood: 0, okPending: 0, okDefect: 0 };
  for (const r of rows) {
    const truth = r.reviewStatus === "pending" ? "Pending" : GOOD_PART.has(r.reviewStatus) ? "Good" : "Defect";
    c[`${r.decision === "ng" ? "ng" : "ok"}${truth}`] += r._count._all;
  }
  return c;
}

export type RecentLineScores = {
  /** newest first */
  scores: number[];
  /** when the oldest and the newest of them were judged; null without any */
  from: Date | null;
  to: Date | null;
};

/** The scores of the last `take` line inspections judged under `calibration` (with from ≤ createdAt < to if given). */
export async function recentLineScores(
  db: Queryable, calibration: { id: string }, take: number, window?: { from: Date; to: Date },
): Promise<RecentLineScores> {
  const rows = await db.inspection.findMany({
    // read newest first from the index [calibrationId, source, createdAt], `take` rows however many the line made
    where: { calibrationId: calibration.id, source: LINE_SOURCE, ...(window ? { createdAt: { gte: window.from, lt: window.to } } : {}) },
    orderBy: { createdAt: "desc" },
    take,
    select: { score: true, createdAt: true },
  });
  return { scores: rows.map((r) => r.score), from: rows.at(-1)?.createdAt ?? null, to: rows[0]?.createdAt ?? null };
}

/** Review outcomes that say the part was good (the others but "pending" say it had a defect). */
const GOOD_PART = new Set(["false_positive", "relabelled_ok"]);
