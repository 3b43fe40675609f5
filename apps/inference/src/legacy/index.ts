// The legacy REST API at the root of the service (contract v3 + the seed docs' routes), for the WPF client.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ServiceContext } from "../context.ts";
import { getServices } from "../services/index.ts";
import { registerHealth } from "./health.ts";
import { registerDatasets } from "./datasets.ts";
import { registerModelRoutes } from "./models.ts";
import { registerSeedRoutes } from "./seeds.ts";
import { registerMetricsRoute, registerRequestMetrics } from "./observability.ts";
import { registerDocs } from "./openapi.ts";

/** Paths of the legacy API and their methods: an existing path with another method is a 405 (FastAPI). */
export const LEGACY_PATHS: Record<string, string[]> = {
  "/health": ["GET"],
  "/state": ["GET"],
  "/manifest": ["GET"],
  "/fit_ok": ["POST"],
  "/calibrate_ng": ["POST"],
  "/calibrate_dataset": ["POST"],
  "/infer": ["POST"],
  "/infer_dataset": ["POST"],
  "/datasets/ok/upload": ["POST"],
  "/datasets/ng/upload": ["POST"],
  "/datasets/list": ["GET"],
  "/datasets/file": ["GET", "DELETE"],
  "/datasets/meta": ["GET"],
  "/datasets/clear": ["DELETE"],
  "/send_ng": ["POST"],
  "/predict": ["POST"],
  "/train/status": ["GET"],
  "/metrics": ["GET"],
  "/openapi.json": ["GET"],
  "/docs": ["GET"],
};

function pathOf(url: string): string {
  const p = url.split("?")[0]!;
  return p.length > 1 ? p.replace(/\/+$/, "") : p;
}

/** 404 {"detail":"Not Found"} for unknown paths; 405 {"detail":"Method Not Allowed"} for a known path (bare OPTIONS included). */
export function legacyNotFound(req: FastifyRequest, reply: FastifyReply) {
  const allowed = LEGACY_PATHS[pathOf(req.url)];
  if (allowed && !allowed.includes(req.method)) {
    return reply.code(405).header("Allow", allowed.join(", ")).send({ detail: "Method Not Allowed" });
  }
  return reply.code(404).send({ detail: "Not Found" });
}

/** Errors raised by Fastify itself (body parsing, limits) in the legacy shapes. */
function legacyFrameworkError(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  const code = err.code ?? "";
  if (code === "FST_ERR_CTP_BODY_TOO_LARGE" || err.statusCode === 413) return reply.code(413).send({ detail: `Upload too large: ${err.message}` });
  if (code === "FST_ERR_CTP_INVALID_JSON_BODY" || code === "FST_ERR_CTP_EMPTY_JSON_BODY" || err instanceof SyntaxError)
    return reply.code(422).send({ detail: [{ type: "json_invalid", loc: ["body", 0], msg: `JSON decode error: ${err.message}`, input: {} }] });
  if (code === "FST_ERR_CTP_INVALID_MEDIA_TYPE" || err.statusCode === 415)
    return reply.code(422).send({ detail: [{ type: "model_attributes_type", loc: ["body"], msg: `Unsupported content type: ${req.headers["content-type"] ?? "none"}`, input: null }] });
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return reply.code(err.statusCode).send({ detail: err.message });
  req.log.error({ err }, "unhandled error");
  return reply.code(500).send({ error: err.message || "Internal Server Error", request_id: String(req.id), recipe_id: "default" });
}

export async function registerLegacyRoutes(app: FastifyInstance, ctx: ServiceContext): Promise<void> {
  const svc = getServices(ctx);
  registerRequestMetrics(app, svc);
  app.setNotFoundHandler(legacyNotFound);
  app.addHook("onClose", async () => {
    await Promise.all([svc.compute.close(), svc.scorer.close()]);
  });
  // Start the scoring worker as soon as the backbone is ready, so the first /infer does not load a backbone.
  void ctx.backbone.whenReady().then(() => svc.scorer.warm());

  await app.register(async (scope) => {
    // FastAPI's Form() also reads urlencoded bodies.
    scope.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_req, body, done) => {
      const out: Record<string, string[]> = {};
      for (const [k, v] of new URLSearchParams(String(body))) (out[k] ??= []).push(v);
      done(null, out);
    });
    scope.setErrorHandler(legacyFrameworkError);

    registerHealth(scope, ctx);
    registerDatasets(scope, svc);
    registerModelRoutes(scope, svc);
    registerSeedRoutes(scope, svc);
    registerMetricsRoute(scope, ctx, svc);
    registerDocs(scope);
  });
}
