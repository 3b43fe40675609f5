// The tRPC request context: the signed-in user named by the dashboard's identity token (verified here, once per
// request), the request id, and the service context. Anonymous requests get a context too: the role middleware of
// every procedure (./trpc.ts) refuses them with the reason kept in `authFailure`.
import type { FastifyRequest } from "fastify";
import { IDENTITY_HEADER } from "@bdi/core/auth/identity-token";
import type { ServiceContext } from "../context.ts";
import { ANONYMOUS_ACTOR, resolveIdentity } from "../services/auth.ts";
import type { TrpcContext } from "./trpc.ts";

const firstHeader = (h: string | string[] | undefined) => (Array.isArray(h) ? h[0] : h);

export async function createTrpcContext(svc: ServiceContext, req: FastifyRequest): Promise<TrpcContext> {
  const requestId = String(req.id);
  const path = req.url.split("?")[0]!;
  const { identity, failure } = await resolveIdentity(svc, firstHeader(req.headers[IDENTITY_HEADER]), `${req.method} ${path}`, requestId);
  return { svc, requestId, actor: identity?.username ?? ANONYMOUS_ACTOR, identity, ...(failure ? { authFailure: failure } : {}) };
}
