// Service entry point: config → database (migrations applied) → HTTP → backbone loads in the background.
import { createDb } from "@bdi/db";
import { loadConfig } from "./config.ts";
import { buildApp } from "./app.ts";
import { BackboneHolder } from "./runtime/backbone-state.ts";
import type { ServiceContext } from "./context.ts";
import { loadServiceBackbone } from "./runtime/load-backbone.ts";

async function main() {
  const config = loadConfig();
  const db = await createDb({ dataRoot: config.dataRoot, migrate: config.migrateOnStart });
  const backbone = new BackboneHolder();
  const ctx = { config, db, backbone, startedAt: Date.now() } as ServiceContext;
  const app = await buildApp(ctx);
  ctx.log = app.log;

  await app.listen({ port: config.port, host: config.host });
  app.log.info({ dataRoot: config.dataRoot, device: config.device, backbone: config.backbone }, "service listening");

  void backbone.load(() => loadServiceBackbone(config, app.log)).then(() => {
    const s = backbone.current;
    if (s.status === "ready") app.log.info({ backbone: s.backbone.id, device: s.backbone.device, loadMs: s.loadMs }, "backbone ready");
    else if (s.status === "error") app.log.error({ error: s.error }, "backbone failed to load");
  });

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, "shutting down");
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    try {
      await app.close();
      await db.close();
    } finally {
      process.exit(0);
    }
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
