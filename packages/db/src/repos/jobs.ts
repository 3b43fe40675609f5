// Plant-mode jobs (fits, calibrations): the visible state every replica reads, next to pg-boss's own tables (which
// only hand a job to one worker). Each write a runner makes is fenced by (replicaId, attempt): a runner that lost
// its job (declared dead, the job handed to another replica) changes nothing any more. Times (`now`) are given by
// the caller: the plant-mode queue passes the database server's clock, so replicas' clocks need not agree.
import type { Job } from "../generated/prisma/client.ts";
import { toJson, type Queryable } from "./common.ts";

export type { Job };
export type JobRowStatus = "queued" | "running" | "succeeded" | "failed";

/** The runner that holds a job: its replica and which attempt. */
export type JobLease = { id: string; replicaId: string; attempt: number };

const leased = (l: JobLease) => ({ id: l.id, replicaId: l.replicaId, attempt: l.attempt, status: "running" });

export async function createJobRow(
  db: Queryable,
  input: { id: string; kind: string; roiId: string; actor: string; requestId?: string | null; payload: unknown },
  now = new Date(),
): Promise<Job> {
  return db.job.create({
    data: {
      createdAt: now, id: input.id, kind: input.kind, roiId: input.roiId, status: "queued", stage: "queued", actor: input.actor,
      requestId: input.requestId ?? null, payloadJson: toJson(input.payload) ?? "null",
    },
  });
}

export async function findJob(db: Queryable, id: string): Promise<Job | null> {
  return db.job.findUnique({ where: { id } });
}

/** The newest `take` jobs, newest first (what a replica shows at start). */
export async function listRecentJobs(db: Queryable, take: number): Promise<Job[]> {
  return db.job.findMany({ orderBy: [{ createdAt: "desc" }, { id: "desc" }], take });
}

/**
 * The ROI's job that may run next: its oldest queued job, unless one of its jobs is running (one at a time per ROI,
 * in arrival order).
 */
export async function nextRunnableJob(db: Queryable, roiId: string): Promise<Job | null> {
  const running = await db.job.count({ where: { roiId, status: "running" } });
  if (running) return null;
  return db.job.findFirst({ where: { roiId, status: "queued" }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
}

/** ROIs that have queued jobs. */
export async function roisWithQueuedJobs(db: Queryable): Promise<string[]> {
  const rows = await db.job.findMany({ where: { status: "queued" }, distinct: ["roiId"], select: { roiId: true } });
  return rows.map((r) => r.roiId);
}

/**
 * Takes a queued job for this replica (attempt + 1, heart-beat now). Null when it is not queued any more (cancelled,
 * finished, or taken).
 */
export async function claimJob(db: Queryable, input: { id: string; replicaId: string }, now = new Date()): Promise<Job | null> {
  const n = await db.job.updateMany({
    where: { id: input.id, status: "queued" },
    data: {
      status: "running", replicaId: input.replicaId, attempt: { increment: 1 }, heartbeatAt: now, startedAt: now,
      stage: "starting", progress: 0, message: null, modelVersionId: null,
    },
  });
  return n.count ? findJob(db, input.id) : null;
}

/** The runner is alive: heart-beat now. Null when the lease is lost; the row (cancelledBy included) otherwise. */
export async function heartbeatJob(db: Queryable, lease: JobLease, now = new Date()): Promise<Job | null> {
  const n = await db.job.updateMany({ where: leased(lease), data: { heartbeatAt: now } });
  return n.count ? findJob(db, lease.id) : null;
}

/** Progress of a running job (and the model version its attempt builds); false when the lease is lost. */
export async function updateJobProgress(
  db: Queryable,
  lease: JobLease,
  input: { progress?: number; stage?: string; message?: string | null; modelVersionId?: string },
  now = new Date(),
): Promise<boolean> {
  const n = await db.job.updateMany({ where: leased(lease), data: { ...input, heartbeatAt: now } });
  return n.count > 0;
}

/** Ends a running job; null when the lease is lost (someone else owns the job now). */
export async function finishJob(
  db: Queryable,
  lease: JobLease,
  input: { status: "succeeded" | "failed"; stage: string; error?: string | null; result?: unknown },
  now = new Date(),
): Promise<Job | null> {
  const n = await db.job.updateMany({
    where: leased(lease),
    data: {
      status: input.status, stage: input.stage, error: input.error ?? null, finishedAt: now,
      ...(input.status === "succeeded" ? { progress: 1 } : {}),
      resultJson: input.result === undefined ? null : toJson(input.result),
    },
  });
  return n.count ? findJob(db, lease.id) : null;
}

/** Cancels a job that has not started: it ends failed, stage "cancelled". Null when it is not queued. */
export async function cancelQueuedJob(db: Queryable, input: { id: string; by: string; reason: string }, now = new Date()): Promise<Job | null> {
  const n = await db.job.updateMany({
    where: { id: input.id, status: "queued" },
    data: { status: "failed", stage: "cancelled", cancelledBy: input.by, cancelReason: input.reason, error: input.reason, finishedAt: now },
  });
  return n.count ? findJob(db, input.id) : null;
}

/** Asks the runner of a running job to stop (it sees cancelledBy). Null when the job is not running. */
export async function requestJobCancel(db: Queryable, input: { id: string; by: string; reason: string }): Promise<Job | null> {
  const n = await db.job.updateMany({
    where: { id: input.id, status: "running", cancelledBy: null },
    data: { cancelledBy: input.by, cancelReason: input.reason },
  });
  return n.count ? findJob(db, input.id) : null;
}

/** Running jobs whose runner has not heart-beaten since `deadBefore`. */
export async function findStaleJobs(db: Queryable, deadBefore: Date): Promise<Job[]> {
  return db.job.findMany({ where: { status: "running", heartbeatAt: { lt: deadBefore } } });
}

/**
 * A stale job's runner is gone: the job goes back to the queue for another replica (or fails after
 * `maxAttempts`, or when it was being cancelled). Null when another replica got there first or the runner came back.
 */
export async function releaseStaleJob(
  db: Queryable,
  stale: Job,
  input: { deadBefore: Date; maxAttempts: number; message: string; now?: Date },
): Promise<Job | null> {
  const fail = stale.attempt >= input.maxAttempts || stale.cancelledBy !== null;
  const n = await db.job.updateMany({
    where: { id: stale.id, status: "running", attempt: stale.attempt, heartbeatAt: { lt: input.deadBefore } },
    data: fail
      ? { status: "failed", stage: stale.cancelledBy ? "cancelled" : "failed", error: input.message, finishedAt: input.now ?? new Date() }
      : { status: "queued", stage: "queued", message: input.message, replicaId: null, progress: 0 },
  });
  return n.count ? findJob(db, stale.id) : null;
}

/** PostgreSQL only: the database server's clock (ms since the epoch), the one clock every replica's job times use. */
export async function databaseClockMs(db: Queryable): Promise<number> {
  const [row] = await db.$queryRawUnsafe<Array<{ ms: number }>>("SELECT (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::float8 AS ms");
  return Number(row!.ms);
}
