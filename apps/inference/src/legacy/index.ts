// The legacy REST API at the root of the service (contract v3 + the seed docs' routes), for the WPF client. One file
// per route under ./routes (parse, call one use case of ../services, format); errors are worded once (./errors.ts).
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ServiceContext } from "../context.ts";
import { getServices } from "../services/index.ts";
import { registerHealth } from "./routes/health.ts";
import { stateRoute } from "./routes/state.ts";
import { manifestRoute } from "./routes/manifest.ts";
import { fitOkRoute } from "./routes/fit-ok.ts";
import { calibrateNgRoute } from "./routes/calibrate-ng.ts";
import { calibrateDatasetRoute } from "./routes/calibrate-dataset.ts";
import { inferRoute } from "./routes/infer.ts";
import { inferDatasetRoute } from "./routes/infer-dataset.ts";
import { predictRoute } from "./routes/predict.ts";
import { sendNgRoute } from "./routes/send-ng.ts";
import { trainStatusRoute } from "./routes/train-status.ts";
import { datasetsUploadRoute } from "./routes/datasets-upload.ts";
import { datasetsListRoute } from "./routes/datasets-list.ts";
import { datasetsFileRoute } from "./routes/datasets-file.ts";
import { datasetsMetaRoute } from "./routes/datasets-meta.ts";
import { datasetsDeleteRoute } from "./routes/datasets-delete.ts";
import { datasetsClearRoute } from "./routes/datasets-clear.ts";
import { registerMetricsRoute, registerRequestMetrics } from "./observability.ts";
import { registerDocs } from "./openapi.ts";

/** Paths of the legacy API and their methods: an existing path with another method is a 405 (FastAPI). */
const LEGACY_PATHS: Record<string, string[]> = {
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
function legacyNotFound(req: FastifyRequest, reply: FastifyReply) {
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

const ROUTES = [
  stateRoute, manifestRoute, fitOkRoute, calibrateNgRoute, calibrateDatasetRoute, inferRoute, inferDatasetRoute,
  datasetsUploadRoute, datasetsListRoute, datasetsFileRoute, datasetsMetaRoute, datasetsDeleteRoute, datasetsClearRoute,
  sendNgRoute, predictRoute, trainStatusRoute,
];

export async function registerLegacyRoutes(app: FastifyInstance, ctx: ServiceContext): Promise<void> {
  const svc = getServices(ctx);
  registerRequestMetrics(app, svc);
  app.setNotFoundHandler(legacyNotFound);

  await app.register(async (scope) => {
    // FastAPI's Form() also reads urlencoded bodies.
    scope.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_req, body, done) => {
      const out: Record<string, string[]> = {};
      for (const [k, v] of new URLSearchParams(String(body))) (out[k] ??= []).push(v);
      done(null, out);
    });
    scope.setErrorHandler(legacyFrameworkError);

    registerHealth(scope, ctx);
    for (const route of ROUTES) route(scope, svc);
    registerMetricsRoute(scope, ctx, svc);
    registerDocs(scope);
  });
}
