// Sign-in and roles for the dashboard's /api routes (images, heatmaps, the audit CSV, …), checked once for the whole
// prefix so a route added later is guarded without doing anything. A route states its least role in its route config
// (`{ config: { role: "engineer" } }`); without one, reads (GET/HEAD) need viewer and anything else needs admin, so
// a forgotten declaration fails closed. /api/auth/* (the dashboard's sign-in calls) checks its own caller.
import type { FastifyReply, FastifyRequest } from "fastify";
import { IDENTITY_HEADER } from "@bdi/core/auth/identity-token";
import type { Role } from "@bdi/core/auth/roles";
import type { ServiceContext } from "../context.ts";
import { authorize, resolveIdentity, type Identity } from "../services/auth.ts";

declare module "fastify" {
  interface FastifyRequest {
    /** the signed-in user of an /api request (set by the guard) */
    identity?: Identity;
  }
  interface FastifyContextConfig {
    /** least role of an /api route (default: viewer for GET/HEAD, admin otherwise) */
    role?: Role;
  }
}

export const API_PREFIX = "/api/";
export const API_AUTH_PREFIX = "/api/auth/";

/** The one value of a header that may arrive repeated. */
export function headerValue(req: FastifyRequest, name: string): string | undefined {
  const h = req.headers[name];
  return Array.isArray(h) ? h[0] : h;
}

/** onRequest hook for the app: every /api request but /api/auth/* needs a signed-in user with the route's role. */
export function apiGuardHook(ctx: ServiceContext) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const path = req.url.split("?")[0]!;
    if (!path.startsWith(API_PREFIX) || path.startsWith(API_AUTH_PREFIX)) return;
    const what = `${req.method} ${path}`;
    const { identity, failure } = await resolveIdentity(ctx, headerValue(req, IDENTITY_HEADER), what, String(req.id));
    const needed = req.routeOptions.config?.role ?? (req.method === "GET" || req.method === "HEAD" ? "viewer" : "admin");
    const decision = await authorize(ctx, identity, needed, { what, requestId: String(req.id), authFailure: failure });
    if (!decision.ok) {
      if (decision.status === 401) reply.header("WWW-Authenticate", 'Bearer realm="bdi-dashboard"');
      return reply.code(decision.status).header("Cache-Control", "no-store").send({ error: decision.message });
    }
    req.identity = decision.identity;
  };
}
