// POST /fit_ok (contract §1.2): a fit from the ROI's OK dataset or from uploaded OK crops; waits for it.
import type { FastifyInstance } from "fastify";
import type { Services } from "../../services/index.ts";
import { fitOk } from "../../services/fit.ts";
import { assertMmPerPx } from "../../services/samples.ts";
import { uploadedJson } from "../format.ts";
import { readRoiForm } from "../form.ts";
import { ids, legacyHandler, legacyRef, resolveRecipeFor, who } from "../request.ts";

export function fitOkRoute(app: FastifyInstance, svc: Services): void {
  app.post("/fit_ok", legacyHandler("/fit_ok", async (req, _reply, lr) => {
    const { form, f, roleId, roiId } = await readRoiForm(req);
    const mmPerPx = f.num("mm_per_px", true);
    const memoryFit = f.bool("memory_fit") ?? false;
    const useDataset = f.bool("use_dataset") ?? false;
    const recipeRaw = f.str("recipe_id");
    const modelKey = f.str("model_key");
    const images = form.files.filter((x) => x.field === "images");
    f.done();
    const recipe = resolveRecipeFor(req, lr, recipeRaw);
    assertMmPerPx(mmPerPx);
    const ref = legacyRef(recipe, roleId, roiId, modelKey);
    const { jobId, result: r, samples, uploaded } = await fitOk(svc, { ref, mmPerPx, useDataset, memoryFit, images }, who(lr));
    return {
      n_embeddings: r.fit.bank.coreset.candidates,
      coreset_size: r.fit.bank.n,
      token_shape: r.tokenShape,
      coreset_rate_requested: r.coresetRateRequested,
      coreset_rate_applied: r.fit.bank.coreset.rate,
      ...ids(lr),
      ...(uploaded ? { ok_added: uploaded.samples.length, ...uploadedJson(ref, "ok", uploaded.samples) } : {}),
      model_version: r.version.versionNumber,
      model_version_id: r.version.id,
      job_id: jobId,
      n_images: samples.length,
      calibrated: !!r.calibration,
      threshold: r.calibration?.threshold ?? null,
      ...(r.calibrationSkippedReason ? { calibration_note: r.calibrationSkippedReason } : {}),
      fit_ms: Math.round(r.durationMs),
    };
  }));
}
