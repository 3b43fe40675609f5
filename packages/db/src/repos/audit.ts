// Audit trail: append-only events written in the same transaction as the change they describe.
import type { AuditEvent } from "../generated/prisma/client.ts";
import { dateRange, pageQuery, toJson, toPage, type AuditCtx, type Page, type PageArgs, type Queryable } from "./common.ts";

export interface AuditChange {
  /** dotted verb, e.g. "sample.relabel", "model_version.activate" */
  action: string;
  entityType: string;
  entityId: string;
  before?: unknown;
  after?: unknown;
}

export async function appendAudit(db: Queryable, change: AuditChange, ctx: AuditCtx): Promise<AuditEvent> {
  return db.auditEvent.create({
    data: {
      actor: ctx.actor,
      action: change.action,
      entityType: change.entityType,
      entityId: change.entityId,
      beforeJson: toJson(change.before) ?? null,
      afterJson: toJson(change.after) ?? null,
      requestId: ctx.requestId ?? null,
      reason: ctx.reason ?? null,
    },
  });
}

export interface AuditFilter {
  actor?: string;
  action?: string;
  /** prefix match on action, e.g. "sample." */
  actionPrefix?: string;
  entityType?: string;
  entityId?: string;
  requestId?: string;
  /** events about this ROI: the ROI itself, its model versions, calibrations and samples (not its inspections, which
   * the review queue filters) */
  roiId?: string;
  from?: Date | null;
  to?: Date | null;
}

/** The ids of the entities whose events belong to a ROI (see AuditFilter.roiId). */
async function roiEntityIds(db: Queryable, roiId: string): Promise<string[]> {
  const [versions, calibrations, samples] = await Promise.all([
    db.modelVersion.findMany({ where: { roiId }, select: { id: true } }),
    db.calibration.findMany({ where: { roiId }, select: { id: true } }),
    db.sample.findMany({ where: { roiId }, select: { id: true } }),
  ]);
  return [roiId, ...versions.map((v) => v.id), ...calibrations.map((c) => c.id), ...samples.map((x) => x.id)];
}

/** The ROI each event is about (null: not a ROI's entity, e.g. a recipe), for the ROI column of the audit log. */
export async function roisOfAuditEvents(db: Queryable, events: AuditEvent[]): Promise<Map<string, string | null>> {
  const ids = (type: string) => events.filter((e) => e.entityType === type).map((e) => e.entityId);
  const [versions, calibrations, samples, inspections, rois] = await Promise.all([
    db.modelVersion.findMany({ where: { id: { in: ids("ModelVersion") } }, select: { id: true, roiId: true } }),
    db.calibration.findMany({ where: { id: { in: ids("Calibration") } }, select: { id: true, roiId: true } }),
    db.sample.findMany({ where: { id: { in: ids("Sample") } }, select: { id: true, roiId: true } }),
    db.inspection.findMany({ where: { id: { in: ids("Inspection") } }, select: { id: true, roiId: true } }),
    db.roi.findMany({ where: { id: { in: ids("Roi") } }, select: { id: true } }),
  ]);
  const roiOf = new Map<string, string>();
  for (const r of [...versions, ...calibrations, ...samples, ...inspections]) roiOf.set(r.id, r.roiId);
  for (const r of rois) roiOf.set(r.id, r.id);
  return new Map(events.map((e) => [e.id, roiOf.get(e.entityId) ?? null]));
}

async function auditWhere(db: Queryable, f: AuditFilter) {
  const roiIds = f.roiId ? await roiEntityIds(db, f.roiId) : null;
  return {
    actor: f.actor,
    action: f.action ?? (f.actionPrefix ? { startsWith: f.actionPrefix } : undefined),
    entityType: f.entityType,
    entityId: roiIds ? (f.entityId ? (roiIds.includes(f.entityId) ? f.entityId : "-") : { in: roiIds }) : f.entityId,
    requestId: f.requestId,
    at: dateRange(f.from, f.to),
  };
}

/** Newest first. */
export async function listAuditEvents(db: Queryable, filter: AuditFilter & PageArgs = {}): Promise<Page<AuditEvent>> {
  const rows = await db.auditEvent.findMany({
    where: await auditWhere(db, filter),
    orderBy: [{ at: "desc" }, { id: "desc" }],
    ...pageQuery(filter),
  });
  return toPage(rows, filter);
}

const CSV_COLUMNS = ["at", "actor", "action", "entityType", "entityId", "requestId", "reason", "beforeJson", "afterJson"] as const;

function csvCell(value: unknown): string {
  let s = value == null ? "" : value instanceof Date ? value.toISOString() : String(value);
  // Spreadsheet formula injection: a cell starting with = + - @ would be evaluated by Excel.
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** RFC 4180 CSV with a header row. */
export function auditEventsToCsv(events: AuditEvent[]): string {
  const lines = [CSV_COLUMNS.join(",")];
  for (const e of events) lines.push(CSV_COLUMNS.map((c) => csvCell(e[c])).join(","));
  return lines.join("\r\n") + "\r\n";
}

/** All events matching the filter (newest first, at most maxRows) as CSV. */
export async function exportAuditCsv(db: Queryable, filter: AuditFilter = {}, maxRows = 100_000): Promise<string> {
  const events: AuditEvent[] = [];
  let cursor: string | null = null;
  do {
    const page: Page<AuditEvent> = await listAuditEvents(db, { ...filter, cursor, limit: 500 });
    events.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor && events.length < maxRows);
  return auditEventsToCsv(events.slice(0, maxRows));
}

export type AuditFacet = { value: string; count: number };

/** Distinct actors, actions and entity types of the audit log, with counts. */
export async function auditFacets(db: Queryable): Promise<{ actors: AuditFacet[]; actions: AuditFacet[]; entityTypes: AuditFacet[] }> {
  const [actors, actions, entityTypes] = await Promise.all([
    db.auditEvent.groupBy({ by: ["actor"], _count: { _all: true }, orderBy: { actor: "asc" } }),
    db.auditEvent.groupBy({ by: ["action"], _count: { _all: true }, orderBy: { action: "asc" } }),
    db.auditEvent.groupBy({ by: ["entityType"], _count: { _all: true }, orderBy: { entityType: "asc" } }),
  ]);
  return {
    actors: actors.map((a) => ({ value: a.actor, count: a._count._all })),
    actions: actions.map((a) => ({ value: a.action, count: a._count._all })),
    entityTypes: entityTypes.map((a) => ({ value: a.entityType, count: a._count._all })),
  };
}
