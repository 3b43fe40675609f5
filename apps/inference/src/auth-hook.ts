// Sign-in for the dashboard's two API families, checked once at the root of the app like the API key (./api-key.ts):
// every /trpc and /api request (but /api/auth/*, the dashboard's own sign-in calls, which check their caller) must
// carry a valid identity token naming an active user, else 401 before any route or procedure runs — so a route or
// procedure added later is closed to anonymous callers without doing anything. Which role a call needs is decided
// after routing: per procedure (trpc/trpc.ts, its metadata) and per /api route (api/guard.ts, its route config).
import type { FastifyReply, FastifyRequest } from "fastify";
import { IDENTITY_HEADER } from "@bdi/core/auth/identity-token";
import type { ServiceContext } from "./context.ts";
import { resolveIdentity, type Identity } from "./services/auth.ts";

declare module "fastify" {
  interface FastifyRequest {
    /** the signed-in user of a /trpc or /api request (set by the identity hook) */
    identity?: Identity;
  }
}

const AUTH_ROUTES = "/api/auth/";

/** Whether a path belongs to the dashboard's API families (the legacy REST routes keep only the API key). */
export function needsSignIn(path: string): boolean {
  return (path === "/trpc" || path.startsWith("/trpc/") || path.startsWith("/api/")) && !path.startsWith(AUTH_ROUTES);
}

/** The 401 body in the shape each API family's clients parse (as api-key.ts does). */
function unauthorizedBody(path: string, message: string): unknown {
  if (path.startsWith("/trpc")) return { error: { message, code: -32001, data: { code: "UNAUTHORIZED", httpStatus: 401 } } };
  return { error: message };
}

export function identityHook(ctx: ServiceContext) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const path = req.url.split("?")[0]!;
    if (!needsSignIn(path)) return;
    // A CORS preflight carries no custom headers by definition; @fastify/cors (registered first) answers it.
    if (req.method === "OPTIONS" && req.headers.origin && req.headers["access-control-request-method"]) return;
    const h = req.headers[IDENTITY_HEADER];
    const { identity, failure } = await resolveIdentity(ctx, Array.isArray(h) ? h[0] : h, `${req.method} ${path}`, String(req.id));
    if (identity) {
      req.identity = identity;
      return;
    }
    reply.header("WWW-Authenticate", 'Bearer realm="bdi-dashboard"').header("Cache-Control", "no-store");
    return reply.code(401).send(unauthorizedBody(path, failure ?? "Sign in first"));
  };
}
