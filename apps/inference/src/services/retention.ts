// Retention of inspection evidence: the crops and heatmaps /infer stores for review are deleted once older than
// BDI_RETENTION_DAYS, NG or reviewed ones once older than BDI_RETENTION_NG_DAYS (the longer limit); either unset =
// that kind is kept forever (both unset: the job never runs). The inspection rows stay, with their paths cleared and
// `evidenceExpiredAt` set, so the dashboard says "expired" instead of showing a broken image. Each run is one audit
// event with its counts. It runs on a timer in the service; replicas sharing a PostgreSQL database take a
// transaction-scoped advisory lock and skip a run another replica made within the last half interval, so a plant
// runs it once per interval, not once per replica.
import {
  appendAudit, lastScheduledRun, listInspectionsWithEvidenceDue, markInspectionEvidenceExpired, withRunLock, type InspectionEvidence,
} from "@bdi/db";
import type { Config } from "../config.ts";
import type { Services } from "./index.ts";

export const RETENTION_ACTION = "inspection.retention";
const RETENTION_ACTOR = "system:retention";
const DAY_MS = 24 * 60 * 60 * 1000;
const BATCH = 500;
/** The first run after a start waits this long (the service settles first), then one per BDI_RETENTION_EVERY_MIN. */
const FIRST_RUN_DELAY_MS = 60_000;

export type RetentionReport = {
  /** OK, unreviewed inspections whose evidence was deleted */
  expiredOk: number;
  /** NG or reviewed inspections whose evidence was deleted */
  expiredNgOrReviewed: number;
  filesDeleted: number;
  /** files whose delete failed (the rows no longer name them: start-up recovery removes them as orphans) */
  filesFailed: number;
};

export function retentionEnabled(config: Pick<Config, "retentionDays" | "retentionNgDays">): boolean {
  return config.retentionDays !== undefined || config.retentionNgDays !== undefined;
}

const isNgOrReviewed = (i: InspectionEvidence) => i.decision !== "ok" || i.reviewStatus !== "pending";

/**
 * One retention run at `now`: null when retention is off, when another replica holds the run, or when a run was
 * made less than half an interval ago; otherwise what it expired and deleted.
 */
export async function runRetention(svc: Services, opts: { now?: Date } = {}): Promise<RetentionReport | null> {
  const cfg = svc.ctx.config;
  if (!retentionEnabled(cfg)) return null;
  const now = opts.now ?? new Date();
  const ago = (days: number | undefined) => (days === undefined ? null : new Date(now.getTime() - days * DAY_MS));
  const limits = { before: ago(cfg.retentionDays), ngBefore: ago(cfg.retentionNgDays) };
  const { prisma, engine } = svc.ctx.db;

  // The rows first, in one transaction: from its commit on no row names a file about to go.
  const due = await withRunLock(prisma, engine, "retention", async (tx) => {
    const last = await lastScheduledRun(tx, RETENTION_ACTION);
    if (last && now.getTime() - last.getTime() < (cfg.retentionEveryMin * 60_000) / 2) return null;
    const rows: InspectionEvidence[] = [];
    for (;;) {
      const batch = await listInspectionsWithEvidenceDue(tx, { ...limits, take: BATCH });
      if (batch.length === 0) break;
      await markInspectionEvidenceExpired(tx, batch.map((i) => i.id), now);
      rows.push(...batch);
    }
    const ng = rows.filter(isNgOrReviewed).length;
    const files = rows.flatMap((i) => [i.imagePath, i.heatmapPath]).filter((p): p is string => !!p);
    await appendAudit(tx, {
      action: RETENTION_ACTION, entityType: "Service", entityId: "retention",
      after: {
        expired_ok: rows.length - ng, expired_ng_or_reviewed: ng, files: files.length,
        retention_days: cfg.retentionDays ?? null, retention_ng_days: cfg.retentionNgDays ?? null,
        before: limits.before?.toISOString() ?? null, ng_before: limits.ngBefore?.toISOString() ?? null,
      },
    }, { actor: RETENTION_ACTOR, reason: "scheduled retention of inspection crops and heatmaps (rows kept)" });
    return { rows, ng, files };
  }, { timeoutMs: 120_000 });
  if (!due) return null;

  const report: RetentionReport = { expiredOk: due.rows.length - due.ng, expiredNgOrReviewed: due.ng, filesDeleted: 0, filesFailed: 0 };
  for (const key of due.files) {
    try {
      await svc.store.delete(key);
      report.filesDeleted++;
    } catch (err) {
      report.filesFailed++;
      svc.ctx.log?.warn({ err, key }, "retention: could not delete an expired file (start-up recovery removes it later)");
    }
  }
  return report;
}

/** Starts the service's retention timer (nothing when retention is off); `stop` waits for a run in progress. */
export function startRetentionSchedule(svc: Services): { stop(): Promise<void> } {
  const cfg = svc.ctx.config;
  if (!retentionEnabled(cfg)) return { stop: async () => undefined };
  let running: Promise<void> | null = null;
  const tick = () => {
    running ??= runRetention(svc)
      .then((r) => { if (r) svc.ctx.log?.info({ retention: r }, "retention run"); })
      .catch((err: unknown) => svc.ctx.log?.error({ err }, "retention run failed"))
      .finally(() => { running = null; });
  };
  const first = setTimeout(tick, Math.min(FIRST_RUN_DELAY_MS, cfg.retentionEveryMin * 60_000));
  const every = setInterval(tick, cfg.retentionEveryMin * 60_000);
  first.unref();
  every.unref();
  return {
    async stop() {
      clearTimeout(first);
      clearInterval(every);
      await running;
    },
  };
}
