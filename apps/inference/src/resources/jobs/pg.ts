// Plant-mode jobs: the `JobQueue` of N replicas on one PostgreSQL database.
//
// Starting a replica in plant mode: the same start command with DATABASE_URL=postgres://user:pass@host:5432/db (every
// replica the same), BDI_DATA_ROOT (or BDI_STORE) shared by all replicas, and a distinct BDI_REPLICA_ID per replica
// (default <hostname>-<pid>). Optional: BDI_JOB_DEAD_AFTER_S (default 30), BDI_JOB_WORKER=0 for a replica that
// takes no jobs. Nothing else: the pg-boss schema, the Job table and the LISTEN channels come with the database.
//
// How it works:
// - enqueue writes a Job row (status queued, JSON payload) and hands the ROI's next job to pg-boss (packages/db
//   pg-queue.ts). A ROI's jobs go to pg-boss one at a time, in arrival order; pg-boss's singleton policy (ROI =
//   key) is the guard that no two run at once even if two replicas promote together.
// - A replica's worker fetches one job at a time, claims the row (attempt + 1), runs the kind's runner from the
//   payload, heart-beats every BDI_JOB_DEAD_AFTER_S / 5, writes progress (at most 4 writes a second) and the outcome.
//   Every write is fenced by (replica, attempt) and followed by NOTIFY bdi_jobs <id>; every replica re-reads the row
//   and updates its mirror of the recent jobs, so get/list/active and the `job:<id>` events behave as in process.
// - Every replica sweeps every BDI_JOB_DEAD_AFTER_S / 5: a running job whose heart-beat is older than
//   BDI_JOB_DEAD_AFTER_S goes back to the queue (its model version marked failed by the kind's `abandoned`) and
//   pg-boss retries it on any replica. A dead replica's job therefore runs again within BDI_JOB_DEAD_AFTER_S + one
//   sweep + one poll: 30 + 6 + 2 = 38 s with the defaults; after 3 runs it fails. Every job time is the database
//   server's clock (each replica keeps its offset to it), so replicas' clocks need not agree. A fit activates only
//   at its end, after `confirm()`, so a dead run never shows: the previous version serves until a run succeeds.
// - Cancel: a queued job ends at once; a running one gets cancelledBy in its row, and its runner (told by NOTIFY,
//   or by its next heart-beat) aborts.
// - close(): this replica's running job is aborted and handed back to the queue at once (no wait for the sweep).
import { randomUUID } from "node:crypto";
import {
  cancelQueuedJob, claimJob, createJobRow, databaseClockMs, findJob, findStaleJobs, finishJob, heartbeatJob, listRecentJobs, nextRunnableJob,
  openPgChannels, releaseStaleJob, requestJobCancel, roisWithQueuedJobs, startPgQueue, updateJobProgress,
  type Job, type JobLease, type PgChannels, type PgQueue, type PrismaClient,
} from "@bdi/db";
import { JobBook, type JobContext, type JobKind, type JobMeta, type JobProgress, type JobQueue, type JobSnapshot, type JobStatus } from "../jobs.ts";

export const JOBS_CHANNEL = "bdi_jobs";
const MAX_ATTEMPTS = 3;
const PROGRESS_WRITE_MS = 250;

export type PgJobQueueOptions = {
  url: string;
  replicaId: string;
  /** a runner silent for this long is dead (BDI_JOB_DEAD_AFTER_S) */
  deadAfterMs: number;
  /** how often an idle worker polls pg-boss (default 2 s) */
  pollingIntervalSeconds?: number;
  keep?: number;
  log?: { warn?: (obj: object, msg: string) => void };
};

type Running = { lease: JobLease; abort: AbortController; roiId: string };

const terminal = (s: JobStatus) => s === "succeeded" || s === "failed";
const errText = (err: unknown) => (err instanceof Error ? err.message : String(err));

function snapshotOf(row: Job): JobSnapshot {
  return {
    id: row.id, kind: row.kind as JobKind, roiKey: row.roiId, status: row.status as JobStatus, progress: row.progress, stage: row.stage,
    ...(row.message != null ? { message: row.message } : {}),
    actor: row.actor,
    ...(row.requestId != null ? { requestId: row.requestId } : {}),
    createdAt: row.createdAt.getTime(),
    ...(row.startedAt ? { startedAt: row.startedAt.getTime() } : {}),
    ...(row.finishedAt ? { finishedAt: row.finishedAt.getTime() } : {}),
    ...(row.error != null ? { error: row.error } : {}),
    ...(row.resultJson != null && row.status === "succeeded" ? { result: JSON.parse(row.resultJson) as unknown } : {}),
    ...(row.cancelledBy != null ? { cancelledBy: row.cancelledBy } : {}),
    ...(row.replicaId != null ? { replicaId: row.replicaId } : {}),
    attempt: row.attempt,
  };
}

