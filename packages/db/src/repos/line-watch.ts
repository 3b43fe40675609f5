// The line watch's state per calibration (the LineWatch table): read, and advanced by core's `lineWatchStep` inside
// one transaction with the audit events of the changes it reports, so that a change is reported once — by one
// request of one replica — however many see it (SQLite runs the transaction alone; PostgreSQL runs it SERIALIZABLE
// and a loser runs again from the start, reads the winner's state, and finds nothing left to report).
import {
  LINE_WATCH_ACTIONS, LINE_WATCH_STATES, lineWatchAction, type LineWatchChange, type LineWatchState,
} from "@bdi/core/calibration/line-watch";
import { appendAudit } from "./audit.ts";
import { inTx, parseJson, type AuditCtx, type Queryable } from "./common.ts";

const oneOf = <T extends string>(allowed: readonly T[], v: string | null): T | null =>
  v !== null && (allowed as readonly string[]).includes(v) ? (v as T) : null;

/** A calibration's last decided verdicts, each with when it was reported (null: never decided). */
export type LineWatchRecord = LineWatchState & { promiseSince: Date | null; shiftSince: Date | null };

export async function getLineWatch(db: Queryable, calibrationId: string): Promise<LineWatchRecord> {
  const row = await db.lineWatch.findUnique({ where: { calibrationId } });
  return {
    promise: oneOf(LINE_WATCH_STATES.promise, row?.promise ?? null),
    promiseSince: row?.promiseSince ?? null,
    shift: oneOf(LINE_WATCH_STATES.shift, row?.shift ?? null),
    shiftSince: row?.shiftSince ?? null,
  };
}

/**
 * Advances a calibration's watch: `step` maps the stored state to the next one and the changes to report; the state
 * is written when it differs, and each change is appended to the audit log as "line.<kind>" on the calibration, its
 * before / after the verdicts and `detail[kind]` (the numbers behind the new verdict). Returns the changes reported.
 */
export async function advanceLineWatch(
  db: Queryable,
  calibrationId: string,
  step: (prev: LineWatchState) => { next: LineWatchState; changes: LineWatchChange[] },
  detail: Partial<Record<LineWatchChange["kind"], Record<string, unknown>>>,
  ctx: AuditCtx,
): Promise<LineWatchChange[]> {
  return inTx(db, async (tx) => {
    const prev = await getLineWatch(tx, calibrationId);
    const { next, changes } = step({ promise: prev.promise, shift: prev.shift });
    if (next.promise === prev.promise && next.shift === prev.shift) return [];
    const now = new Date();
    const data = {
      promise: next.promise, promiseSince: next.promise === prev.promise ? prev.promiseSince : now,
      shift: next.shift, shiftSince: next.shift === prev.shift ? prev.shiftSince : now,
    };
    await tx.lineWatch.upsert({ where: { calibrationId }, create: { calibrationId, ...data }, update: data });
    for (const c of changes) {
      await appendAudit(tx, {
        action: lineWatchAction(c.kind), entityType: "Calibration", entityId: calibrationId,
        before: { verdict: c.from }, after: { verdict: c.to, alarm: c.alarm, ...(detail[c.kind] ?? {}) },
      }, ctx);
    }
    return changes;
  });
}

/** One change the line watch reported (an audit event "line.promise" / "line.shift"). */
export type LineWatchEvent = { at: Date; calibrationId: string; kind: "promise" | "shift"; from: string | null; to: string | null; alarm: boolean };

/** The changes the line watch reported for `roiId`'s calibrations with from ≤ at < to, oldest first (the shift report). */
export async function lineWatchEvents(db: Queryable, input: { roiId: string; from: Date; to: Date }): Promise<LineWatchEvent[]> {
  const calibrations = await db.calibration.findMany({ where: { roiId: input.roiId }, select: { id: true } });
  const events = await db.auditEvent.findMany({
    where: {
      action: { in: [...LINE_WATCH_ACTIONS] },
      entityType: "Calibration",
      entityId: { in: calibrations.map((c) => c.id) },
      at: { gte: input.from, lt: input.to },
    },
    orderBy: [{ at: "asc" }, { id: "asc" }],
  });
  return events.map((e) => {
    const before = parseJson<{ verdict?: string | null }>(e.beforeJson);
    const after = parseJson<{ verdict?: string | null; alarm?: boolean }>(e.afterJson);
    return {
      at: e.at, calibrationId: e.entityId, kind: e.action === lineWatchAction("promise") ? "promise" : "shift",
      from: before?.verdict ?? null, to: after?.verdict ?? null, alarm: after?.alarm === true,
    };
  });
}

/** Every ROI with an active calibration and that calibration's watch state (the /metrics alarm gauge). */
export async function activeLineWatches(db: Queryable): Promise<Array<{ recipeId: string; roleId: string; roiId: string } & LineWatchState>> {
  const rois = await db.roi.findMany({
    where: { activeCalibrationId: { not: null } },
    select: { recipeId: true, roleId: true, roiId: true, activeCalibration: { select: { lineWatch: { select: { promise: true, shift: true } } } } },
    orderBy: [{ recipeId: "asc" }, { roleId: "asc" }, { roiId: "asc" }],
  });
  return rois.map((r) => {
    const w = r.activeCalibration?.lineWatch;
    return {
      recipeId: r.recipeId, roleId: r.roleId, roiId: r.roiId,
      promise: oneOf(LINE_WATCH_STATES.promise, w?.promise ?? null), shift: oneOf(LINE_WATCH_STATES.shift, w?.shift ?? null),
    };
  });
}
