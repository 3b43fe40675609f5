// Small helpers shared by the procedures.
import { TRPCError } from "@trpc/server";
import { getModelVersion, getRoi, type ModelVersion } from "@bdi/db";
import { getServices, type Actor, type Services } from "../services/index.ts";
import type { TrpcContext } from "./trpc.ts";

export function services(ctx: TrpcContext): Services {
  return getServices(ctx.svc);
}

/** Audit context of this request (actor from the x-actor header, the request id, an optional reason). */
export function who(ctx: TrpcContext, reason?: string | null): Actor {
  return { actor: ctx.actor, requestId: ctx.requestId, reason: reason ?? null };
}

/** The version named, or the ROI's active one; PRECONDITION_FAILED when the ROI has none. */
export async function resolveVersion(ctx: TrpcContext, input: { modelVersionId?: string; roiId?: string }): Promise<ModelVersion> {
  const db = ctx.svc.db.prisma;
  if (input.modelVersionId) return getModelVersion(db, input.modelVersionId);
  const roi = await getRoi(db, input.roiId!);
  if (!roi.activeModelVersion)
    throw new TRPCError({ code: "PRECONDITION_FAILED", message: `ROI ${roi.roleId}/${roi.roiId} has no active model version: start a fit first.` });
  return roi.activeModelVersion;
}

export const isTerminal = (status: string) => status === "succeeded" || status === "failed";

/** Server-local midnight. */
export function localMidnight(now = new Date()): Date {
  return new Date(now.getFullYear(), now.getMonth(), now.getDate());
}
