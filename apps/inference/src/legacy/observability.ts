// /metrics (Prometheus text), the optional API key, and the request metrics hook.
import { timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ServiceContext } from "../context.ts";
import type { Services } from "../services/index.ts";

/** Paths that never need the API key: the client's 2 s health poll, and the static docs shell. */
const OPEN_PATHS = new Set(["/health", "/docs"]);

function keyMatches(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** onRequest hook: when BDI_API_KEY / BACKEND_API_KEY is set, every route but /health needs X-API-Key (401). */
export function apiKeyHook(ctx: ServiceContext) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const expected = ctx.config.apiKey;
    if (!expected) return;
    const path = req.url.split("?")[0]!;
    if (OPEN_PATHS.has(path)) return;
    const h = req.headers["x-api-key"];
    const given = Array.isArray(h) ? h[0] : h;
    if (given && keyMatches(given, expected)) return;
    reply.header("WWW-Authenticate", "ApiKey");
    return reply.code(401).send({ detail: given ? "Invalid API key" : "Missing X-API-Key header" });
  };
}

/** Counts every request (all routes of the app, tRPC included) by method, route pattern and status. */
export function registerRequestMetrics(app: FastifyInstance, services: Services) {
  app.addHook("onResponse", async (req, reply) => {
    const route = req.routeOptions?.url ?? "unmatched";
    const method = req.method;
    services.metrics.httpRequests.inc({ method, route, status: String(reply.statusCode) });
    services.metrics.httpDuration.observe({ method, route }, reply.elapsedTime / 1000);
  });
}

export function registerMetricsRoute(app: FastifyInstance, ctx: ServiceContext, services: Services) {
  const m = services.metrics;
  m.registry.onCollect(() => {
    m.uptime.set({}, Math.round((Date.now() - ctx.startedAt) / 1000));
    const s = ctx.backbone.current;
    m.backboneReady.set({}, s.status === "ready" ? 1 : 0);
    if (s.status === "ready") m.backboneInfo.set({ backbone: s.backbone.id, device: s.backbone.device }, 1);
  });
  app.get("/metrics", async (_req, reply) => {
    reply.header("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    return m.registry.render();
  });
}
