// Retention of inspection evidence (the stored crop and heatmap): which rows are due, marking them expired (paths
// cleared, the row itself stays), and the one-run-at-a-time guard of the scheduled job across replicas.
import { createHash } from "node:crypto";
import type { PrismaClient } from "../generated/prisma/client.ts";
import type { DbEngine } from "../client.ts";
import type { Queryable, TxClient } from "./common.ts";

export type InspectionEvidence = {
  id: string;
  imagePath: string | null;
  heatmapPath: string | null;
  decision: string;
  reviewStatus: string;
  createdAt: Date;
};

/**
 * Inspections that still have stored evidence and are due: an OK, unreviewed one created before `before`; an NG or
 * reviewed one (any verdict but pending) created before `ngBefore`. A null limit keeps that kind forever.
 */
export async function listInspectionsWithEvidenceDue(
  db: Queryable,
  limits: { before: Date | null; ngBefore: Date | null; take: number },
): Promise<InspectionEvidence[]> {
  const kinds = [
    ...(limits.before ? [{ decision: "ok", reviewStatus: "pending", createdAt: { lt: limits.before } }] : []),
    ...(limits.ngBefore ? [{ OR: [{ decision: { not: "ok" } }, { reviewStatus: { not: "pending" } }], createdAt: { lt: limits.ngBefore } }] : []),
  ];
  if (kinds.length === 0) return [];
  return db.inspection.findMany({
    where: { OR: [{ imagePath: { not: null } }, { heatmapPath: { not: null } }], AND: [{ OR: kinds }] },
    select: { id: true, imagePath: true, heatmapPath: true, decision: true, reviewStatus: true, createdAt: true },
    orderBy: { createdAt: "asc" },
    take: limits.take,
  });
}

/** The rows' evidence is gone: paths cleared, `evidenceExpiredAt` set. Returns how many rows changed. */
export async function markInspectionEvidenceExpired(db: Queryable, ids: string[], at: Date): Promise<number> {
  if (ids.length === 0) return 0;
  const r = await db.inspection.updateMany({ where: { id: { in: ids } }, data: { imagePath: null, heatmapPath: null, evidenceExpiredAt: at } });
  return r.count;
}

/** When the named scheduled job last ran (its newest audit event of `action`), null when never. */
export async function lastScheduledRun(db: Queryable, action: string): Promise<Date | null> {
  const e = await db.auditEvent.findFirst({ where: { action }, orderBy: { at: "desc" }, select: { at: true } });
  return e?.at ?? null;
}

/** A stable signed 64-bit key for a lock name (PostgreSQL advisory locks take a bigint). */
function lockKey(name: string): bigint {
  return createHash("sha256").update(`bdi:${name}`).digest().readBigInt64BE(0);
}

/**
 * Runs `fn` in one transaction that holds the named lock, so replicas sharing a PostgreSQL database never run it
 * at the same time (a transaction-scoped advisory lock: released at commit, or when a replica dies). Returns null,
 * without running `fn`, when another replica holds it. On SQLite one service owns the database: `fn` just runs.
 */
export async function withRunLock<T>(
  db: PrismaClient, engine: DbEngine, name: string, fn: (tx: TxClient) => Promise<T>, opts: { timeoutMs: number },
): Promise<T | null> {
  return db.$transaction(async (tx) => {
    if (engine === "postgresql") {
      const [row] = await tx.$queryRaw<Array<{ locked: boolean }>>`SELECT pg_try_advisory_xact_lock(${lockKey(name)}) AS locked`;
      if (!row?.locked) return null;
    }
    return fn(tx);
  }, { timeout: opts.timeoutMs, maxWait: opts.timeoutMs });
}
