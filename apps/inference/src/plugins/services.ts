// The service's resources as a Fastify plugin that owns their start and close: the use cases' `Services` (metrics,
// jobs, the two compute processes). The scoring process starts as soon as the backbone is ready, so the first /infer
// does not load one; both compute processes are stopped when the app closes.
import fp from "fastify-plugin";
import type { ServiceContext } from "../context.ts";
import { getServices } from "../services/index.ts";

export const servicesPlugin = fp<{ ctx: ServiceContext }>(async (app, { ctx }) => {
  const svc = getServices(ctx);
  app.addHook("onClose", async () => {
    await Promise.all([svc.compute.close(), svc.scorer.close()]);
  });
  void ctx.backbone.whenReady().then(() => svc.scorer.warm());
}, { name: "bdi-services" });
