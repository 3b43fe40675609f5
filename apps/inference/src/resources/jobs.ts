// Jobs (fits, dataset calibrations) behind one interface, `JobQueue`: one job at a time per ROI, queued in arrival
// order, with progress events the dashboard can stream (EventEmitter; `job` and `job:<id>` events carry the whole
// job snapshot). Two implementations, chosen by the database (services/index.ts):
// - SQLite (one process, the default): `JobRegistry` below, in memory, as it always was;
// - PostgreSQL (plant mode, N replicas): `PgJobQueue` (resources/jobs/pg.ts), pg-boss on the same database; any
//   replica runs a job, every replica sees its progress. How a replica is started there: see that file's header.
// A job is queued by kind with a JSON payload (ids and parameters) and run by the runner defined for its kind, so
// whichever process takes it can run it.
import { EventEmitter } from "node:events";
import { randomUUID } from "node:crypto";

export type JobKind = "fit" | "calibrate";
export type JobStatus = "queued" | "running" | "succeeded" | "failed";

export type JobSnapshot = {
  id: string;
  kind: JobKind;
  roiKey: string;
  status: JobStatus;
  /** 0..1 */
  progress: number;
  stage: string;
  message?: string;
  actor: string;
  requestId?: string;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  error?: string;
  result?: unknown;
  /** who cancelled it (the job then ends as "failed" with stage "cancelled") */
  cancelledBy?: string;
  /** plant mode: the replica running (or that ran) it, and which run this is (a dead replica's job runs again) */
  replicaId?: string;
  attempt?: number;
};

export type JobProgress = (progress: number, stage: string, message?: string) => void;
/** Who queued a job, and in which request. */
export type JobMeta = { actor: string; requestId?: string };
/** A job function of this process (in-process jobs and tests). */
export type JobFn<T> = (progress: JobProgress, jobId: string, signal: AbortSignal) => Promise<T>;

/** What a job's runner gets besides its payload. */
export type JobContext = {
  jobId: string;
  progress: JobProgress;
  /** aborted by a cancel (its reason), or when this process lost the job (plant mode: handed to another replica) */
  signal: AbortSignal;
  /** records the model version this run builds (plant mode: failed by whoever finds the runner dead) */
  building(modelVersionId: string): Promise<void>;
  /** throws when this process no longer owns the job (call before making the result visible) */
  confirm(): Promise<void>;
};

export type JobRunner = (payload: unknown, ctx: JobContext) => Promise<unknown>;

export type JobKindDef = {
  run: JobRunner;
  /** a result read back from JSON (the job ran on another replica) → what `done` resolves with */
  revive?: (result: unknown) => Promise<unknown>;
  /** plant mode: the run's replica died; undo what the run left (e.g. mark its model version failed) */
  abandoned?: (job: { id: string; modelVersionId: string | null; replicaId: string | null }) => Promise<void>;
};

/** The one job interface of both modes. */
export interface JobQueue extends EventEmitter {
  get(id: string): JobSnapshot | undefined;
  list(filter?: { roiKey?: string; status?: JobStatus }): JobSnapshot[];
  active(): JobSnapshot[];
  lastFinished(kind?: JobKind): JobSnapshot | undefined;
  /** How jobs of `kind` run (every process defines every kind at start). */
  define(kind: JobKind, def: JobKindDef): void;
  /** Queues a job of a defined kind; `done` settles with its outcome, wherever it ran. */
  enqueue<T>(kind: JobKind, roiKey: string, meta: JobMeta, payload: unknown): Promise<{ id: string; done: Promise<T> }>;
  /** Stops a queued or running job; undefined when unknown or already finished. */
  cancel(id: string, by: string, reason: Error): JobSnapshot | undefined | Promise<JobSnapshot | undefined>;
  /**
   * Runs a function as a job of this process. In process only (tests, tools): plant mode runs jobs from payloads
   * (`enqueue`), which any replica can take.
   */
  submit<T>(kind: JobKind, roiKey: string, meta: JobMeta, fn: JobFn<T>): { id: string; done: Promise<T> };
  /** Connects and loads what it shows (plant mode); in process: nothing to open. */
  open(): Promise<void>;
  /** Starts taking jobs (plant mode: this replica's worker; in process: nothing to start). */
  work(): Promise<void>;
  close(): Promise<void>;
}

const isFinished = (s: JobStatus) => s === "succeeded" || s === "failed";

/** The job snapshots a process shows (the newest `keep` finished ones and every active one) and their events. */
export abstract class JobBook extends EventEmitter {
  protected jobs = new Map<string, JobSnapshot>();
  protected kinds = new Map<JobKind, JobKindDef>();
  protected readonly keep: number;

  constructor(opts: { keep?: number } = {}) {
    super();
    this.keep = opts.keep ?? 200;
    this.setMaxListeners(100);
  }

  define(kind: JobKind, def: JobKindDef): void {
    this.kinds.set(kind, def);
  }

