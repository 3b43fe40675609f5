// /state, /manifest, /fit_ok, /calibrate_ng, /calibrate_dataset, /infer, /infer_dataset (contract §1.2–§1.9).
import type { FastifyInstance, FastifyRequest } from "fastify";
import { findRoi, listDatasetSamples, parseJson, type Calibration } from "@bdi/db";
import { legacyThreshold, sanitizeModelKey } from "@bdi/core";
import { toLegacyRegion, type Region } from "@bdi/core/schemas/region";
import type { Services } from "../services/index.ts";
import { ServiceError } from "../services/errors.ts";
import {
  checkMmPerPxLock, ensureRoiLocked, findRoiForRead, listDataset, uploadSamples, assertMmPerPx, type RoiRef,
} from "../services/samples.ts";
import {
  DEFAULT_AREA_MM2_THR, DEFAULT_SCORE_PERCENTILE, inferImage, requireBackbone, roiModelState, scoreDataset, storeCalibration, submitFit,
} from "../services/models.ts";
import { inspectImage } from "../services/storage.ts";
import { parseShapeText } from "../services/shape.ts";
import { defaultCoresetRate } from "../engine/coreset.ts";
import { FieldReader, readForm } from "./form.ts";
import { ids, legacyHandler, resolveRecipeFor, type LegacyRequest } from "./request.ts";
import { queryRef, who } from "./datasets.ts";
import { notFittedMessage } from "./errors.ts";

/** Where the sidecar of a stored sample can be read (the seed docs' `samples[].meta`). */
export function sampleMetaUrl(ref: RoiRef, label: "ok" | "ng", fileName: string): string {
  const q = new URLSearchParams({ role_id: ref.roleId, roi_id: ref.roiId, label, filename: fileName });
  return `datasets/meta?${q.toString()}`;
}

function requireJsonObject(req: FastifyRequest): Record<string, unknown> {
  const b = req.body;
  if (b === undefined || b === null || typeof b !== "object" || Array.isArray(b) || Buffer.isBuffer(b)) {
    const r = new FieldReader(new Map(), "body");
    r.issues.push({ type: "dict_type", loc: ["body"], msg: "Input should be a valid dictionary", input: b ?? null });
    r.done();
  }
  return b as Record<string, unknown>;
}

/** Numbers from a JSON list; NaN/Inf dropped (strings "NaN"/"Infinity" included, as Python's float() reads them). */
function numberList(v: unknown, name: string): number[] | null {
  if (v === undefined || v === null) return null;
  if (!Array.isArray(v)) throw new ServiceError("bad_request", `${name} must be a list of numbers`);
  const out: number[] = [];
  for (const x of v) {
    const n = typeof x === "number" ? x : typeof x === "string" ? Number(x) : NaN;
    if (typeof x !== "number" && typeof x !== "string") throw new ServiceError("bad_request", `${name} must be a list of numbers`);
    if (typeof x === "string" && Number.isNaN(n) && !/^[+-]?(nan|inf|infinity)$/i.test(x.trim())) throw new ServiceError("bad_request", `${name} must be a list of numbers`);
    if (Number.isFinite(n)) out.push(n);
  }
  return out;
}

function calibrationJson(c: Calibration) {
  const ok = parseJson<Record<string, number>>(c.okStatsJson) ?? {};
  const ng = parseJson<Record<string, number>>(c.ngStatsJson);
  return {
    threshold: c.threshold,
    rule: c.rule,
    score_percentile: Math.round(c.scorePercentile),
    area_mm2_thr: c.areaMm2Thr,
    mm_per_px: c.mmPerPx,
    ok_mean: ok.mean ?? null,
    ng_mean: ng?.mean ?? 0,
    p99_ok: ok.p ?? null,
    p5_ng: ng?.p5 ?? null,
    n_ok: ok.n ?? null,
    n_ng: ng?.n ?? 0,
    out_of_sample: c.outOfSample,
    expected_false_reject_rate: c.expectedFalseRejectRate,
    expected_miss_rate: c.expectedMissRate,
    calibration_id: c.id,
    model_version_id: c.modelVersionId,
    created_at_utc: c.createdAt.toISOString(),
  };
}

function legacyRegions(regions: Region[]) {
  return regions.map((r) => toLegacyRegion(r));
}

