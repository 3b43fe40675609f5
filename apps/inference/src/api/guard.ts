// Roles for the dashboard's /api routes (images, heatmaps, the audit CSV, …), checked once for the whole prefix after
// the identity hook (../auth-hook.ts) has refused anonymous calls. A route states its least role in its route config
// (`{ config: { role: "engineer" } }`); without one, reads (GET/HEAD) need viewer and anything else needs admin, so
// a forgotten declaration fails closed. /api/auth/* (the dashboard's sign-in calls) checks its own caller.
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Role } from "@bdi/core/auth/roles";
import type { ServiceContext } from "../context.ts";
import { authorize } from "../services/auth.ts";

declare module "fastify" {
  interface FastifyContextConfig {
    /** least role of an /api route (default: viewer for GET/HEAD, admin otherwise) */
    role?: Role;
  }
}

/** The one value of a header that may arrive repeated. */
export function headerValue(req: FastifyRequest, name: string): string | undefined {
  const h = req.headers[name];
  return Array.isArray(h) ? h[0] : h;
}

/** preHandler hook for the app: the /api route's role (the request's identity was set by the identity hook). */
export function apiRoleHook(ctx: ServiceContext) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const path = req.url.split("?")[0]!;
    if (!path.startsWith("/api/") || path.startsWith("/api/auth/")) return;
    const needed = req.routeOptions.config?.role ?? (req.method === "GET" || req.method === "HEAD" ? "viewer" : "admin");
    const decision = await authorize(ctx, req.identity ?? null, needed, { what: `${req.method} ${path}`, requestId: String(req.id) });
    if (!decision.ok) return reply.code(decision.status).header("Cache-Control", "no-store").send({ error: decision.message });
  };
}
