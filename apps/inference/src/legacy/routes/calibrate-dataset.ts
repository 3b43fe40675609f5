// POST /calibrate_dataset (contract §1.8): the ROI's stored OK and NG samples scored with the active version, then
// the legacy threshold rule; stored as the version's calibration.
import type { FastifyInstance } from "fastify";
import { DEFAULT_AREA_MM2_THR, DEFAULT_SCORE_PERCENTILE, sanitizeModelKey } from "@bdi/core";
import type { Services } from "../../services/index.ts";
import { ServiceError } from "../../services/errors.ts";
import { calibrateDataset, promisesOf } from "../../services/calibrate.ts";
import { FieldReader } from "../form.ts";
import { ids, legacyHandler, legacyRef, requireJsonObject, resolveRecipeFor, who } from "../request.ts";

export function calibrateDatasetRoute(app: FastifyInstance, svc: Services): void {
  app.post("/calibrate_dataset", legacyHandler("/calibrate_dataset", async (req, _reply, lr) => {
    const f = FieldReader.fromJson(requireJsonObject(req));
    const roleId = f.str("role_id", true);
    const roiId = f.str("roi_id", true);
    const recipeRaw = f.str("recipe_id");
    const modelKey = f.str("model_key");
    const percentile = f.int("score_percentile") ?? DEFAULT_SCORE_PERCENTILE;
    const areaMm2Thr = f.num("area_mm2_thr") ?? DEFAULT_AREA_MM2_THR;
    const defaultMmPerPx = f.num("default_mm_per_px");
    const requireNg = f.bool("require_ng") ?? true;
    f.done();
    const recipe = resolveRecipeFor(req, lr, recipeRaw);
    if (percentile < 0 || percentile > 100) throw new ServiceError("bad_request", "score_percentile must be within [0, 100]");
    const ref = legacyRef(recipe, roleId!, roiId!, modelKey);
    const r = await calibrateDataset(svc, { ref, percentile, areaMm2Thr, defaultMmPerPx, requireNg }, who(lr));
    const cal = r.calibration;
    const promises = promisesOf(cal);
    const skipped = r.skipped.map((s) => ({ label: s.sample.label, filename: s.sample.fileName, error: s.error }));
    return {
      status: "ok",
      threshold: cal.threshold,
      score_percentile: percentile,
      area_mm2_thr: areaMm2Thr,
      n_ok: r.nOk,
      n_ng: r.nNg,
      ...ids(lr),
      role_id: roleId,
      roi_id: roiId,
      model_key: sanitizeModelKey(modelKey ?? roiId),
      rule: cal.rule,
      out_of_sample: cal.outOfSample,
      expected_false_reject_rate: promises.falseRejectRate,
      expected_miss_rate: promises.missRate,
      n_skipped: skipped.length,
      skipped,
      calibration_id: cal.id,
    };
  }));
}
