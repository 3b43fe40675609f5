// The shift report: what happened on one ROI during one shift or day, for a QA lead to hand over — inspections and
// the NG rate, the reviewers' outcomes, and every change of the threshold in force (who, when, why, from → to).
// And the promise report: whether the line sees the false-reject rate the active calibration promised, and whether
// its recent crops still score like the OK samples the calibration was made from.
import { linePromise, scoreShift, SHIFT_WINDOW, type LinePromise, type ScoreShift } from "@bdi/core";
import {
  calibrationLineCounts, getLineWatch, getRoi, lineWatchEvents, recentLineScores, shiftCounts, type Calibration, type LineWatchEvent,
  type LineWatchRecord, type ThresholdChange,
} from "@bdi/db";
import type { Services } from "./index.ts";
import { calibrationScores, promisesOf } from "./calibrate.ts";

export type ShiftReport = {
  roi: { id: string; recipeId: string; roleId: string; roiId: string };
  from: Date;
  to: Date;
  inspections: { total: number; ok: number; ng: number; /** ng / total; null without inspections */ ngRate: number | null };
  /**
   * The window's line crops judged under the active calibration against its OK scores (the last `SHIFT_WINDOW` of
   * them); null without an active calibration. Crops judged under an earlier threshold are not in it.
   */
  scores: LineScoreShift | null;
  review: { pending: number; confirmedNg: number; falsePositive: number; relabelledOk: number; relabelledNg: number; reviewed: number };
  thresholdAtStart: number | null;
  thresholdChanges: ThresholdChange[];
  /** what the line watch reported in the window (alarms raised and cleared), oldest first */
  lineAlarms: LineWatchEvent[];
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
    scores: roi.activeCalibration ? await calibrationScoreShift(svc, roi.activeCalibration, { from: input.from, to: input.to }) : null,
    review: { ...review, reviewed: c.inspections.total - review.pending },
    thresholdAtStart: c.thresholdAtStart,
    thresholdChanges: c.thresholdChanges,
    lineAlarms: await lineWatchEvents(db, input),
    current: { threshold: roi.activeCalibration?.threshold ?? null, versionNumber: roi.activeModelVersion?.versionNumber ?? null },
  };
}

/** The line's last crops against the calibration's OK scores, or why they cannot be compared. */
export type LineScoreShift =
  | (ScoreShift & { available: true; window: number; from: Date | null; to: Date | null })
  | { available: false; reason: string };

export type ActiveLinePromise = LinePromise & {
  calibration: { id: string; threshold: number; rule: string; createdAt: Date; outOfSample: boolean };
  versionNumber: number | null;
  scores: LineScoreShift;
  /** what the line watch last reported for this calibration, and when (line-watch.ts) */
  watch: LineWatchRecord;
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
    scores: await calibrationScoreShift(svc, cal),
    watch: await getLineWatch(db, cal.id),
  };
}

/**
 * One calibration's promise (`promisesOf`: from its threshold and scores, whenever it was stored) against the line's
 * inspections under it (the overview's verdict per ROI, too).
 */
export async function calibrationPromise(
  svc: Services,
  cal: Pick<Calibration, "id" | "threshold" | "okScoresJson" | "ngScoresJson" | "expectedFalseRejectRate" | "expectedMissRate">,
): Promise<LinePromise> {
  return linePromise(await calibrationLineCounts(svc.ctx.db.prisma, cal), promisesOf(cal).falseRejectRate);
}

/**
 * The last `SHIFT_WINDOW` line crops judged under a calibration (within `window` if given) against its OK scores
 * (`scoreShift` in core).
 */
export async function calibrationScoreShift(
  svc: Services,
  cal: Pick<Calibration, "id" | "okScoresJson" | "ngScoresJson" | "outOfSample">,
  window?: { from: Date; to: Date },
): Promise<LineScoreShift> {
  // OK crops scored by a bank fitted on them sit lower than new good crops do: every line would read "higher"
  if (!cal.outOfSample) {
    return { available: false, reason: "this calibration's OK scores were measured on the crops its bank was fitted on, which score lower than new crops; a fit or a dataset calibration measures them out of sample" };
  }
  const ok = calibrationScores(cal).ok;
  if (!ok.some(Number.isFinite)) return { available: false, reason: "this calibration has no OK scores" };
  const recent = await recentLineScores(svc.ctx.db.prisma, cal, SHIFT_WINDOW, window);
  return { available: true, window: SHIFT_WINDOW, from: recent.from, to: recent.to, ...scoreShift(recent.scores, ok) };
}
