import { SERVICE_VERSION } from "../../config.ts";
import { publicProcedure } from "../trpc.ts";

/** Service status for the dashboard: backbone, device, readiness. */
export const health = publicProcedure.query(({ ctx }) => {
  const s = ctx.svc.backbone.current;
  const base = {
    version: SERVICE_VERSION,
    uptimeS: Math.round((Date.now() - ctx.svc.startedAt) / 1000),
    dataRoot: ctx.svc.config.dataRoot,
    requestedDevice: ctx.svc.config.device,
  };
  if (s.status === "ready") {
    return {
      ...base,
      status: "ok" as const,
      ready: true,
      device: s.backbone.device,
      backbone: s.backbone.id,
      model: s.backbone.id,
      reason: s.backbone.deviceReason,
    };
  }
  return {
    ...base,
    status: s.status === "starting" ? ("starting" as const) : ("error" as const),
    ready: false,
    device: ctx.svc.config.device,
    backbone: null,
    model: ctx.svc.config.backbone,
    reason: s.status === "error" ? s.error : "backbone_loading",
  };
});
