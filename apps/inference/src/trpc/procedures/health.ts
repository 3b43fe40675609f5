import { SERVICE_VERSION } from "../../config.ts";
import type { ServiceContext } from "../../context.ts";
import { replicaHealth } from "../../services/replica-health.ts";
import { viewerProcedure } from "../trpc.ts";

/** Service status: backbone, device, readiness, and which replica answered with its database / store reachability
 * (also part of `overview`). */
export function healthSummary(svc: ServiceContext) {
  const s = svc.backbone.current;
  const base = {
    ...replicaHealth(svc),
    version: SERVICE_VERSION,
    uptimeS: Math.round((Date.now() - svc.startedAt) / 1000),
    dataRoot: svc.config.dataRoot,
    requestedDevice: svc.config.device,
  };
  if (s.status === "ready") {
    return {
      ...base,
      status: "ok" as const,
      ready: true,
      device: s.backbone.device,
      backbone: s.backbone.id as string | null,
      model: s.backbone.id,
      reason: s.backbone.deviceReason as string | undefined,
    };
  }
  return {
    ...base,
    status: s.status === "starting" ? ("starting" as const) : ("error" as const),
    ready: false,
    device: svc.config.device,
    backbone: null as string | null,
    model: svc.config.backbone,
    reason: (s.status === "error" ? s.error : "backbone_loading") as string | undefined,
  };
}

/** Service status for the dashboard: backbone, device, readiness. */
export const health = viewerProcedure.query(({ ctx }) => healthSummary(ctx.svc));
