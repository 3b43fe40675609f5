// /metrics (Prometheus text) and the request metrics hook. (The optional API key is checked at the root of the app:
// ../api-key.ts, registered in ../app.ts.)
import type { FastifyInstance } from "fastify";
import type { ServiceContext } from "../context.ts";
import type { Services } from "../services/index.ts";
import type { ServiceMetrics } from "../resources/metrics.ts";
import { refreshLineAlarms } from "../services/line-watch.ts";

/** Counts every request (all routes of the app, tRPC included) by method, route pattern and status. */
export function registerRequestMetrics(app: FastifyInstance, services: Services) {
  app.addHook("onResponse", async (req, reply) => {
    const route = req.routeOptions?.url ?? "unmatched";
    const method = req.method;
    services.metrics.httpRequests.inc({ method, route, status: String(reply.statusCode) });
    services.metrics.httpDuration.observe({ method, route }, reply.elapsedTime / 1000);
  });
}

/** Requests answered outside this app (the edge's /health answers), counted as if the app had answered them. */
export function recordAnsweredElsewhere(metrics: ServiceMetrics, method: string, route: string, requests: Array<{ status: number; seconds: number }>) {
  for (const r of requests) {
    metrics.httpRequests.inc({ method, route, status: String(r.status) });
    metrics.httpDuration.observe({ method, route }, r.seconds);
  }
}

export function registerMetricsRoute(app: FastifyInstance, ctx: ServiceContext, services: Services) {
  const m = services.metrics;
  // Every sample names the replica that counted it (BDI_REPLICA_ID).
  m.registry.setConstLabel("replica", ctx.config.replicaId);
  m.registry.onCollect(() => {
    m.uptime.set({}, Math.round((Date.now() - ctx.startedAt) / 1000));
    const s = ctx.backbone.current;
    m.backboneReady.set({}, s.status === "ready" ? 1 : 0);
    if (s.status === "ready") m.backboneInfo.set({ backbone: s.backbone.id, device: s.backbone.device }, 1);
  });
  app.get("/metrics", async (_req, reply) => {
    await refreshLineAlarms(services);
    reply.header("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    return m.registry.render();
  });
}
