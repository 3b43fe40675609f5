// The edge process: owns the public port, forks the app (Fastify, database, compute pools) onto a loopback port and
// proxies to it, but answers the WPF client's `GET /health` poll itself from the app's latest snapshot. The app's
// event loop has unavoidable pauses of 10–50 ms (GC after uploads, a fit's database work, query-plan compilation);
// this process does nothing else, so the poll stays within a few milliseconds whatever the app is doing.
// BDI_EDGE=0 runs the app alone on the public port.
import { fork, type ChildProcess } from "node:child_process";
import http from "node:http";
import type { Config } from "../config.ts";
import { cachedHealthAnswer, type CachedHealth } from "./health-cache.ts";
import { createProxy } from "./proxy.ts";
import { APP_ROLE_ENV, HEARTBEAT_MS, type AppToEdge, type EdgeToApp } from "./protocol.ts";

/** A snapshot this old means the app's event loop has not run for seconds: let the app answer (or time out) itself. */
const SNAPSHOT_MAX_AGE_MS = 5 * HEARTBEAT_MS;
/** Fastify's default, which the WPF client saw before the edge existed. */
const CLIENT_KEEP_ALIVE_MS = 72_000;
const SHUTDOWN_GRACE_MS = 15_000;

const LEVELS = { info: 30, warn: 40, error: 50 } as const;

/** One pino-shaped JSON line, like the app's logs. */
function log(level: keyof typeof LEVELS, msg: string, extra: Record<string, unknown> = {}) {
  const line = JSON.stringify({ level: LEVELS[level], time: Date.now(), pid: process.pid, name: "edge", msg, ...extra });
  (level === "info" ? process.stdout : process.stderr).write(line + "\n");
}

function forkApp(entry: string, replicaId: string): ChildProcess {
  return fork(entry, [], {
    execArgv: process.execArgv,
    // The replica keeps the edge's id (its default names the edge's pid, the process the operator started).
    env: { ...process.env, BDI_REPLICA_ID: replicaId, [APP_ROLE_ENV]: "1" },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    serialization: "advanced",
  });
}

function waitForListening(app: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: AppToEdge) => {
      if (m.type !== "listening") return;
      app.off("exit", onExit);
      app.off("message", onMessage);
      resolve(m.port);
    };
    const onExit = (code: number | null, signal: string | null) => reject(new Error(`the app exited during start-up (code ${code}, signal ${signal})`));
    app.on("message", onMessage);
    app.once("exit", onExit);
  });
}

export async function runEdge(config: Config, appEntry: string): Promise<void> {
  const app = forkApp(appEntry, config.replicaId);
  let health: CachedHealth | null = null;
  let answered: Array<{ status: number; seconds: number }> = [];
  app.on("message", (m: AppToEdge) => {
    if (m.type === "health") health = { snapshot: m.snapshot, receivedAt: Date.now() };
  });

  const appPort = await waitForListening(app);
  const proxy = createProxy({ host: "127.0.0.1", port: appPort });

  const server = http.createServer((req, res) => {
    const t0 = performance.now();
    const answer = cachedHealthAnswer(req, health, Date.now(), SNAPSHOT_MAX_AGE_MS);
    if (!answer) return proxy.forward(req, res);
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
    answered.push({ status: answer.status, seconds: (performance.now() - t0) / 1000 });
  });
  server.keepAliveTimeout = CLIENT_KEEP_ALIVE_MS;
  server.requestTimeout = 0; // uploads of many crops may take longer than Node's default 5 min; Fastify's default too

  // Once a second: report the answered polls to the app's /metrics, and say when the app stops (or resumes)
  // sending its snapshot — the polls then wait for the app itself.
  let stale = false;
  const tick = setInterval(() => {
    const age = health ? Date.now() - health.receivedAt : 0;
    if (!stale && age > SNAPSHOT_MAX_AGE_MS) log("warn", "the app has not sent its health for a while; /health now waits for the app", { ageMs: age });
    else if (stale && age <= SNAPSHOT_MAX_AGE_MS) log("info", "the app is responsive again");
    stale = age > SNAPSHOT_MAX_AGE_MS;
    if (answered.length === 0 || !app.connected) return;
    app.send({ type: "health-requests", requests: answered } satisfies EdgeToApp);
    answered = [];
  }, HEARTBEAT_MS);
  tick.unref();

  let closing = false;
  app.on("exit", (code, signal) => {
    if (closing) return;
    log("error", "the app process exited; stopping", { code, signal });
    process.exit(code ?? 1);
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => resolve());
  });
  log("info", "edge listening", { port: config.port, host: config.host, appPort });

  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    log("info", "shutting down", { signal });
    // Stop accepting; the app drains what is in flight (BDI_SHUTDOWN_GRACE_S) and exits; the answers it sent are
    // streamed to their clients before this process exits (the server's close waits for them, a few seconds at most).
    let served = false;
    server.close(() => { served = true; });
    // connections busy now go idle once their answer is streamed: close them then (not after their keep-alive)
    setInterval(() => server.closeIdleConnections(), 100).unref();
    const force = setTimeout(() => process.exit(1), config.shutdownGraceS * 1000 + SHUTDOWN_GRACE_MS);
    force.unref();
    app.once("exit", () => {
      const done = () => { proxy.close(); process.exit(0); };
      if (served) return done();
      server.once("close", done);
      setTimeout(done, 5000).unref();
    });
    if (app.exitCode === null && app.signalCode === null) app.kill("SIGTERM");
    else process.exit(0);
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}