  get(id: string): JobSnapshot | undefined {
    const j = this.jobs.get(id);
    return j ? { ...j } : undefined;
  }

  list(filter: { roiKey?: string; status?: JobStatus } = {}): JobSnapshot[] {
    return [...this.jobs.values()]
      .filter((j) => (!filter.roiKey || j.roiKey === filter.roiKey) && (!filter.status || j.status === filter.status))
      .map((j) => ({ ...j }));
  }

  /** Jobs queued or running, all ROIs. */
  active(): JobSnapshot[] {
    return this.list().filter((j) => !isFinished(j.status));
  }

  lastFinished(kind?: JobKind): JobSnapshot | undefined {
    let best: JobSnapshot | undefined;
    for (const j of this.jobs.values())
      if (isFinished(j.status) && (!kind || j.kind === kind) && (!best || (j.finishedAt ?? 0) > (best.finishedAt ?? 0))) best = j;
    return best ? { ...best } : undefined;
  }

  protected emitJob(job: JobSnapshot) {
    const snap = { ...job };
    this.emit("job", snap);
    this.emit(`job:${job.id}`, snap);
  }

  protected prune() {
    if (this.jobs.size <= this.keep) return;
    const finished = [...this.jobs.values()].filter((j) => j.finishedAt).sort((a, b) => a.finishedAt! - b.finishedAt!);
    for (const j of finished.slice(0, this.jobs.size - this.keep)) this.jobs.delete(j.id);
  }
}

/** In process (SQLite, one process): jobs run here, each ROI's in arrival order after its previous one. */
export class JobRegistry extends JobBook implements JobQueue {
  /** Tail of each ROI's queue: the next job waits for it. */
  private tails = new Map<string, Promise<unknown>>();
  /** Aborted by `cancel`; handed to the job's function. */
  private aborts = new Map<string, AbortController>();

  /**
   * Runs `fn` after every earlier job of the same ROI has finished. Returns the job id at once (`id`) and the
   * result (`done`), which rejects with the job's error.
   */
  submit<T>(kind: JobKind, roiKey: string, meta: JobMeta, fn: JobFn<T>): { id: string; done: Promise<T> } {
    const id = randomUUID();
    const job: JobSnapshot = { id, kind, roiKey, status: "queued", progress: 0, stage: "queued", actor: meta.actor, requestId: meta.requestId, createdAt: Date.now() };
    this.jobs.set(id, job);
    const abort = new AbortController();
    this.aborts.set(id, abort);
    this.emitJob(job);
    const prev = this.tails.get(roiKey) ?? Promise.resolve();
    const progress: JobProgress = (p, stage, message) => {
      job.progress = Math.max(0, Math.min(1, p));
      job.stage = stage;
      job.message = message;
      this.emitJob(job);
    };
    const done = prev
      .catch(() => undefined)
      .then(async () => {
        job.status = "running";
        job.startedAt = Date.now();
        job.stage = "starting";
        this.emitJob(job);
        try {
          abort.signal.throwIfAborted(); // cancelled while queued
          const result = await fn(progress, id, abort.signal);
          job.status = "succeeded";
          job.progress = 1;
          job.stage = "done";
          job.result = result;
          return result;
        } catch (err) {
          job.status = "failed";
          job.stage = abort.signal.aborted ? "cancelled" : "failed";
          job.error = err instanceof Error ? err.message : String(err);
          throw err;
        } finally {
          this.aborts.delete(id);
          job.finishedAt = Date.now();
          this.emitJob(job);
          this.prune();
        }
      });
    const tail = done.catch(() => undefined);
    this.tails.set(roiKey, tail);
    void tail.then(() => {
      if (this.tails.get(roiKey) === tail) this.tails.delete(roiKey);
    });
    return { id, done };
  }

  /** In process: the payload goes to the kind's runner as it is (it is JSON-able, for plant mode). */
  async enqueue<T>(kind: JobKind, roiKey: string, meta: JobMeta, payload: unknown): Promise<{ id: string; done: Promise<T> }> {
    const def = this.kinds.get(kind);
    if (!def) throw new Error(`no runner defined for ${kind} jobs`);
    return this.submit(kind, roiKey, meta, (progress, jobId, signal) =>
      def.run(payload, { jobId, progress, signal, building: async () => undefined, confirm: async () => undefined }) as Promise<T>);
  }

  async open(): Promise<void> {}

  async work(): Promise<void> {}

  async close(): Promise<void> {}

  /**
   * Asks a queued or running job to stop: its signal is aborted with `reason` (the function decides how: a fit
   * kills its compute request). Returns the snapshot, or undefined when the job is unknown or already finished.
   */
  cancel(id: string, by: string, reason: Error): JobSnapshot | undefined {
    const job = this.jobs.get(id);
    const abort = this.aborts.get(id);
    if (!job || !abort || job.finishedAt) return undefined;
    job.cancelledBy = by;
    abort.abort(reason);
    return { ...job };
  }

}
