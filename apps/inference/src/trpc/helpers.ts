// Small helpers shared by the procedures.
import { getServices, type Actor, type Services } from "../services/index.ts";
import type { TrpcContext } from "./trpc.ts";

export function services(ctx: TrpcContext): Services {
  return getServices(ctx.svc);
}

/** Audit context of this request (actor: the signed-in user, set by the role middleware; the request id; a reason). */
export function who(ctx: TrpcContext, reason?: string | null): Actor {
  return { actor: ctx.actor, requestId: ctx.requestId, reason: reason ?? null };
}

export const isTerminal = (status: string) => status === "succeeded" || status === "failed";

/** Server-local midnight. */
export function localMidnight(now = new Date()): Date {
  return new Date(now.getFullYear(), now.getMonth(), now.getDate());
}