export class PgJobQueue extends JobBook implements JobQueue {
  private running = new Map<string, Running>();
  /** runJob calls in flight, awaited by close() */
  private runs = new Set<Promise<void>>();
  /** jobs queued here whose `done` is pending */
  private waiting = new Set<string>();
  /** outcomes of jobs queued and run here, as the runner returned them (no JSON round trip) */
  private outcomes = new Map<string, { ok: true; value: unknown } | { ok: false; error: unknown }>();
  /** re-reads of a row in flight / wanted again, so a burst of notifications reads each row at most twice */
  private reading = new Map<string, boolean>();
  private channels: PgChannels | null = null;
  private queue: PgQueue | null = null;
  private sweeper: NodeJS.Timeout | null = null;
  private closing = false;
  private opened: Promise<void> | null = null;
  /** the database server's clock minus this machine's: job times are the server's, so replicas' clocks need not agree */
  private clockOffsetMs = 0;

  constructor(private readonly db: PrismaClient, private readonly opts: PgJobQueueOptions) {
    super({ keep: opts.keep });
  }

  /** Connects (LISTEN, pg-boss), loads the recent jobs and starts the sweep; idempotent. Jobs run after `work()`. */
  open(): Promise<void> {
    this.opened ??= (async () => {
      const onError = (err: Error) => this.opts.log?.warn?.({ err: err.message }, "job queue connection error");
      this.channels = await openPgChannels(this.opts.url, [JOBS_CHANNEL], { onError });
      this.channels.on(JOBS_CHANNEL, (id) => this.refresh(id));
      // Notifications sent while the connection was down are lost: read everything again.
      this.channels.onReconnect(() => void this.reload());
      const poll = this.opts.pollingIntervalSeconds ?? 2;
      this.queue = await startPgQueue(this.opts.url, {
        pollingIntervalSeconds: poll, retryLimit: MAX_ATTEMPTS * 3, expireInSeconds: 4 * 3600, onError,
      });
      await this.syncClock();
      await this.reload();
      if (this.closing) return; // closed while opening: no sweep to start
      const every = Math.max(500, this.opts.deadAfterMs / 5);
      this.sweeper = setInterval(() => void this.sweep().catch(onError), every);
      this.sweeper.unref();
    })();
    return this.opened;
  }

  submit(): never {
    throw new Error("plant mode runs jobs from JSON payloads (enqueue), which any replica can take; no in-process closures");
  }

  async work(): Promise<void> {
    await this.open();
    await this.queue!.work((id) => {
      const run = this.runJob(id);
      const settled = run.catch(() => undefined).finally(() => this.runs.delete(settled));
      this.runs.add(settled);
      return run;
    });
  }

  async enqueue<T>(kind: JobKind, roiKey: string, meta: JobMeta, payload: unknown): Promise<{ id: string; done: Promise<T> }> {
    if (!this.kinds.has(kind)) throw new Error(`no runner defined for ${kind} jobs`);
    await this.open();
    const id = randomUUID();
    const row = await createJobRow(this.db, { id, kind, roiId: roiKey, actor: meta.actor, requestId: meta.requestId, payload }, this.now());
    const done = this.outcome<T>(id);
    this.apply(row);
    await this.announce(id);
    await this.promote(roiKey);
    return { id, done };
  }

  async cancel(id: string, by: string, reason: Error): Promise<JobSnapshot | undefined> {
    await this.open();
    const queued = await cancelQueuedJob(this.db, { id, by, reason: reason.message }, this.now());
    if (queued) {
      await this.queue!.cancel(id).catch(() => undefined); // not sent yet, or already fetched: the claim will refuse it
      this.apply(queued);
      await this.announce(id);
      await this.promote(queued.roiId);
      return this.get(id);
    }
    const asked = await requestJobCancel(this.db, { id, by, reason: reason.message });
    if (!asked) return undefined;
    this.apply(asked);
    this.abortIfCancelled(asked);
    await this.announce(id);
    return this.get(id);
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    if (this.sweeper) clearInterval(this.sweeper);
    if (!this.opened) return;
    await this.opened.catch(() => undefined);
    // Running jobs are aborted; runJob hands them back to the queue (closing), then pg-boss stops.
    for (const r of this.running.values()) r.abort.abort(new Error(`replica ${this.opts.replicaId} is shutting down`));
    await Promise.race([Promise.all(this.runs), new Promise((r) => setTimeout(r, 10_000).unref())]);
    await this.queue?.stop().catch(() => undefined);
    await this.channels?.close();
  }

