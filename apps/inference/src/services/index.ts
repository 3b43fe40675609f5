// The domain operations shared by the legacy REST layer and the dashboard's tRPC procedures.
// One `Services` per ServiceContext (memoised): metrics and the per-ROI job registry (memory banks are cached in the
// scoring worker, where they are used).
import type { ServiceContext } from "../context.ts";
import { JobRegistry, type JobQueue } from "../resources/jobs.ts";
import { PgJobQueue } from "../resources/jobs/pg.ts";
import { ModelChanges } from "../resources/model-changes.ts";
import { defineFitJobs } from "./fit.ts";
import { watchModelChanges } from "./model-state.ts";
import { createServiceMetrics, type ServiceMetrics } from "../resources/metrics.ts";
import { ComputePool } from "../compute/pool.ts";
import { ScoringPool } from "../compute/scoring-pool.ts";
import { createObjectStore, type ObjectStore } from "../resources/store/object-store.ts";
import { VersionArtifacts } from "../resources/store/versions.ts";
import { checkLine, LineWatcher } from "./line-watch.ts";

export type Services = {
  ctx: ServiceContext;
  metrics: ServiceMetrics;
  /** fits (and calibrations) one at a time per ROI: in this process (SQLite), or on any replica (PostgreSQL: pg-boss) */
  jobs: JobQueue;
  /** announcements of activations, rollbacks and threshold changes (plant mode: to every replica) */
  changes: ModelChanges;
  /** compute process for fits and k-fold calibrations, one at a time (keeps the event loop free) */
  compute: ComputePool;
  /** compute processes for scoring single images (/infer, dataset scoring): BDI_SCORING_WORKERS of them */
  scorer: ScoringPool;
  /** where images, model artifacts and score caches live: the data root, or the plant's S3 bucket (BDI_STORE) */
  store: ObjectStore;
  /** model-version folders in the store and their local copies for the engine */
  artifacts: VersionArtifacts;
  /** checks the line's verdicts of a calibration after its inspections and reviews, in the background */
  lineWatch: LineWatcher;
};

const memo = new WeakMap<ServiceContext, Services>();

export function getServices(ctx: ServiceContext): Services {
  let s = memo.get(ctx);
  if (!s) {
    // Plant mode: jobs and model-change announcements go through the PostgreSQL database every replica shares.
    const pgUrl = ctx.db.engine === "postgresql" ? ctx.db.pgUrl : undefined;
    const store = createObjectStore(ctx.config);
    s = {
      ctx,
      metrics: createServiceMetrics(),
      jobs: pgUrl
        ? new PgJobQueue(ctx.db.prisma, { url: pgUrl, replicaId: ctx.config.replicaId, deadAfterMs: ctx.config.jobDeadAfterS * 1000, log: ctx.log })
        : new JobRegistry(),
      changes: new ModelChanges({ replicaId: ctx.config.replicaId, pgUrl, onError: (err) => ctx.log?.warn?.({ err: err.message }, "model change channel") }),
      // Niceness of the whole compute process: fits yield to inference, both to HTTP.
      compute: new ComputePool(ctx.config, { serial: true, name: "bdi-fit", nice: 15 }),
      scorer: new ScoringPool(ctx.config, { workers: ctx.config.scoringWorkers, name: "bdi-score", nice: 5 }),
      store,
      artifacts: new VersionArtifacts(store, ctx.config.dataRoot),
      lineWatch: new LineWatcher(
        (id) => checkLine(s!, id),
        (err, id) => ctx.log?.warn?.({ err: (err as Error)?.message, calibrationId: id }, "line watch check failed"),
      ),
    };
    memo.set(ctx, s);
    defineFitJobs(s);
    watchModelChanges(s);
  }
  return s;
}

/** Who did it and in which request: written to every audit event. */
export type Actor = { actor: string; requestId?: string | null; reason?: string | null };

export const LEGACY_ACTOR = "legacy-client";

export * from "./errors.ts";
