// Per-ROI job registry: one fit (or dataset calibration) at a time per ROI, queued in arrival order, with
// progress events the dashboard can stream (EventEmitter; `job` events carry the whole job snapshot).
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
};

export type JobProgress = (progress: number, stage: string, message?: string) => void;

export class JobRegistry extends EventEmitter {
  private jobs = new Map<string, JobSnapshot>();
  /** Tail of each ROI's queue: the next job waits for it. */
  private tails = new Map<string, Promise<unknown>>();
  /** Aborted by `cancel`; handed to the job's function. */
  private aborts = new Map<string, AbortController>();
  private readonly keep: number;

  constructor(opts: { keep?: number } = {}) {
    super();
    this.keep = opts.keep ?? 200;
    this.setMaxListeners(100);
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
    return this.list().filter((j) => j.status === "queued" || j.status === "running");
  }

  lastFinished(kind?: JobKind): JobSnapshot | undefined {
    let best: JobSnapshot | undefined;
    for (const j of this.jobs.values())
      if ((j.status === "succeeded" || j.status === "failed") && (!kind || j.kind === kind) && (!best || (j.finishedAt ?? 0) > (best.finishedAt ?? 0)))
        best = j;
    return best ? { ...best } : undefined;
  }

  /**
   * Runs `fn` after every earlier job of the same ROI has finished. Returns the job id at once (`id`) and the
   * result (`done`), which rejects with the job's error.
   */
  submit<T>(
    kind: JobKind,
    roiKey: string,
    meta: { actor: string; requestId?: string },
    fn: (progress: JobProgress, jobId: string, signal: AbortSignal) => Promise<T>,
  ): { id: string; done: Promise<T> } {
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

  private emitJob(job: JobSnapshot) {
    const snap = { ...job };
    this.emit("job", snap);
    this.emit(`job:${job.id}`, snap);
  }

  private prune() {
    if (this.jobs.size <= this.keep) return;
    const finished = [...this.jobs.values()].filter((j) => j.finishedAt).sort((a, b) => a.finishedAt! - b.finishedAt!);
    for (const j of finished.slice(0, this.jobs.size - this.keep)) this.jobs.delete(j.id);
  }
}
