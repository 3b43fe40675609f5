// The one reader of the single-crop inference form, shared by /infer (contract §1.4) and /predict (seed docs).
import type { FastifyRequest } from "fastify";
import type { RoiRef } from "../services/samples.ts";
import { assertMmPerPx } from "../services/samples.ts";
import { readRoiForm, type UploadedFile } from "./form.ts";
import { legacyRef, resolveRecipeFor, type LegacyRequest } from "./request.ts";

export type InferForm = { ref: RoiRef; mmPerPx: number; shape?: string; includeHeatmap?: boolean; image: UploadedFile };

/**
 * role_id, roi_id, mm_per_px (required by /infer; /predict falls back to `mmPerPxDefault`), shape, recipe_id,
 * model_key and the crop (`image`; /predict also takes `images`). 422 for a missing or unparsable field.
 */
export async function readInferForm(
  req: FastifyRequest,
  lr: LegacyRequest,
  opts: { mmPerPxDefault?: number; imageFields: string[]; includeHeatmap: boolean },
): Promise<InferForm> {
  const { form, f, roleId, roiId } = await readRoiForm(req);
  const mmPerPx = opts.mmPerPxDefault === undefined ? f.num("mm_per_px", true) : (f.num("mm_per_px") ?? opts.mmPerPxDefault);
  const shape = f.str("shape");
  const includeHeatmap = opts.includeHeatmap ? f.bool("include_heatmap") : undefined;
  const recipeRaw = f.str("recipe_id");
  const modelKey = f.str("model_key");
  const image = opts.imageFields.map((name) => form.files.find((x) => x.field === name)).find((x) => x !== undefined);
  if (!image) f.issues.push({ type: "missing", loc: ["body", "image"], msg: "Field required", input: null });
  f.done();
  const recipe = resolveRecipeFor(req, lr, recipeRaw);
  assertMmPerPx(mmPerPx!);
  const ref: RoiRef = legacyRef(recipe, roleId, roiId, modelKey);
  return { ref, mmPerPx: mmPerPx!, shape, includeHeatmap, image: image! };
}
