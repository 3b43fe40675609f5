// Routes promised by the original deployment docs (seed 004): POST /send_ng, POST /predict, GET /train/status.
import type { FastifyInstance } from "fastify";
import type { Services } from "../services/index.ts";
import { ServiceError } from "../services/errors.ts";
import { assertMmPerPx, checkMmPerPxLock, findRoiForRead, uploadSamples, type RoiRef } from "../services/samples.ts";
import { inferImage, requireBackbone, roiModelState } from "../services/models.ts";
import { inspectImage } from "../services/storage.ts";
import { parseShapeText } from "../services/shape.ts";
import { FieldReader, readForm } from "./form.ts";
import { ids, legacyHandler, resolveRecipeFor } from "./request.ts";
import { who } from "./datasets.ts";
import { notFittedMessage } from "./errors.ts";
import { legacyModelName } from "./health.ts";
import { sampleMetaUrl } from "./models.ts";

export function registerSeedRoutes(app: FastifyInstance, svc: Services) {
  /** NG samples for the ROI's dataset (the seed's `ng_added` / `samples` shape). */
  app.post(
    "/send_ng",
    legacyHandler("/send_ng", async (req, _reply, lr) => {
      const form = await readForm(req);
      const f = FieldReader.fromForm(form);
      const roleId = f.str("role_id", true);
      const roiId = f.str("roi_id", true);
      const mmPerPx = f.num("mm_per_px");
      const recipeRaw = f.str("recipe_id");
      const images = form.files.filter((x) => x.field === "images" || x.field === "image");
      if (images.length === 0) f.issues.push({ type: "missing", loc: ["body", "images"], msg: "Field required", input: null });
      f.done();
      const recipe = resolveRecipeFor(req, lr, recipeRaw);
      if (mmPerPx !== undefined) assertMmPerPx(mmPerPx);
      const ref: RoiRef = { recipeId: recipe.id, recipeDisplayName: recipe.displayName, roleId: roleId!, roiId: roiId! };
      const { samples } = await uploadSamples(
        svc,
        { ref, label: "ng", source: "legacy-upload", files: images.map((i) => ({ data: i.data, filename: i.filename, meta: mmPerPx !== undefined ? { mm_per_px: mmPerPx } : null })) },
        who(lr),
      );
      const dir = samples[0]!.storedPath.split("/").slice(0, -1).join("/");
      return {
        ng_added: samples.length,
        target_dir: dir,
        samples: samples.map((s) => ({ file: s.storedPath, meta: sampleMetaUrl(ref, "ng", s.fileName), filename: s.fileName })),
        saved: samples.map((s) => s.fileName),
        ...ids(lr),
      };
    }),
  );

  /** One crop scored against the ROI's active model (seed shape); works uncalibrated (is_anomaly false, threshold null). */
  app.post(
    "/predict",
    legacyHandler("/predict", async (req, _reply, lr) => {
      const form = await readForm(req);
      const f = FieldReader.fromForm(form);
      const roleId = f.str("role_id", true);
      const roiId = f.str("roi_id", true);
      const mmPerPx = f.num("mm_per_px") ?? 0.2;
      const shapeRaw = f.str("shape");
      const recipeRaw = f.str("recipe_id");
      const image = form.files.find((x) => x.field === "image") ?? form.files.find((x) => x.field === "images");
      if (!image) f.issues.push({ type: "missing", loc: ["body", "image"], msg: "Field required", input: null });
      f.done();
      const recipe = resolveRecipeFor(req, lr, recipeRaw);
      assertMmPerPx(mmPerPx);
      const ref: RoiRef = { recipeId: recipe.id, roleId: roleId!, roiId: roiId! };
      await checkMmPerPxLock(svc, ref.recipeId, mmPerPx);
      const info = await inspectImage(image!.data, "image");
      const roi = await findRoiForRead(svc, ref);
      const st = roiModelState(svc, roi);
      if (!roi || !st.fitted) throw new ServiceError("not_fitted", notFittedMessage("/infer"));
      const shape = parseShapeText(shapeRaw, "shape", info.width, info.height);
      const t0 = performance.now();
      const out = await inferImage(svc, {
        roi, state: st, ref, image: image!.data, imageSha256: info.sha256, shape: shape?.shape ?? null,
        mmPerPx, requireCalibration: false, source: "legacy-infer", requestId: lr.requestId,
      });
      const calibrated = out.calibrated;
      return {
        role_id: ref.roleId,
        roi_id: ref.roiId,
        scores: [
          {
            roi: ref.roiId,
            score: out.result.score,
            is_anomaly: calibrated ? out.decision === "ng" : false,
            threshold: calibrated ? out.threshold : null,
            decision: calibrated ? out.decision : null,
            percentile: st.calibration?.scorePercentile ?? 99,
            n_regions: out.regions.length,
          },
        ],
        inference_ms: Math.round((performance.now() - t0) * 10) / 10,
        image_resized: [info.width, info.height],
        ...ids(lr),
      };
    }),
  );

  app.get(
    "/train/status",
    legacyHandler("/train/status", async (req, _reply, lr) => {
      resolveRecipeFor(req, lr, (req.query as Record<string, unknown> | undefined)?.recipe_id);
      const active = svc.jobs.active().filter((j) => j.kind === "fit");
      const last = await svc.ctx.db.prisma.modelVersion.findFirst({ where: { status: { in: ["ready", "retired"] } }, orderBy: { createdAt: "desc" } });
      let model: string = svc.ctx.config.backbone;
      let device = svc.ctx.config.device;
      try {
        const b = requireBackbone(svc);
        model = legacyModelName(b.id);
        device = b.device;
      } catch {
        /* still loading: report the configured values */
      }
      return {
        status: active.some((j) => j.status === "running") ? "running" : "idle",
        last_train_ts: last ? last.createdAt.toISOString().replace(/\.\d{3}Z$/, "Z") : null,
        queue_size: active.filter((j) => j.status === "queued").length,
        model,
        device: device === "cuda" ? "cuda:0" : device,
        coreset_size: last?.coresetSize ?? 0,
        ...ids(lr),
      };
    }),
  );
}
