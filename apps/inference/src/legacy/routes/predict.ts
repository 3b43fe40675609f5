// POST /predict (seed docs): one crop scored against the ROI's active model; works uncalibrated (is_anomaly false,
// threshold null). The same inference as /infer.
import type { FastifyInstance } from "fastify";
import { DEFAULT_MM_PER_PX, DEFAULT_SCORE_PERCENTILE, LINE_SOURCE } from "@bdi/core";
import type { Services } from "../../services/index.ts";
import { inferImage } from "../../services/infer.ts";
import { readInferForm } from "../infer-form.ts";
import { ids, legacyHandler } from "../request.ts";

export function predictRoute(app: FastifyInstance, svc: Services): void {
  app.post("/predict", legacyHandler("/predict", async (req, _reply, lr) => {
    const form = await readInferForm(req, lr, { mmPerPxDefault: DEFAULT_MM_PER_PX, imageFields: ["image", "images"], includeHeatmap: false });
    const t0 = performance.now();
    const out = await inferImage(svc, {
      ref: form.ref, image: form.image.data, shape: form.shape, mmPerPx: form.mmPerPx, checkMmPerPxLock: true,
      requireCalibration: false, source: LINE_SOURCE, requestId: lr.requestId,
    });
    return {
      role_id: form.ref.roleId,
      roi_id: form.ref.roiId,
      scores: [
        {
          roi: form.ref.roiId,
          score: out.result.score,
          is_anomaly: out.calibrated ? out.decision === "ng" : false,
          threshold: out.calibrated ? out.threshold : null,
          decision: out.calibrated ? out.decision : null,
          percentile: out.calibration?.scorePercentile ?? DEFAULT_SCORE_PERCENTILE,
          n_regions: out.regions.length,
        },
      ],
      inference_ms: Math.round((performance.now() - t0) * 10) / 10,
      image_resized: [out.result.width, out.result.height],
      ...ids(lr),
    };
  }));
}
