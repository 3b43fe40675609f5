// A plant on loopback, from real parts: a throwaway PostgreSQL cluster (Debian's binaries, packages/db's helper), an
// S3-compatible server (s3rver, its own process), N inference replicas started the way production starts them
// (`node --import tsx src/main.ts` in apps/inference: the edge, its app and compute processes; DATABASE_URL=postgres://…,
// BDI_STORE=s3://…, each its own data root for its caches), HAProxy with the repository's config in front, and
// optionally the built dashboard pointed at the balancer. `stop()` ends everything and removes every temp folder;
// a crashed run's processes die with it (procs.ts).
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createDb, findUserByUsername, type Db } from "@bdi/db";
import { findPostgresBin, startPostgres, postgresUnavailableReason, type TestPostgres } from "@bdi/db/testing-pg";
import { IDENTITY_HEADER, signIdentityToken } from "@bdi/core/auth/identity-token";
import { findHaproxy, startBalancer, type Balancer } from "./balancer.ts";
import { DASHBOARD_DIR, INFERENCE_DIR, REPO_ROOT } from "./paths.ts";
import { startProc, waitFor, type Proc } from "./procs.ts";
import { freePort } from "@bdi/core/testing/free-port";

const READY_MS = Number(process.env.BDI_CLUSTER_READY_MS ?? 240_000);
const BUCKET = "bdi-plant";
/** s3rver accepts only its fixed development credentials. */
const S3_CREDENTIALS = { AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER" };

/** Why a cluster cannot start on this machine (null when it can): the Debian packages it needs. */
export function clusterUnavailableReason(): string | null {
  const pg = postgresUnavailableReason();
  if (pg) return pg;
  if (!findHaproxy()) return "haproxy not found: apt-get install -y haproxy (.ci/run installs it)";
  return null;
}

export function dashboardBuilt(): boolean {
  return existsSync(path.join(DASHBOARD_DIR, ".next", "BUILD_ID"));
}

export type Replica = {
  name: string;
  port: number;
  url: string;
  dataRoot: string;
  proc: Proc | null;
};

export type Cluster = {
  dir: string;
  pg: TestPostgres;
  databaseUrl: string;
  /** the cluster's database, opened by the test for assertions (no migrations: the replicas applied them) */
  db: Db;
  s3: { url: string; proc: Proc };
  /** BDI_STORE / BDI_S3_* / AWS credentials every replica gets */
  storeEnv: Record<string, string>;
  replicas: Replica[];
  balancer: Balancer;
  dashboard: { url: string; proc: Proc } | null;
  authSecret: string;
  /** starts replica i again (same name, port and data root) and waits until it is healthy */
  restart(i: number): Promise<void>;
  /** identity headers of `username` (created with the real CLI when missing), as the dashboard's proxy signs them */
  identity(username: string, role: "viewer" | "reviewer" | "engineer" | "admin"): Promise<Record<string, string>>;
  /** a user with a password, created with the real CLI (`users add … --password-stdin`) */
  addUser(username: string, role: "viewer" | "reviewer" | "engineer" | "admin", password: string): void;
  stop(): Promise<void>;
};

export type ClusterOptions = {
  replicas: number;
  dashboard?: boolean;
  /** extra environment of every replica (e.g. BDI_INPUT_SIZE) */
  env?: Record<string, string>;
};

/** The runner's environment without plant settings a shell may carry (they would point replicas elsewhere). */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", TURBO_TELEMETRY_DISABLED: "1", CHECKPOINT_DISABLE: "1" };
  for (const k of Object.keys(env)) if (k.startsWith("BDI_") || k === "DATABASE_URL" || k.startsWith("AWS_")) delete env[k];
  return env;
}

async function healthy(url: string): Promise<true | undefined> {
  const r = await fetch(`${url}/health`);
  const body = (await r.json()) as { status?: string };
  return r.status === 200 && body.status === "ok" ? true : undefined;
}

/** The service as production starts it (`npm start -w @bdi/inference` without npm in between: a kill -9 reaches it). */
function startService(name: string, port: number, dataRoot: string, env: Record<string, string>, logDir: string): Proc {
  return startProc({
    name,
    command: process.execPath,
    args: ["--no-memory-reducer", "--import", "tsx", "src/main.ts"],
    cwd: INFERENCE_DIR,
    env: { ...cleanEnv(), BDI_DATA_ROOT: dataRoot, BDI_PORT: String(port), BDI_HOST: "127.0.0.1", BDI_REPLICA_ID: name, BDI_SHUTDOWN_GRACE_S: "3", ...env },
    logPath: path.join(logDir, `${name}.log`),
  });
}

/** One service in the default mode (SQLite and files under its own data root), for comparisons; healthy on return. */
export async function startStandalone(dir: string, env: Record<string, string> = {}): Promise<{ url: string; proc: Proc }> {
  const dataRoot = path.join(dir, "standalone");
  mkdirSync(dataRoot, { recursive: true });
  const port = await freePort();
  const proc = startService("standalone", port, dataRoot, { BDI_AUTH_SECRET: randomBytes(32).toString("hex"), ...env }, dir);
  const url = `http://127.0.0.1:${port}`;
  await waitFor("the standalone service's /health to say ok", proc, READY_MS, () => healthy(url), 300);
  return { url, proc };
}

