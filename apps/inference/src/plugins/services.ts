// The service's resources as a Fastify plugin that owns their start and close: the use cases' `Services` (metrics,
// jobs, the two compute processes). The scoring process starts as soon as the backbone is ready, so the first /infer
// does not load one; both compute processes are stopped when the app closes.
import fp from "fastify-plugin";
import type { ServiceContext } from "../context.ts";
import { getServices } from "../services/index.ts";
import { startRetentionSchedule } from "../services/retention.ts";
import { startReplicaHealth } from "../services/replica-health.ts";

export const servicesPlugin = fp<{ ctx: ServiceContext }>(async (app, { ctx }) => {
  const svc = getServices(ctx);
  // Retention of inspection crops/heatmaps (BDI_RETENTION_DAYS; off by default): a timer, stopped first at close.
  const retention = startRetentionSchedule(svc);
  app.addHook("onClose", () => retention.stop());
  // Plant mode: the job mirror and the model-change channel listen from the start; this replica takes jobs once its
  // backbone is ready (unless BDI_JOB_WORKER=0). Jobs stop first at close: a running one is handed back to the queue.
  await Promise.all([svc.jobs.open(), svc.changes.open(), startReplicaHealth(ctx)]);
  app.addHook("onClose", async () => {
    await Promise.all([svc.jobs.close(), svc.changes.close(), svc.lineWatch.close()]);
    await Promise.all([svc.compute.close(), svc.scorer.close()]);
  });
  void ctx.backbone.whenReady().then(() => svc.scorer.warm());
  if (ctx.config.jobWorker) {
    void ctx.backbone.whenReady().then(() => svc.jobs.work()).catch((err: unknown) => app.log.error({ err }, "the job worker did not start"));
  }
}, { name: "bdi-services" });
