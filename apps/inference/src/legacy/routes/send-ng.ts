// POST /send_ng (seed docs): NG crops for the ROI's dataset (the seed's `ng_added` / `samples` shape).
import type { FastifyInstance } from "fastify";
import type { Services } from "../../services/index.ts";
import { assertMmPerPx, uploadSamples } from "../../services/samples.ts";
import { uploadedJson } from "../format.ts";
import { readRoiForm } from "../form.ts";
import { ids, legacyHandler, legacyRef, resolveRecipeFor, who } from "../request.ts";

export function sendNgRoute(app: FastifyInstance, svc: Services): void {
  app.post("/send_ng", legacyHandler("/send_ng", async (req, _reply, lr) => {
    const { form, f, roleId, roiId } = await readRoiForm(req);
    const mmPerPx = f.num("mm_per_px");
    const recipeRaw = f.str("recipe_id");
    const images = form.files.filter((x) => x.field === "images" || x.field === "image");
    if (images.length === 0) f.issues.push({ type: "missing", loc: ["body", "images"], msg: "Field required", input: null });
    f.done();
    const recipe = resolveRecipeFor(req, lr, recipeRaw);
    if (mmPerPx !== undefined) assertMmPerPx(mmPerPx);
    const ref = legacyRef(recipe, roleId, roiId);
    const meta = mmPerPx !== undefined ? { mm_per_px: mmPerPx } : null;
    const files = images.map((i) => ({ data: i.data, filename: i.filename, meta }));
    const { samples } = await uploadSamples(svc, { ref, label: "ng", source: "legacy-upload", files }, who(lr));
    return { ng_added: samples.length, ...uploadedJson(ref, "ng", samples), saved: samples.map((s) => s.fileName), ...ids(lr) };
  }));
}
