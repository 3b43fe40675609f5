// POST /datasets/{ok|ng}/upload (contract §1.7): images (+ optional metas[i] JSON sidecars) into the ROI's dataset,
// all or nothing.
import type { FastifyInstance } from "fastify";
import type { Services } from "../../services/index.ts";
import { ServiceError } from "../../services/errors.ts";
import { uploadSamples } from "../../services/samples.ts";
import { readRoiForm, type FormData } from "../form.ts";
import { ids, legacyHandler, legacyRef, resolveRecipeFor, who } from "../request.ts";

/** Parses metas[i] (JSON text) into objects; length must be 0 or the number of images. */
function parseMetas(form: FormData, nImages: number): Array<Record<string, unknown> | null> {
  const raw = form.fields.get("metas") ?? [];
  if (raw.length !== 0 && raw.length !== nImages) throw new ServiceError("bad_request", "metas length must match images length");
  return raw.map((text, i) => {
    if (text.trim() === "" || text.trim() === "null") return null;
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch (e) {
      throw new ServiceError("bad_request", `metas[${i}] is not valid JSON: ${(e as Error).message}`);
    }
    if (typeof v !== "object" || v === null || Array.isArray(v)) throw new ServiceError("bad_request", `metas[${i}] must be a JSON object`);
    return v as Record<string, unknown>;
  });
}

export function datasetsUploadRoute(app: FastifyInstance, svc: Services): void {
  app.post("/datasets/:label/upload", legacyHandler("/datasets/upload", async (req, _reply, lr) => {
    const label = (req.params as { label: string }).label;
    if (label !== "ok" && label !== "ng") throw new ServiceError("not_found", "Not Found");
    const { form, f, roleId, roiId } = await readRoiForm(req);
    const recipeRaw = f.str("recipe_id");
    const modelKey = f.str("model_key");
    const images = form.files.filter((x) => x.field === "images");
    if (images.length === 0) f.issues.push({ type: "missing", loc: ["body", "images"], msg: "Field required", input: null });
    f.done();
    const recipe = resolveRecipeFor(req, lr, recipeRaw);
    const metas = parseMetas(form, images.length);
    const files = images.map((img, i) => ({ data: img.data, filename: img.filename, meta: metas[i] ?? null }));
    const ref = legacyRef(recipe, roleId, roiId, modelKey);
    const { samples } = await uploadSamples(svc, { ref, label, source: "legacy-upload", files }, who(lr));
    return { status: "ok", saved: samples.map((s) => s.fileName), ...ids(lr) };
  }));
}
