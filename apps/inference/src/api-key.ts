// The optional API key (BDI_API_KEY / BACKEND_API_KEY), checked once at the root of the app for every route: the
// legacy REST API, tRPC at /trpc and the dashboard's binary routes at /api. Only /health (the WPF client's 2 s poll
// and the e2e/ops readiness probe) and the static /docs shell stay open; CORS preflights are answered by @fastify/cors
// before this hook runs.
import { timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { ServiceContext } from "./context.ts";

/** Paths that never need the API key: the client's 2 s health poll, and the static docs shell. */
export const OPEN_PATHS: ReadonlySet<string> = new Set(["/health", "/docs"]);

function keyMatches(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The 401 body in the shape each API family's clients parse. */
function unauthorizedBody(path: string, message: string): unknown {
  if (path === "/trpc" || path.startsWith("/trpc/")) {
    // A tRPC error envelope, so tRPC clients surface UNAUTHORIZED with the message (a batch link maps one envelope
    // onto every call of the batch).
    return { error: { message, code: -32001, data: { code: "UNAUTHORIZED", httpStatus: 401 } } };
  }
  if (path.startsWith("/api/")) return { error: message }; // the dashboard API's error shape
  return { detail: message }; // legacy REST (FastAPI's shape)
}

/** onRequest hook: when BDI_API_KEY / BACKEND_API_KEY is set, every route but /health (and /docs) needs X-API-Key (401). */
export function apiKeyHook(ctx: ServiceContext) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const expected = ctx.config.apiKey;
    if (!expected) return;
    const path = req.url.split("?")[0]!;
    if (OPEN_PATHS.has(path)) return;
    // A CORS preflight carries no custom headers by definition; @fastify/cors (registered first) answers it.
    if (req.method === "OPTIONS" && req.headers.origin && req.headers["access-control-request-method"]) return;
    const h = req.headers["x-api-key"];
    const given = Array.isArray(h) ? h[0] : h;
    if (given && keyMatches(given, expected)) return;
    reply.header("WWW-Authenticate", "ApiKey").header("Cache-Control", "no-store");
    return reply.code(401).send(unauthorizedBody(path, given ? "Invalid API key" : "Missing X-API-Key header"));
  };
}
