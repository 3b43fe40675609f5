// Builds the Fastify app: request ids, CORS, the optional API key, multipart, tRPC at /trpc, legacy REST at the root.
import Fastify, { LogController, type FastifyInstance } from "fastify";
import cors from "@fastify/cors";
import multipart from "@fastify/multipart";
import { fastifyTRPCPlugin, type FastifyTRPCPluginOptions } from "@trpc/server/adapters/fastify";
import type { ServiceContext } from "./context.ts";
import { appRouter, type AppRouter } from "./trpc/router.ts";
import { registerLegacyRoutes } from "./legacy/index.ts";
import { databasePlugin } from "./plugins/database.ts";
import { servicesPlugin } from "./plugins/services.ts";
import { registerDashboardApi } from "./api/index.ts";
import { apiKeyHook } from "./api-key.ts";
import { apiRoleHook } from "./api/guard.ts";
import { identityHook } from "./auth-hook.ts";
import { firstRunHint } from "./services/auth.ts";
import { registerAuthApi } from "./api/auth.ts";
import { createTrpcContext } from "./trpc/context.ts";
import { requestIdFrom } from "./request-id.ts";

export type BuildAppOptions = {
  logger?: boolean | object;
  /** idle keep-alive of client connections (Fastify's default 72 s); behind the edge its pooled sockets stay longer */
  keepAliveTimeoutMs?: number;
  /** behind the edge: take the client's address from X-Forwarded-For, set by the edge on loopback */
  behindEdge?: boolean;
};

export async function buildApp(ctx: ServiceContext, opts: BuildAppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? { level: ctx.config.logLevel },
    ...(opts.keepAliveTimeoutMs ? { keepAliveTimeout: opts.keepAliveTimeoutMs } : {}),
    ...(opts.behindEdge ? { trustProxy: "127.0.0.1" } : {}),
    // The WPF client correlates by X-Request-Id: reuse a sane one, else mint a uuid4.
    genReqId: (req) => requestIdFrom(req.headers["x-request-id"]),
    logController: new LogController({ requestIdLogLabel: "request_id" }),
    bodyLimit: ctx.config.maxUploadMb * 1024 * 1024,
    routerOptions: { maxParamLength: 5000 },
  });

  app.addHook("onRequest", async (req, reply) => {
    reply.header("X-Request-Id", req.id);
  });

  const corsBase = {
    origin: ctx.config.corsOrigins.includes("*") ? true : ctx.config.corsOrigins,
    credentials: !ctx.config.corsOrigins.includes("*"),
    exposedHeaders: ["x-request-id", "x-recipe-id"],
    // The dashboard's proxy sends its identity header, so direct browser calls are preflighted: let browsers cache it.
    maxAge: 600,
  };
  // A bare OPTIONS (no Origin + Access-Control-Request-Method) is not a preflight: it must reach the router
  // (405 on known paths, 404 on unknown ones), because the WPF client probes routes that way (contract §2.3).
  await app.register(cors, {
    delegator: (req, cb) => {
      const preflight = !!(req.headers.origin && req.headers["access-control-request-method"]);
      cb(null, { ...corsBase, preflight });
    },
  });
  // The optional API key guards every route of the app (legacy REST, /trpc, /api) but /health and /docs. Added after
  // CORS so preflights are answered first and a 401 still carries the CORS headers a browser needs to read it.
  app.addHook("onRequest", apiKeyHook(ctx));
  // /trpc and /api also need a signed-in user (auth-hook.ts), and the procedure's (trpc/trpc.ts) or route's
  // (api/guard.ts) role; the legacy REST routes keep only the API key.
  app.addHook("onRequest", identityHook(ctx));
  app.addHook("preHandler", apiRoleHook(ctx));
  await app.register(multipart, {
    limits: { fileSize: ctx.config.maxUploadMb * 1024 * 1024, files: 500, fields: 1000 },
  });

  // Oversized bodies are refused from their Content-Length, before they stream in. tRPC reads FormData bodies itself,
  // past Fastify's bodyLimit, so it has its own limit. For the other non-multipart bodies this also replaces Fastify's
  // own 413, which closes the connection while the client is still sending: through the edge's proxy that close
  // turned into a write error (EPIPE) and a 502 instead of the 413. Answered here, Node reads and drops the rest.
  const bodyLimit = ctx.config.maxUploadMb * 1024 * 1024;
  const trpcBodyLimit = bodyLimit * 20;
  app.addHook("onRequest", async (req, reply) => {
    const len = Number(req.headers["content-length"] ?? 0);
    if (req.url.startsWith("/trpc/")) {
      if (len > trpcBodyLimit) return reply.code(413).send({ error: `request body of ${len} bytes exceeds the ${trpcBodyLimit} byte limit` });
      return;
    }
    if (len > bodyLimit && !String(req.headers["content-type"] ?? "").toLowerCase().startsWith("multipart/")) {
      return reply.code(413).send({ detail: `Upload too large: request body of ${len} bytes exceeds the ${bodyLimit} byte limit` });
    }
  });

  // The use cases' resources, each closed with the app (onClose hooks run in reverse: compute processes first, then
  // the database).
  await app.register(databasePlugin, { ctx });
  await app.register(servicesPlugin, { ctx });

  await app.register(fastifyTRPCPlugin, {
    prefix: "/trpc",
    trpcOptions: {
      router: appRouter,
      // The signed-in user from the dashboard's identity token; each procedure's role middleware decides.
      createContext: ({ req }) => createTrpcContext(ctx, req),
      onError: ({ error, path }) => {
        if (error.code === "INTERNAL_SERVER_ERROR") app.log.error({ err: error, path }, "trpc error");
      },
    } satisfies FastifyTRPCPluginOptions<AppRouter>["trpcOptions"],
  });

  await registerLegacyRoutes(app, ctx);
  await registerDashboardApi(app, ctx);
  await registerAuthApi(app, ctx);
  // A fresh data root has no user: say how to create the first admin (there is no default account).
  app.addHook("onReady", async () => {
    const hint = await firstRunHint(ctx);
    if (hint) app.log.warn(hint);
  });
  return app;
}
