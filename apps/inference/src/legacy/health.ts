// GET /health in the legacy shape (contract §1.1); 503 while the backbone is not ready.
import type { FastifyInstance } from "fastify";
import { SERVICE_VERSION } from "../config.ts";
import type { ServiceContext } from "../context.ts";

/** The timm name the WPF client has always seen for DINOv2; other backbones report their own id. */
const LEGACY_DINO_MODEL = "vit_small_patch14_dinov2.lvd142m";

export function registerHealth(app: FastifyInstance, ctx: ServiceContext) {
  app.get("/health", async (req, reply) => {
    const s = ctx.backbone.current;
    const ids = { request_id: req.id, recipe_id: "default" };
    if (s.status !== "ready") {
      return reply.code(503).send({
        status: s.status === "starting" ? "starting" : "error",
        device: ctx.config.device.startsWith("cuda") ? "cuda" : "cpu",
        model: null,
        version: SERVICE_VERSION,
        reason: s.status === "starting" ? "backbone_loading" : s.error,
        ...ids,
      });
    }
    const b = s.backbone;
    return {
      status: "ok",
      device: b.device.startsWith("cuda") ? "cuda" : "cpu",
      model: b.id.startsWith("dinov2") ? LEGACY_DINO_MODEL : b.id,
      version: SERVICE_VERSION,
      ...(b.deviceReason ? { reason: b.deviceReason } : {}),
      ...ids,
    };
  });
}
