// Service entry point. By default this process is the edge (edge/edge.ts): it owns the public port, answers the
// client's /health polls and forks this same file as the app, which listens on a loopback port. With BDI_EDGE=0 the
// app serves the public port itself. The app: config → database (migrations applied) → HTTP → backbone loads in
// the background.
// Each role imports only its own modules (dynamic imports): the edge never loads Fastify, Prisma, onnxruntime or sharp.
import { fileURLToPath } from "node:url";
import type { AddressInfo } from "node:net";
import { loadConfig, type Config } from "./config.ts";
import type { ServiceContext } from "./context.ts";
import { APP_ROLE_ENV } from "./edge/protocol.ts";

/** Behind the edge, its pooled connections may idle long; closing them first would race a reused socket. */
const BEHIND_EDGE_KEEP_ALIVE_MS = 3_600_000;

async function runApp(config: Config, behindEdge: boolean) {
  const [{ createDb }, { buildApp }, { BackboneHolder }, { loadServiceBackbone }, { linkToEdge }, { getServices }, { recoverAfterCrash }] = await Promise.all([
    import("@bdi/db"), import("./app.ts"), import("./runtime/backbone-state.ts"), import("./runtime/load-backbone.ts"),
    import("./edge/app-link.ts"), import("./services/index.ts"), import("./services/recovery.ts"),
  ]);
  const db = await createDb({ dataRoot: config.dataRoot, migrate: config.migrateOnStart });
  const backbone = new BackboneHolder();
  const ctx = { config, db, backbone, startedAt: Date.now() } as ServiceContext;
  const app = await buildApp(ctx, behindEdge ? { keepAliveTimeoutMs: BEHIND_EDGE_KEEP_ALIVE_MS, behindEdge: true } : {});
  ctx.log = app.log;
  // Before the first request: settle what a crash left (interrupted builds, temp and orphan files).
  const recovered = await recoverAfterCrash(getServices(ctx));
  if (recovered.interruptedBuilds.length || Object.values(recovered.removed).some((l) => l.length))
    app.log.warn({ recovered }, "start-up recovery settled what an interrupted run left");

  // SIGTERM / SIGINT: stop accepting, let the requests in flight finish (at most BDI_SHUTDOWN_GRACE_S), then the
  // compute processes and the database close (plugins/). Past the grace period the compute processes are stopped,
  // which answers what still waits on them (503 "the service is stopping"), and the close completes.
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    const graceMs = config.shutdownGraceS * 1000;
    app.log.info({ signal, graceS: config.shutdownGraceS }, "shutting down: draining requests in flight");
    const cut = setTimeout(() => {
      app.log.warn("shutdown grace period over: stopping the compute processes");
      const svc = getServices(ctx);
      void Promise.all([svc.compute.close(), svc.scorer.close()]);
    }, graceMs);
    cut.unref();
    const force = setTimeout(() => process.exit(1), graceMs + 15_000);
    force.unref();
    // A keep-alive connection that was busy when the close began goes idle once its answer is sent; close it then,
    // or the close would wait for its keep-alive timeout.
    const sweep = setInterval(() => app.server.closeIdleConnections(), 100);
    sweep.unref();
    try {
      await app.close();
    } finally {
      process.exit(0);
    }
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));

  let onBackboneChange = () => {};
  if (behindEdge) {
    await app.listen({ port: 0, host: "127.0.0.1" });
    const { port } = app.server.address() as AddressInfo;
    const link = linkToEdge(ctx, port, () => void shutdown("edge disconnected"));
    onBackboneChange = link.publishHealth;
    app.log.info({ port }, "app listening behind the edge");
  } else {
    await app.listen({ port: config.port, host: config.host });
    app.log.info({ dataRoot: config.dataRoot, device: config.device, backbone: config.backbone }, "service listening");
  }

  void backbone.load(() => loadServiceBackbone(config, app.log)).then(() => {
    const s = backbone.current;
    if (s.status === "ready") app.log.info({ backbone: s.backbone.id, device: s.backbone.device, loadMs: s.loadMs }, "backbone ready");
    else if (s.status === "error") app.log.error({ error: s.error }, "backbone failed to load");
    onBackboneChange();
  });
}

async function main() {
  const config = loadConfig();
  const isApp = process.env[APP_ROLE_ENV] === "1" && typeof process.send === "function";
  if (config.edge && !isApp) await (await import("./edge/edge.ts")).runEdge(config, fileURLToPath(import.meta.url));
  else await runApp(config, isApp);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
