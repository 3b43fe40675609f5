// GET /train/status (seed docs): whether a fit is running or queued, and the last finished one.
import type { FastifyInstance } from "fastify";
import type { Services } from "../../services/index.ts";
import { lastBuiltVersion } from "../../services/model-versions.ts";
import { legacyModelName } from "./health.ts";
import { ids, legacyHandler, resolveRecipeFor } from "../request.ts";

export function trainStatusRoute(app: FastifyInstance, svc: Services): void {
  app.get("/train/status", legacyHandler("/train/status", async (req, _reply, lr) => {
    resolveRecipeFor(req, lr, (req.query as Record<string, unknown> | undefined)?.recipe_id);
    const active = svc.jobs.active().filter((j) => j.kind === "fit");
    const last = await lastBuiltVersion(svc);
    // Before the backbone is ready: the configured values.
    const b = svc.ctx.backbone.ready;
    const device = b ? b.device : svc.ctx.config.device;
    return {
      status: active.some((j) => j.status === "running") ? "running" : "idle",
      last_train_ts: last ? last.createdAt.toISOString().replace(/\.\d{3}Z$/, "Z") : null,
      queue_size: active.filter((j) => j.status === "queued").length,
      model: b ? legacyModelName(b.id) : svc.ctx.config.backbone,
      device: device === "cuda" ? "cuda:0" : device,
      coreset_size: last?.coresetSize ?? 0,
      ...ids(lr),
    };
  }));
}
