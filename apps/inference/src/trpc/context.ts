// The tRPC request context: the signed-in user (verified once per request by the app's identity hook,
// ../auth-hook.ts, which already refused anonymous calls), the request id, and the service context. The role
// middleware of every procedure (./trpc.ts) checks the user's role.
import type { FastifyRequest } from "fastify";
import type { ServiceContext } from "../context.ts";
import { ANONYMOUS_ACTOR } from "../services/auth.ts";
import type { TrpcContext } from "./trpc.ts";

export function createTrpcContext(svc: ServiceContext, req: FastifyRequest): TrpcContext {
  const identity = req.identity ?? null;
  return { svc, requestId: String(req.id), actor: identity?.username ?? ANONYMOUS_ACTOR, identity };
}