  private now(): Date {
    return new Date(Date.now() + this.clockOffsetMs);
  }

  private async syncClock(): Promise<void> {
    const t0 = Date.now();
    const server = await databaseClockMs(this.db);
    this.clockOffsetMs = server - (t0 + Date.now()) / 2;
  }

  // ---- running a job on this replica ----

  private async runJob(id: string): Promise<void> {
    if (this.closing) throw new Error("shutting down"); // pg-boss puts it back for another replica
    const row = await claimJob(this.db, { id, replicaId: this.opts.replicaId }, this.now());
    if (!row) return; // cancelled, finished, or running elsewhere: nothing to do
    const lease: JobLease = { id, replicaId: this.opts.replicaId, attempt: row.attempt };
    const abort = new AbortController();
    this.running.set(id, { lease, abort, roiId: row.roiId });
    this.apply(row);
    await this.announce(id);
    const def = this.kinds.get(row.kind as JobKind);
    const beat = setInterval(() => void this.heartbeat(lease, abort), Math.max(250, this.opts.deadAfterMs / 5));
    const writer = this.progressWriter(lease);
    try {
      if (!def) throw new Error(`this replica has no runner for ${row.kind} jobs`);
      const ctx: JobContext = {
        jobId: id, signal: abort.signal, progress: writer.progress,
        building: async (modelVersionId) => {
          await updateJobProgress(this.db, lease, { modelVersionId }, this.now());
        },
        confirm: async () => {
          if (!(await heartbeatJob(this.db, lease, this.now()))) throw new Error("this replica no longer owns the job");
        },
      };
      abort.signal.throwIfAborted();
      const result = await def.run(JSON.parse(row.payloadJson) as unknown, ctx);
      await writer.flush();
      const ended = await finishJob(this.db, lease, { status: "succeeded", stage: "done", result }, this.now());
      if (ended) this.settle(id, { ok: true, value: result }, ended);
    } catch (err) {
      await writer.flush();
      if (this.closing && !this.get(id)?.cancelledBy) {
        // Handed back: queued again for another replica (its version was marked failed by the runner's own clean-up).
        const back = await releaseStaleJob(this.db, { ...row, attempt: lease.attempt }, {
          deadBefore: new Date(this.now().getTime() + 60_000), maxAttempts: MAX_ATTEMPTS, message: `replica ${this.opts.replicaId} shut down during the run`,
          now: this.now(),
        }).catch(() => null);
        if (back) this.apply(back);
        await this.announce(id);
        throw err; // pg-boss: failed → retried by any replica
      }
      const cancelled = !!this.get(id)?.cancelledBy || (abort.signal.aborted && !!(await findJob(this.db, id))?.cancelledBy);
      const ended = await finishJob(this.db, lease, { status: "failed", stage: cancelled ? "cancelled" : "failed", error: errText(err) }, this.now());
      // Lost lease (another replica runs it now): its outcome, not this one, settles the job.
      if (ended) this.settle(id, { ok: false, error: err }, ended);
    } finally {
      clearInterval(beat);
      this.running.delete(id);
    }
    await this.announce(id);
    await this.promote(row.roiId).catch(() => undefined);
  }

  /** This run's outcome is the job's: kept for a `done` waiting here (the original objects), then shown. */
  private settle(id: string, outcome: { ok: true; value: unknown } | { ok: false; error: unknown }, row: Job): void {
    if (this.waiting.has(id)) this.outcomes.set(id, outcome);
    this.apply(row);
  }

  private async heartbeat(lease: JobLease, abort: AbortController): Promise<void> {
    const row = await heartbeatJob(this.db, lease, this.now()).catch(() => undefined);
    if (row === undefined) return; // database unreachable for a moment: try again next beat
    if (row === null) abort.abort(new Error("the job was handed to another replica (this one was taken for dead)"));
    else this.abortIfCancelled(row);
  }

  /** Progress goes to the local mirror at once and to the database at most every PROGRESS_WRITE_MS. */
  private progressWriter(lease: JobLease): { progress: JobProgress; flush: () => Promise<void> } {
    let pending: { progress: number; stage: string; message: string | null } | null = null;
    let chain: Promise<void> = Promise.resolve();
    let timer: NodeJS.Timeout | null = null;
    const write = () => {
      timer = null;
      const p = pending;
      pending = null;
      if (!p) return chain;
      chain = chain.then(async () => {
        if (await updateJobProgress(this.db, lease, p, this.now()).catch(() => false)) await this.announce(lease.id);
      });
      return chain;
    };
    const progress: JobProgress = (p, stage, message) => {
      const snap = this.jobs.get(lease.id);
      const value = Math.max(0, Math.min(1, p));
      if (snap) this.emitJob(Object.assign(snap, { progress: value, stage, message }));
      pending = { progress: value, stage, message: message ?? null };
      timer ??= setTimeout(write, PROGRESS_WRITE_MS);
    };
    return {
      progress,
      flush: () => {
        if (timer) clearTimeout(timer);
        return write();
      },
    };
  }