export function registerModelRoutes(app: FastifyInstance, svc: Services) {
  const minOk = () => svc.ctx.config.minOkSamples;

  app.get(
    "/state",
    legacyHandler("/state", async (req, _reply, lr) => {
      const { ref } = queryRef(req, lr);
      const roi = await findRoiForRead(svc, ref);
      const st = roiModelState(svc, roi);
      return {
        status: "ok",
        memory_fitted: st.fitted,
        calib_present: st.calibrated,
        ...ids(lr),
        role_id: ref.roleId,
        roi_id: ref.roiId,
        model_key: sanitizeModelKey(ref.modelKey ?? ref.roiId),
      };
    }),
  );

  app.get(
    "/manifest",
    legacyHandler("/manifest", async (req, _reply, lr) => {
      const { ref } = queryRef(req, lr);
      const roi = await findRoiForRead(svc, ref);
      const st = roiModelState(svc, roi);
      const { classes } = await listDataset(svc, ref);
      return {
        role_id: ref.roleId,
        roi_id: ref.roiId,
        recipe_id: lr.recipe!.id,
        model_key: sanitizeModelKey(ref.modelKey ?? ref.roiId),
        memory: st.fitted,
        calib: st.calibration ? calibrationJson(st.calibration) : null,
        datasets: { role_id: ref.roleId, roi_id: ref.roiId, classes },
        model_version: st.version
          ? {
              id: st.version.id,
              version: st.version.versionNumber,
              status: st.version.status,
              backbone: st.version.backboneId,
              n_embeddings: st.version.nEmbeddings,
              coreset_size: st.version.coresetSize,
              token_shape: parseJson<number[]>(st.version.tokenShapeJson),
              created_at_utc: st.version.createdAt.toISOString(),
            }
          : null,
        request_id: lr.requestId,
      };
    }),
  );

  app.post(
    "/fit_ok",
    legacyHandler("/fit_ok", async (req, _reply, lr) => {
      const form = await readForm(req);
      const f = FieldReader.fromForm(form);
      const roleId = f.str("role_id", true);
      const roiId = f.str("roi_id", true);
      const mmPerPx = f.num("mm_per_px", true);
      const memoryFit = f.bool("memory_fit") ?? false;
      const useDataset = f.bool("use_dataset") ?? false;
      const recipeRaw = f.str("recipe_id");
      const modelKey = f.str("model_key");
      const images = form.files.filter((x) => x.field === "images");
      f.done();
      const recipe = resolveRecipeFor(req, lr, recipeRaw);
      assertMmPerPx(mmPerPx!);
      if (svc.ctx.config.trainDatasetOnly && !useDataset)
        throw new ServiceError("bad_request", "Training only supported from dataset (use_dataset=true) in this deployment.");
      if (!useDataset && images.length === 0) throw new ServiceError("bad_request", "No images provided");
      const ref: RoiRef = { recipeId: recipe.id, recipeDisplayName: recipe.displayName, roleId: roleId!, roiId: roiId!, modelKey };
      await checkMmPerPxLock(svc, ref.recipeId, mmPerPx!);
      const w = who(lr);

      // Uploaded images join the ROI's OK dataset (seed docs: ok_added / samples), all or nothing.
      let uploaded: Awaited<ReturnType<typeof uploadSamples>> | null = null;
      if (images.length) {
        requireBackbone(svc); // do not store anything when the fit cannot run
        uploaded = await uploadSamples(
          svc,
          { ref, label: "ok", source: "legacy-upload", files: images.map((i) => ({ data: i.data, filename: i.filename, meta: { mm_per_px: mmPerPx } })), defaultMmPerPx: mmPerPx },
          w,
        );
      }
      await ensureRoiLocked(svc, ref, mmPerPx!, w);
      const roi = await findRoi(svc.ctx.db.prisma, { recipeId: ref.recipeId, roleId: ref.roleId, roiId: ref.roiId });
      if (!roi) throw new Error("ROI vanished");

      let samples;
      if (useDataset) {
        samples = await listDatasetSamples(svc.ctx.db.prisma, { roiId: roi.id, label: "ok" });
        if (samples.length === 0) throw new ServiceError("no_ok_samples", "No OK dataset samples found");
        if (samples.length < minOk())
          throw new ServiceError("insufficient_ok_samples", `Insufficient OK samples: need at least ${minOk()}, found ${samples.length}`, {
            need: minOk(),
            found: samples.length,
          });
      } else {
        samples = uploaded!.samples;
      }
      const coresetRate = memoryFit ? 1.0 : defaultCoresetRate(requireBackbone(svc).entry, svc.ctx.config.coresetRate);
      const { jobId, done } = submitFit(svc, { roi, ref, samples, coresetRate, mmPerPx: mmPerPx! }, w);
      const r = await done;
      return {
        n_embeddings: r.nEmbeddings,
        coreset_size: r.coresetSize,
        token_shape: r.tokenShape,
        coreset_rate_requested: r.coresetRateRequested,
        coreset_rate_applied: r.coresetRateApplied,
        ...ids(lr),
        ...(uploaded
          ? {
              ok_added: uploaded.samples.length,
              target_dir: uploaded.samples[0] ? uploaded.samples[0].storedPath.split("/").slice(0, -1).join("/") : null,
              samples: uploaded.samples.map((s) => ({ file: s.storedPath, meta: sampleMetaUrl(ref, "ok", s.fileName), filename: s.fileName })),
            }
          : {}),
        model_version: r.version.versionNumber,
        model_version_id: r.version.id,
        job_id: jobId,
        n_images: samples.length,
        calibrated: !!r.calibration,
        threshold: r.calibration?.threshold ?? null,
        ...(r.calibrationSkippedReason ? { calibration_note: r.calibrationSkippedReason } : {}),
        fit_ms: Math.round(r.durationMs),
      };
    }),
  );

  app.post(
    "/calibrate_ng",
    legacyHandler("/calibrate_ng", async (req, _reply, lr) => {
      const body = requireJsonObject(req);
      const recipe = resolveRecipeFor(req, lr, body.recipe_id);
      if (body.role_id === undefined || body.role_id === null) throw new ServiceError("bad_request", "'role_id'");
      if (body.roi_id === undefined || body.roi_id === null) throw new ServiceError("bad_request", "'roi_id'");
      const roleId = String(body.role_id);
      const roiId = String(body.roi_id);
      const modelKey = body.model_key != null ? String(body.model_key) : undefined;
      const mmPerPx = body.mm_per_px == null ? 0.2 : Number(body.mm_per_px);
      if (!Number.isFinite(mmPerPx)) throw new ServiceError("bad_request", "mm_per_px must be a number");
      const areaMm2Thr = body.area_mm2_thr == null ? DEFAULT_AREA_MM2_THR : Number(body.area_mm2_thr);
      if (!Number.isFinite(areaMm2Thr) || areaMm2Thr < 0) throw new ServiceError("bad_request", "area_mm2_thr must be a finite number >= 0");
      // int() like the original (0.995 → 0): the percentile of the OK scores.
      const spRaw = body.score_percentile == null ? DEFAULT_SCORE_PERCENTILE : Number(body.score_percentile);
      if (!Number.isFinite(spRaw)) throw new ServiceError("bad_request", "score_percentile must be a number");
      const scorePercentile = Math.trunc(spRaw);
      if (scorePercentile < 0 || scorePercentile > 100) throw new ServiceError("bad_request", "score_percentile must be within [0, 100]");
      const okScores = numberList(body.ok_scores ?? [], "ok_scores") ?? [];
      const ngScores = numberList(body.ng_scores, "ng_scores");
      if (okScores.length === 0) throw new ServiceError("bad_request", "Se requiere al menos 1 score OK para calibrar");
      const t = legacyThreshold({ okScores, ngScores, percentile: scorePercentile });

      // Stored against the ROI's active model version; without one there is nothing the threshold could apply to.
      const ref: RoiRef = { recipeId: recipe.id, roleId, roiId, modelKey };
      const roi = await findRoi(svc.ctx.db.prisma, { recipeId: ref.recipeId, roleId, roiId });
      const st = roiModelState(svc, roi);
      let stored: Calibration | null = null;
      if (roi && st.version) {
        stored = await storeCalibration(
          svc,
          { version: st.version, okScores, ngScores, percentile: scorePercentile, areaMm2Thr, mmPerPx, outOfSample: false },
          { ...who(lr), reason: "calibrate_ng (client-supplied scores)" },
        );
      }
      return {
        threshold: t.threshold,
        ok_mean: t.okMean,
        ng_mean: t.ngMean,
        p99_ok: t.pOk,
        p5_ng: t.pNg,
        mm_per_px: mmPerPx,
        area_mm2_thr: areaMm2Thr,
        score_percentile: scorePercentile,
        ...ids(lr),
        rule: t.rule,
        stored: !!stored,
        ...(stored ? { calibration_id: stored.id, model_version_id: stored.modelVersionId } : { warning: "No fitted model for this ROI: the threshold was computed but not stored. Run /fit_ok first." }),
      };
    }),
  );

  app.post(
    "/calibrate_dataset",
    legacyHandler("/calibrate_dataset", async (req, _reply, lr) => {
      const body = requireJsonObject(req);
      const f = FieldReader.fromJson(body);
      const roleId = f.str("role_id", true);
      const roiId = f.str("roi_id", true);
      const recipeRaw = f.str("recipe_id");
      const modelKey = f.str("model_key");
      const sp = f.int("score_percentile") ?? DEFAULT_SCORE_PERCENTILE;
      const areaMm2Thr = f.num("area_mm2_thr") ?? DEFAULT_AREA_MM2_THR;
      const defaultMm = f.num("default_mm_per_px");
      const requireNg = f.bool("require_ng") ?? true;
      f.done();
      const recipe = resolveRecipeFor(req, lr, recipeRaw);
      if (sp < 0 || sp > 100) throw new ServiceError("bad_request", "score_percentile must be within [0, 100]");
      const ref: RoiRef = { recipeId: recipe.id, roleId: roleId!, roiId: roiId!, modelKey };
      const roi = await findRoiForRead(svc, ref);
      const st = roiModelState(svc, roi);
      if (!roi || !st.fitted || !st.version) throw new ServiceError("not_fitted", notFittedMessage("/calibrate_dataset"));
      // Cheap checks first: scoring the dataset takes a while.
      const db = svc.ctx.db.prisma;
      if ((await listDatasetSamples(db, { roiId: roi.id, label: "ok" })).length === 0) throw new ServiceError("no_ok_samples", "No valid OK samples for calibration.");
      if (requireNg && (await listDatasetSamples(db, { roiId: roi.id, label: "ng" })).length === 0)
        throw new ServiceError("no_ng_samples", "No NG samples available for calibration.");
      const scored = await scoreDataset(svc, { roi, version: st.version, labels: ["ok", "ng"], percentile: sp, outOfSampleOk: true, defaultMmPerPx: defaultMm });
      const okScores = scored.ok.filter((s) => s.score !== undefined).map((s) => s.score!);
      const ngScores = scored.ng.filter((s) => s.score !== undefined).map((s) => s.score!);
      if (okScores.length === 0) throw new ServiceError("no_ok_samples", "No valid OK samples for calibration.");
      if (requireNg && ngScores.length === 0) throw new ServiceError("no_ng_samples", "No NG samples available for calibration.");
      const cal = await storeCalibration(
        svc,
        { version: st.version, okScores, ngScores, percentile: sp, areaMm2Thr, mmPerPx: defaultMm ?? null, outOfSample: scored.outOfSample },
        { ...who(lr), reason: "calibrate_dataset" },
      );
      const skipped = [...scored.ok, ...scored.ng].filter((s) => s.error).map((s) => ({ label: s.sample.label, filename: s.sample.fileName, error: s.error }));
      return {
        status: "ok",
        threshold: cal.threshold,
        score_percentile: sp,
        area_mm2_thr: areaMm2Thr,
        n_ok: okScores.length,
        n_ng: ngScores.length,
        ...ids(lr),
        role_id: ref.roleId,
        roi_id: ref.roiId,
        model_key: sanitizeModelKey(modelKey ?? ref.roiId),
        rule: cal.rule,
        out_of_sample: cal.outOfSample,
        expected_false_reject_rate: cal.expectedFalseRejectRate,
        expected_miss_rate: cal.expectedMissRate,
        n_skipped: skipped.length,
        skipped,
        calibration_id: cal.id,
      };
    }),
  );

  app.post(
    "/infer",
    legacyHandler("/infer", async (req, _reply, lr) => {
      const form = await readForm(req);
      const f = FieldReader.fromForm(form);
      const roleId = f.str("role_id", true);
      const roiId = f.str("roi_id", true);
      const mmPerPx = f.num("mm_per_px", true);
      const shapeRaw = f.str("shape");
      const includeHeatmap = f.bool("include_heatmap");
      const recipeRaw = f.str("recipe_id");
      const modelKey = f.str("model_key");
      const image = form.files.find((x) => x.field === "image");
      if (!image) f.issues.push({ type: "missing", loc: ["body", "image"], msg: "Field required", input: null });
      f.done();
      const recipe = resolveRecipeFor(req, lr, recipeRaw);
      assertMmPerPx(mmPerPx!);
      const ref: RoiRef = { recipeId: recipe.id, recipeDisplayName: recipe.displayName, roleId: roleId!, roiId: roiId!, modelKey };
      await checkMmPerPxLock(svc, ref.recipeId, mmPerPx!);
      const info = await inspectImage(image!.data, "image");
      const roi = await findRoiForRead(svc, ref);
      const st = roiModelState(svc, roi);
      if (!roi || !st.fitted) throw new ServiceError("not_fitted", notFittedMessage("/infer"));
      if (!st.calibrated) throw new ServiceError("calibration_missing", "calibration_missing");
      const shape = parseShapeText(shapeRaw, "shape", info.width, info.height);
      const out = await inferImage(svc, {
        roi,
        state: st,
        ref,
        image: image!.data,
        imageSha256: info.sha256,
        shape: shape?.shape ?? null,
        mmPerPx: mmPerPx!,
        requireCalibration: true,
        source: "legacy-infer",
        requestId: lr.requestId,
      });
      const withHeatmap = includeHeatmap ?? out.decision === "ng";
      return {
        score: out.result.score,
        threshold: out.threshold,
        token_shape: out.tokenShape,
        heatmap_png_base64: withHeatmap && out.heatmapPng ? out.heatmapPng.toString("base64") : null,
        regions: legacyRegions(out.regions),
        ...ids(lr),
        decision: out.decision,
        inspection_id: out.inspectionId,
        model_version: st.version!.versionNumber,
      };
    }),
  );

  app.post(
    "/infer_dataset",
    legacyHandler("/infer_dataset", async (req, _reply, lr) => {
      const body = requireJsonObject(req);
      const f = FieldReader.fromJson(body);
      const roleId = f.str("role_id", true);
      const roiId = f.str("roi_id", true);
      const recipeRaw = f.str("recipe_id");
      const modelKey = f.str("model_key");
      const includeHeatmap = f.bool("include_heatmap") ?? false;
      const defaultMm = f.num("default_mm_per_px");
      f.done();
      let labels: Array<"ok" | "ng"> = ["ok", "ng"];
      if (body.labels !== undefined && body.labels !== null) {
        if (!Array.isArray(body.labels) || body.labels.some((l) => l !== "ok" && l !== "ng"))
          throw new ServiceError("bad_request", "labels must be a list of 'ok' / 'ng'");
        labels = [...new Set(body.labels as Array<"ok" | "ng">)];
      }
      const recipe = resolveRecipeFor(req, lr, recipeRaw);
      const ref: RoiRef = { recipeId: recipe.id, roleId: roleId!, roiId: roiId!, modelKey };
      const roi = await findRoiForRead(svc, ref);
      const st = roiModelState(svc, roi);
      if (!roi || !st.fitted || !st.version) throw new ServiceError("not_fitted", notFittedMessage("/infer_dataset"));
      if (!st.calibrated || !st.calibration) throw new ServiceError("calibration_missing", "calibration_missing");
      const cal = st.calibration;
      const scored = await scoreDataset(svc, {
        roi,
        version: st.version,
        labels,
        percentile: cal.scorePercentile,
        outOfSampleOk: false,
        threshold: cal.threshold,
        includeHeatmap,
        defaultMmPerPx: defaultMm,
        areaMm2Thr: cal.areaMm2Thr,
      });
      const items = [...scored.ok, ...scored.ng].map((s) => {
        const meta = parseJson<Record<string, unknown>>(s.sample.clientMetaJson) ?? {};
        const mm = s.sample.mmPerPx ?? (typeof meta.mm_per_px === "number" ? meta.mm_per_px : null) ?? defaultMm ?? null;
        const regions = s.result ? legacyRegions([...s.result.regions].sort((a, b) => b.area_px - a.area_px)) : [];
        return {
          label: s.sample.label,
          filename: s.sample.fileName,
          mm_per_px: mm,
          score: s.score ?? null,
          threshold: s.error ? null : cal.threshold,
          regions: s.error ? null : regions,
          n_regions: regions.length,
          error: s.error ?? null,
          ...(s.score !== undefined ? { decision: s.score >= cal.threshold ? "ng" : "ok" } : {}),
          ...(includeHeatmap ? { heatmap_png_base64: s.result?.heatmapPng ? s.result.heatmapPng.toString("base64") : null } : {}),
        };
      });
      return {
        status: "ok",
        role_id: ref.roleId,
        roi_id: ref.roiId,
        recipe_id: lr.recipe!.id,
        model_key: sanitizeModelKey(modelKey ?? ref.roiId),
        request_id: lr.requestId,
        n_total: items.length,
        n_errors: items.filter((i) => i.error).length,
        items,
      };
    }),
  );
}
