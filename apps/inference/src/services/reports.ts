// The shift report: what happened on one ROI during one shift or day, for a QA lead to hand over — inspections and
// the NG rate, the reviewers' outcomes, and every change of the threshold in force (who, when, why, from → to).
// And the promise report: whether the line sees the false-reject rate the active calibration promised.
import { linePromise, type LinePromise } from "@bdi/core";
import { calibrationLineCounts, getRoi, shiftCounts, type ThresholdChange } from "@bdi/db";
import type { Services } from "./index.ts";

export type ShiftReport = {
  roi: { id: string; recipeId: string; roleId: string; roiId: string };
  from: Date;
  to: Date;
  inspections: { total: number; ok: number; ng: number; /** ng / total; null without inspections */ ngRate: number | null };
  review: { pending: number; confirmedNg: number; falsePositive: number; relabelledOk: number; relabelledNg: number; reviewed: number };
  thresholdAtStart: number | null;
  thresholdChanges: ThresholdChange[];
  /** the threshold in force now, and its version (the report may be read after the shift) */
  current: { threshold: number | null; versionNumber: number | null };
};

export async function shiftReport(svc: Services, input: { roiId: string; from: Date; to: Date }): Promise<ShiftReport> {
  const db = svc.ctx.db.prisma;
  const roi = await getRoi(db, input.roiId);
  const c = await shiftCounts(db, input);
  const n = (k: string) => c.review[k] ?? 0;
  const review = {
    pending: n("pending"), confirmedNg: n("confirmed_ng"), falsePositive: n("false_positive"),
    relabelledOk: n("relabelled_ok"), relabelledNg: n("relabelled_ng"),
  };
  return {
    roi: { id: roi.id, recipeId: roi.recipeId, roleId: roi.roleId, roiId: roi.roiId },
    from: input.from,
    to: input.to,
    inspections: { ...c.inspections, ngRate: c.inspections.total ? c.inspections.ng / c.inspections.total : null },
    review: { ...review, reviewed: c.inspections.total - review.pending },
    thresholdAtStart: c.thresholdAtStart,
    thresholdChanges: c.thresholdChanges,
    current: { threshold: roi.activeCalibration?.threshold ?? null, versionNumber: roi.activeModelVersion?.versionNumber ?? null },
  };
}

export type ActiveLinePromise = LinePromise & {
  calibration: { id: string; threshold: number; rule: string; createdAt: Date; outOfSample: boolean };
  versionNumber: number | null;
};

/**
 * The ROI's active calibration against what the line (the legacy client's `/infer`) judged under it and what the
 * reviewers found; null without an active calibration.
 */
export async function activeLinePromise(svc: Services, roiId: string): Promise<ActiveLinePromise | null> {
  const db = svc.ctx.db.prisma;
  const roi = await getRoi(db, roiId);
  const cal = roi.activeCalibration;
  if (!cal) return null;
  return {
    ...(await calibrationPromise(svc, cal)),
    calibration: { id: cal.id, threshold: cal.threshold, rule: cal.rule, createdAt: cal.createdAt, outOfSample: cal.outOfSample },
    versionNumber: roi.activeModelVersion?.versionNumber ?? null,
  };
}

/** One calibration's promise against the line's inspections under it (the overview's verdict per ROI, too). */
export async function calibrationPromise(
  svc: Services,
  cal: { id: string; expectedFalseRejectRate: number | null },
): Promise<LinePromise> {
  return linePromise(await calibrationLineCounts(svc.ctx.db.prisma, cal), cal.expectedFalseRejectRate);
}