  private abortIfCancelled(row: Job) {
    const r = this.running.get(row.id);
    if (r && row.cancelledBy && row.replicaId === this.opts.replicaId && !r.abort.signal.aborted) {
      r.abort.abort(new Error(row.cancelReason ?? `cancelled by ${row.cancelledBy}`));
    }
  }

  // ---- queue upkeep (every replica) ----

  /** Sends the ROI's next job to pg-boss when none of its jobs runs (sending one already sent does nothing). */
  private async promote(roiId: string): Promise<void> {
    const next = await nextRunnableJob(this.db, roiId);
    if (next) await this.queue!.send(next.id, roiId);
  }

  /** Dead runners' jobs back to the queue; every ROI's next job handed to pg-boss. */
  private async sweep(): Promise<void> {
    await this.syncClock();
    const deadBefore = new Date(this.now().getTime() - this.opts.deadAfterMs);
    for (const stale of await findStaleJobs(this.db, deadBefore)) {
      const released = await releaseStaleJob(this.db, stale, {
        deadBefore, maxAttempts: MAX_ATTEMPTS, now: this.now(),
        message: `replica ${stale.replicaId ?? "?"} stopped answering during run ${stale.attempt}; ${stale.attempt >= MAX_ATTEMPTS ? "given up" : "queued again"}`,
      });
      if (!released) continue; // another replica got there first
      await this.kinds.get(stale.kind as JobKind)?.abandoned?.({ id: stale.id, modelVersionId: stale.modelVersionId, replicaId: stale.replicaId })
        .catch((err: unknown) => this.opts.log?.warn?.({ err: errText(err), jobId: stale.id }, "could not clean up after a dead job run"));
      // pg-boss still holds it active for the dead worker (and, singleton, blocks the ROI): fail it → retry.
      await this.queue!.retry(stale.id, released.message ?? "runner gone").catch(() => undefined);
      this.apply(released);
      await this.announce(stale.id);
    }
    for (const roiId of await roisWithQueuedJobs(this.db)) await this.promote(roiId);
  }

  // ---- the mirror ----

  private async announce(id: string): Promise<void> {
    await this.channels?.notify(JOBS_CHANNEL, id).catch((err: unknown) => this.opts.log?.warn?.({ err: errText(err) }, "NOTIFY failed"));
  }

  /** A notification: re-read the row (coalesced per id). */
  private refresh(id: string): void {
    if (this.reading.has(id)) {
      this.reading.set(id, true);
      return;
    }
    this.reading.set(id, false);
    void (async () => {
      do {
        this.reading.set(id, false);
        const row = await findJob(this.db, id).catch(() => null);
        if (row) {
          this.apply(row);
          this.abortIfCancelled(row);
        }
      } while (this.reading.get(id));
      this.reading.delete(id);
    })();
  }

  private async reload(): Promise<void> {
    const rows = await listRecentJobs(this.db, this.keep);
    for (const row of rows.reverse()) this.apply(row);
  }

  private apply(row: Job): void {
    const prev = this.jobs.get(row.id);
    const next = snapshotOf(row);
    // A row read before a later write may arrive after it: never step back.
    if (prev && terminal(prev.status) && !terminal(next.status)) return;
    if (prev && prev.status === next.status && (prev.attempt ?? 0) === (next.attempt ?? 0) && next.progress < prev.progress && !terminal(next.status)) return;
    this.jobs.set(row.id, next);
    this.emitJob(next);
    if (terminal(next.status)) this.prune();
  }

  /** Settles with the job's outcome once a terminal snapshot is seen (run here or elsewhere). */
  private outcome<T>(id: string): Promise<T> {
    this.waiting.add(id);
    return new Promise<T>((resolve, reject) => {
      const onJob = (j: JobSnapshot) => {
        if (!terminal(j.status)) return;
        this.off(`job:${id}`, onJob);
        this.waiting.delete(id);
        const local = this.outcomes.get(id);
        this.outcomes.delete(id);
        if (local) return local.ok ? resolve(local.value as T) : reject(local.error);
        if (j.status === "failed") return reject(new Error(j.error ?? "job failed"));
        const revive = this.kinds.get(j.kind)?.revive;
        (revive ? revive(j.result) : Promise.resolve(j.result)).then((v) => resolve(v as T), reject);
      };
      this.on(`job:${id}`, onJob);
    });
  }
}
