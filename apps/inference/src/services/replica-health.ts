// What one replica says about itself in /health (legacy and tRPC): its id, its role, and whether the database and the
// object store answer. /health is polled every 2 s by each WPF client and answered from a snapshot (the edge), so it
// never waits on a probe: the probes run in the background every PROBE_MS and /health reports their latest outcome.
import { pingDatabase } from "@bdi/db";
import type { ServiceContext } from "../context.ts";
import type { ObjectStore } from "../resources/store/object-store.ts";
import { getServices } from "./index.ts";

const PROBE_MS = 5_000;
/** A probe that has not answered by then counts as unreachable (a hung connection must not look healthy). */
const PROBE_TIMEOUT_MS = 3_000;

/** null until the first probe has answered. */
export type Reachability = { reachable: boolean | null; error?: string };

export type ReplicaHealth = {
  replicaId: string;
  /** standalone: SQLite, one process owns its data root; replica: one of N behind a balancer (PostgreSQL) */
  role: "standalone" | "replica";
  /** whether this process runs fit / calibration jobs (BDI_JOB_WORKER=0: a replica that only serves) */
  runsJobs: boolean;
  database: Reachability & { engine: "sqlite" | "postgresql" };
  store: Reachability & { kind: "local" | "s3" };
};

type Monitor = { database: Reachability; store: Reachability; timer: NodeJS.Timeout | null; objects: ObjectStore; first: Promise<void> };
const monitors = new WeakMap<ServiceContext, Monitor>();

function withTimeout(p: Promise<unknown>): Promise<void> {
  let t: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    t = setTimeout(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
  });
  return Promise.race([p, timeout]).then(() => undefined).finally(() => clearTimeout(t));
}

/** The driver's message without a connection string (it may carry a password). */
function reason(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s'"]+/gi, "<url>").slice(0, 200);
}

async function probe(check: () => Promise<unknown>): Promise<Reachability> {
  try {
    await withTimeout(check());
    return { reachable: true };
  } catch (err) {
    return { reachable: false, error: reason(err) };
  }
}

async function runProbes(ctx: ServiceContext, m: Monitor) {
  const [database, store] = await Promise.all([probe(() => pingDatabase(ctx.db.prisma)), probe(() => m.objects.ping())]);
  m.database = database;
  m.store = store;
}

function monitorOf(ctx: ServiceContext): Monitor {
  let m = monitors.get(ctx);
  if (!m) {
    // The service's store (the data root, or the bucket every replica shares), pinged like the database.
    const mon: Monitor = { database: { reachable: null }, store: { reachable: null }, timer: null, objects: getServices(ctx).store, first: Promise.resolve() };
    monitors.set(ctx, (m = mon));
    mon.first = runProbes(ctx, mon);
    mon.timer = setInterval(() => void runProbes(ctx, mon), PROBE_MS);
    mon.timer.unref();
  }
  return m;
}

/**
 * Starts the background probes and waits for their first outcome (at most PROBE_TIMEOUT_MS), so the first /health
 * snapshot — the edge answers polls from it — already says whether the database and the store answer.
 */
export function startReplicaHealth(ctx: ServiceContext): Promise<void> {
  return monitorOf(ctx).first;
}

/** Stops the background probes (the app's close, before the database goes). */
export function stopReplicaHealth(ctx: ServiceContext): void {
  const m = monitors.get(ctx);
  if (m?.timer) clearInterval(m.timer);
  if (m) m.timer = null;
}

/** This replica's identity and the latest probe outcomes (the first call starts the probes). */
export function replicaHealth(ctx: ServiceContext): ReplicaHealth {
  const m = monitorOf(ctx);
  const engine = ctx.db.engine;
  return {
    replicaId: ctx.config.replicaId,
    role: engine === "postgresql" ? "replica" : "standalone",
    // SQLite: jobs run in this process; plant mode: on any replica with BDI_JOB_WORKER on (the default)
    runsJobs: engine === "sqlite" || ctx.config.jobWorker,
    database: { engine, ...m.database },
    store: { kind: m.objects.kind, ...m.store },
  };
}
