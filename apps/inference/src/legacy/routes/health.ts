// GET /health in the legacy shape (contract §1.1); 503 while the backbone is not ready. Recipe validated (the
// reserved `last` → 400) but never looked up: the client polls every 2 s, so this touches no DB or disk.
// The answer depends only on the backbone's state and the background probes' latest outcome, so the edge process
// (../edge) can serve the same bytes from a snapshot this module builds, while this process is busy.
// Plant mode added fields after the legacy ones (the WPF client reads status, device, model, version and ignores the
// rest): replica_id, role, runs_jobs, database and store reachability (services/replica-health.ts). They never change
// the status code: the database and the store are shared by every replica, so taking one replica out of the balancer
// for them would not help.
import type { FastifyInstance } from "fastify";
import { SERVICE_VERSION } from "../../config.ts";
import type { ServiceContext } from "../../context.ts";
import { replicaHealth, stopReplicaHealth, type Reachability } from "../../services/replica-health.ts";
import { ids, legacyHandler, resolveRecipeFor } from "../request.ts";

/** The timm name the WPF client has always seen for DINOv2; other backbones report their own id. */
export const LEGACY_DINO_MODEL = "vit_small_patch14_dinov2.lvd142m";

export function legacyModelName(backboneId: string): string {
  return backboneId.startsWith("dinov2") ? LEGACY_DINO_MODEL : backboneId;
}

type LegacyHealthBody = { status: "ok" | "starting" | "error"; device: "cpu" | "cuda"; model: string; version: string; reason?: string };
type LegacyReachability = { reachable: boolean | null; error?: string };
type ReplicaFields = {
  replica_id: string;
  role: "standalone" | "replica";
  runs_jobs: boolean;
  database: LegacyReachability & { engine: "sqlite" | "postgresql" };
  store: LegacyReachability & { kind: "local" | "s3" };
};

/** /health's status code and body without the per-request ids (they come last in the body). */
export type HealthSnapshot = { code: 200 | 503; body: LegacyHealthBody & ReplicaFields };

const reach = (r: Reachability): LegacyReachability => ({ reachable: r.reachable, ...(r.error ? { error: r.error } : {}) });

function replicaFields(ctx: ServiceContext): ReplicaFields {
  const h = replicaHealth(ctx);
  return {
    replica_id: h.replicaId,
    role: h.role,
    runs_jobs: h.runsJobs,
    database: { engine: h.database.engine, ...reach(h.database) },
    store: { kind: h.store.kind, ...reach(h.store) },
  };
}

function legacyBody(ctx: Pick<ServiceContext, "backbone" | "config">): { code: 200 | 503; body: LegacyHealthBody } {
  const s = ctx.backbone.current;
  if (s.status !== "ready") {
    return {
      code: 503,
      body: {
        status: s.status === "starting" ? "starting" : "error",
        device: ctx.config.device.startsWith("cuda") ? "cuda" : "cpu",
        model: ctx.config.backbone,
        version: SERVICE_VERSION,
        reason: s.status === "starting" ? "backbone_loading" : s.error,
      },
    };
  }
  const b = s.backbone;
  return {
    code: 200,
    body: {
      status: "ok",
      device: b.device.startsWith("cuda") ? "cuda" : "cpu",
      model: legacyModelName(b.id),
      version: SERVICE_VERSION,
      ...(b.deviceReason ? { reason: b.deviceReason } : {}),
    },
  };
}

export function healthSnapshot(ctx: ServiceContext): HealthSnapshot {
  const { code, body } = legacyBody(ctx);
  return { code, body: { ...body, ...replicaFields(ctx) } };
}

export function registerHealth(app: FastifyInstance, ctx: ServiceContext) {
  app.addHook("onClose", async () => stopReplicaHealth(ctx));
  app.get(
    "/health",
    legacyHandler("/health", async (req, reply, lr) => {
      const q = (req.query ?? {}) as Record<string, unknown>;
      resolveRecipeFor(req, lr, q.recipe_id);
      const { code, body } = healthSnapshot(ctx);
      return reply.code(code).send({ ...body, ...ids(lr) });
    }),
  );
}
