// POST /infer_dataset (contract §1.9): the ROI's stored samples scored and decided with its active version and
// calibration, one item per sample (errors reported per item); nothing is stored.
import type { FastifyInstance } from "fastify";
import { sanitizeModelKey } from "@bdi/core";
import type { Services } from "../../services/index.ts";
import { ServiceError } from "../../services/errors.ts";
import { inferDataset } from "../../services/infer.ts";
import { legacyRegions } from "../format.ts";
import { FieldReader } from "../form.ts";
import { legacyHandler, legacyRef, requireJsonObject, resolveRecipeFor } from "../request.ts";

function labelsOf(v: unknown): Array<"ok" | "ng"> {
  if (v === undefined || v === null) return ["ok", "ng"];
  if (!Array.isArray(v) || v.some((l) => l !== "ok" && l !== "ng")) throw new ServiceError("bad_request", "labels must be a list of 'ok' / 'ng'");
  return [...new Set(v as Array<"ok" | "ng">)];
}

export function inferDatasetRoute(app: FastifyInstance, svc: Services): void {
  app.post("/infer_dataset", legacyHandler("/infer_dataset", async (req, _reply, lr) => {
    const body = requireJsonObject(req);
    const f = FieldReader.fromJson(body);
    const roleId = f.str("role_id", true);
    const roiId = f.str("roi_id", true);
    const recipeRaw = f.str("recipe_id");
    const modelKey = f.str("model_key");
    const includeHeatmap = f.bool("include_heatmap") ?? false;
    const defaultMmPerPx = f.num("default_mm_per_px");
    f.done();
    const labels = labelsOf(body.labels);
    const recipe = resolveRecipeFor(req, lr, recipeRaw);
    const ref = legacyRef(recipe, roleId!, roiId!, modelKey);
    const { items: scored, calibration: cal } = await inferDataset(svc, { ref, labels, includeHeatmap, defaultMmPerPx });
    const items = scored.map((s) => {
      const regions = s.result ? legacyRegions(s.result.regions) : [];
      return {
        label: s.sample.label,
        filename: s.sample.fileName,
        mm_per_px: s.mmPerPx,
        score: s.score ?? null,
        threshold: s.error ? null : cal.threshold,
        regions: s.error ? null : regions,
        n_regions: regions.length,
        error: s.error ?? null,
        ...(s.result?.decision ? { decision: s.result.decision } : {}),
        ...(includeHeatmap ? { heatmap_png_base64: s.result?.heatmapPng ? s.result.heatmapPng.toString("base64") : null } : {}),
      };
    });
    return {
      status: "ok",
      role_id: roleId,
      roi_id: roiId,
      recipe_id: recipe.id,
      model_key: sanitizeModelKey(modelKey ?? roiId),
      request_id: lr.requestId,
      n_total: items.length,
      n_errors: items.filter((i) => i.error).length,
      items,
    };
  }));
}
