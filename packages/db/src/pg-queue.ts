// The plant's job queue: pg-boss 10 (the newest line for Node 20) in schema `pgboss` of the service's PostgreSQL
// database. It only hands each job to one worker (SELECT … FOR UPDATE SKIP LOCKED) and retries a job whose worker
// is declared gone; what a job is and how far it got lives in the Job table (repos/jobs.ts).
//
// One queue, policy "singleton" with the ROI as singleton key: pg-boss's unique index lets at most one job per ROI
// be active, whichever replica fetched it. (The service sends a ROI's next job only when its previous one ended, so
// a ROI waiting behind its running fit never holds up other ROIs' jobs at the head of the queue.)
import pg from "pg";
import PgBoss from "pg-boss";

export type PgQueueOptions = {
  /** how often an idle worker asks for a job (pg-boss minimum 0.5) */
  pollingIntervalSeconds: number;
  /** pg-boss's own limit for an active job (a backstop: the service detects dead runners by heart-beat first) */
  expireInSeconds: number;
  /** how many times pg-boss re-queues a failed job */
  retryLimit: number;
  onError?: (err: Error) => void;
};

export interface PgQueue {
  /** Queues job `id` for `roiId` (ids are the Job table's; sending an id already queued or running does nothing). */
  send(id: string, roiId: string): Promise<boolean>;
  /** Runs `handler` for each job this replica fetches, one at a time. */
  work(handler: (jobId: string) => Promise<void>): Promise<void>;
  /** Hands a job back to pg-boss for a retry by any replica (its runner is gone). */
  retry(id: string, reason: string): Promise<void>;
  /** Removes a queued job (it was cancelled before it started). */
  cancel(id: string): Promise<void>;
  /** Stops fetching; a job still in hand is failed back to pg-boss, which retries it on any replica. */
  stop(): Promise<void>;
}

export const QUEUE_NAME = "bdi-jobs";
/** Advisory lock key that serialises queue creation across replicas starting together. */
export const QUEUE_SETUP_LOCK_KEY = 72707370;

export async function startPgQueue(url: string, opts: PgQueueOptions): Promise<PgQueue> {
  const boss = new PgBoss({
    connectionString: url,
    application_name: "bdi-queue",
    max: 4,
    // Queue cron/scheduling is not used; maintenance (expiry, archive) stays on.
    schedule: false,
    retryLimit: opts.retryLimit,
    expireInSeconds: opts.expireInSeconds,
  });
  boss.on("error", (err: Error) => opts.onError?.(err));
  // start() creates or migrates schema pgboss under an advisory lock: replicas may start together.
  await boss.start();
  // Creating a queue is DML plus DDL (its partition): two replicas creating it at once can deadlock (PostgreSQL 40P01,
  // seen once in the cluster test's start-up; also supabase/storage#703). One creator at a time: a session advisory
  // lock around it, released when the session ends.
  const setup = new pg.Client({ connectionString: url, application_name: "bdi-queue-setup" });
  await setup.connect();
  try {
    await setup.query("SELECT pg_advisory_lock($1)", [QUEUE_SETUP_LOCK_KEY]);
    await boss.createQueue(QUEUE_NAME, {
      name: QUEUE_NAME, policy: "singleton", retryLimit: opts.retryLimit, retryDelay: 0, expireInSeconds: opts.expireInSeconds,
    });
  } finally {
    await setup.end();
  }
  let worker: string | null = null;
  return {
    async send(id, roiId) {
      return (await boss.send(QUEUE_NAME, { jobId: id }, { id, singletonKey: roiId })) !== null;
    },
    async work(handler) {
      worker = await boss.work<{ jobId: string }>(QUEUE_NAME, { pollingIntervalSeconds: opts.pollingIntervalSeconds, batchSize: 1 }, async ([job]) => {
        if (job) await handler(job.data.jobId);
      });
    },
    async retry(id, reason) {
      await boss.fail(QUEUE_NAME, id, { message: reason });
    },
    async cancel(id) {
      await boss.cancel(QUEUE_NAME, id);
    },
    async stop() {
      if (worker) await boss.offWork(QUEUE_NAME);
      await boss.stop({ graceful: true, wait: true, timeout: 1000 });
    },
  };
}