export async function startCluster(opts: ClusterOptions): Promise<Cluster> {
  const reason = clusterUnavailableReason();
  if (reason) throw new Error(reason);
  const dir = mkdtempSync(path.join(tmpdir(), "bdi-cluster-"));
  const stops: Array<() => Promise<void> | void> = [];
  const stopAll = async () => {
    for (const s of stops.reverse()) await s();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const pg = await startPostgres();
    stops.push(() => pg.stop());
    const databaseUrl = pg.urlOf("bdi");
    const created = spawnSync(path.join(findPostgresBin()!, "createdb"), ["-h", "127.0.0.1", "-p", new URL(pg.adminUrl).port, "-U", "postgres", "bdi"], { encoding: "utf8" });
    if (created.status !== 0) throw new Error(`createdb failed: ${created.stderr}`);

    const s3Port = await freePort();
    const s3Dir = path.join(dir, "s3");
    mkdirSync(s3Dir);
    const s3Proc = startProc({
      name: "s3rver", command: process.execPath, args: [path.join(import.meta.dirname, "s3-server.mjs"), s3Dir, String(s3Port), BUCKET],
      cwd: REPO_ROOT, env: cleanEnv(), logPath: path.join(dir, "s3rver.log"),
    });
    stops.push(() => s3Proc.stop(3_000));
    const s3Url = `http://127.0.0.1:${s3Port}`;
    await waitFor("the S3 server", s3Proc, 30_000, async () => ((await fetch(s3Url)).status > 0 ? true : undefined));
    const storeEnv = { BDI_STORE: `s3://${BUCKET}/plant`, BDI_S3_ENDPOINT: s3Url, BDI_S3_REGION: "us-east-1", ...S3_CREDENTIALS };

    const authSecret = randomBytes(32).toString("hex");
    const replicas: Replica[] = [];
    for (let i = 0; i < opts.replicas; i++) {
      const dataRoot = path.join(dir, `replica${i + 1}`);
      mkdirSync(dataRoot);
      replicas.push({ name: `replica${i + 1}`, port: await freePort(), url: "", dataRoot, proc: null });
    }
    const startReplica = (r: Replica) => {
      r.url = `http://127.0.0.1:${r.port}`;
      r.proc = startService(r.name, r.port, r.dataRoot, { ...storeEnv, DATABASE_URL: databaseUrl, BDI_AUTH_SECRET: authSecret, ...opts.env }, dir);
    };
    // One after the other: the first applies the migrations (advisory lock), the next finds them applied.
    for (const r of replicas) {
      startReplica(r);
      stops.push(() => r.proc?.stop(8_000));
    }
    for (const r of replicas) await waitFor(`${r.name}'s /health to say ok`, r.proc, READY_MS, () => healthy(r.url), 300);

    const balancer = await startBalancer(dir, replicas);
    stops.push(() => balancer.stop());
    // Both servers pass HAProxy's checks (rise 2 × 1 s) before the test begins.
    await waitFor("every replica behind the balancer", balancer.proc, 30_000, async () => {
      const seen = new Set<string>();
      for (let k = 0; k < 4 * replicas.length; k++) {
        const r = await fetch(`${balancer.url}/health`);
        seen.add(r.headers.get("x-bdi-replica") ?? "");
      }
      return replicas.every((r) => seen.has(r.name)) ? true : undefined;
    }, 500);

    const db = await createDb({ url: databaseUrl, migrate: false });
    stops.push(() => db.close());

    const cliEnv = { ...cleanEnv(), DATABASE_URL: databaseUrl, BDI_DATA_ROOT: path.join(dir, "cli"), BDI_AUTH_SECRET: authSecret };
    const addUser = (username: string, role: string, password: string) => {
      const r = spawnSync(process.execPath, ["--import", "tsx", "src/cli/users.ts", "add", username, "--role", role, "--password-stdin"], {
        cwd: INFERENCE_DIR, env: cliEnv, input: `${password}\n`, encoding: "utf8",
      });
      if (r.status !== 0) throw new Error(`users add ${username} failed (${r.status}): ${r.stderr || r.stdout}`);
    };

    let dashboard: Cluster["dashboard"] = null;
    if (opts.dashboard) {
      const port = await freePort();
      const proc = startProc({
        name: "dashboard", command: process.execPath,
        args: [path.join(REPO_ROOT, "node_modules", "next", "dist", "bin", "next"), "start", "-p", String(port), "-H", "127.0.0.1"],
        cwd: DASHBOARD_DIR, env: { ...cleanEnv(), BDI_INFERENCE_URL: balancer.url, BDI_AUTH_SECRET: authSecret, PORT: String(port) },
        logPath: path.join(dir, "dashboard.log"),
      });
      stops.push(() => proc.stop(5_000));
      const url = `http://127.0.0.1:${port}`;
      await waitFor("the dashboard to serve /", proc, 60_000, async () => ((await fetch(url)).status === 200 ? true : undefined), 500);
      dashboard = { url, proc };
    }

    return {
      dir, pg, databaseUrl, db, s3: { url: s3Url, proc: s3Proc }, storeEnv, replicas, balancer, dashboard, authSecret,
      async restart(i) {
        const r = replicas[i]!;
        startReplica(r);
        await waitFor(`${r.name}'s /health to say ok`, r.proc, READY_MS, () => healthy(r.url), 300);
      },
      async identity(username, role) {
        if (!(await findUserByUsername(db.prisma, username))) addUser(username, role, randomBytes(12).toString("hex"));
        const user = (await findUserByUsername(db.prisma, username))!;
        return { [IDENTITY_HEADER]: await signIdentityToken(authSecret, { sub: user.id, name: user.username }) };
      },
      addUser,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
