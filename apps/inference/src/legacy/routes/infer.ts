// POST /infer (contract §1.4): one crop scored with the ROI's active version and calibration, recorded for review.
import type { FastifyInstance } from "fastify";
import { LINE_SOURCE } from "@bdi/core";
import type { Services } from "../../services/index.ts";
import { inferImage } from "../../services/infer.ts";
import { legacyRegions } from "../format.ts";
import { readInferForm } from "../infer-form.ts";
import { ids, legacyHandler } from "../request.ts";

export function inferRoute(app: FastifyInstance, svc: Services): void {
  app.post("/infer", legacyHandler("/infer", async (req, _reply, lr) => {
    const form = await readInferForm(req, lr, { imageFields: ["image"], includeHeatmap: true });
    const out = await inferImage(svc, {
      ref: form.ref, image: form.image.data, shape: form.shape, mmPerPx: form.mmPerPx, checkMmPerPxLock: true,
      requireCalibration: true, source: LINE_SOURCE, requestId: lr.requestId,
    });
    // The heatmap by default only with an NG decision (contract v3, 2026-01-20).
    const withHeatmap = form.includeHeatmap ?? out.decision === "ng";
    return {
      score: out.result.score,
      threshold: out.threshold,
      token_shape: out.tokenShape,
      heatmap_png_base64: withHeatmap && out.heatmapPng ? out.heatmapPng.toString("base64") : null,
      regions: legacyRegions(out.regions),
      ...ids(lr),
      decision: out.decision,
      inspection_id: out.inspectionId,
      model_version: out.version.versionNumber,
      ...(out.evidenceStored ? {} : { evidence_stored: false }),
    };
  }));
}
