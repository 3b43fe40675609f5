// /datasets/* (contract §1.7) over the tracked sample store.
import type { FastifyInstance, FastifyRequest } from "fastify";
import { findRecipe } from "@bdi/db";
import type { Services } from "../services/index.ts";
import { LEGACY_ACTOR } from "../services/index.ts";
import { ServiceError } from "../services/errors.ts";
import {
  assertLabel, clearDataset, deleteDatasetSample, findDatasetSample, listDataset, readSampleFile, sampleSidecar, uploadSamples,
  type RoiRef, type SampleUpload,
} from "../services/samples.ts";
import { contentTypeForName } from "../services/storage.ts";
import { FieldReader, readForm, type FormData } from "./form.ts";
import { ids, legacyHandler, resolveRecipeFor, type LegacyRequest } from "./request.ts";

export function who(lr: LegacyRequest) {
  return { actor: LEGACY_ACTOR, requestId: lr.requestId };
}

/** role_id / roi_id / recipe_id / model_key from a query string (422 when a required one is missing). */
export function queryRef(req: FastifyRequest, lr: LegacyRequest, extra: string[] = []): { ref: RoiRef; q: FieldReader; values: Record<string, string | undefined> } {
  const q = FieldReader.fromQuery(req.query);
  const roleId = q.str("role_id", true);
  const roiId = q.str("roi_id", true);
  const values: Record<string, string | undefined> = {};
  for (const name of extra) values[name] = q.str(name, true);
  const recipeRaw = q.str("recipe_id");
  const modelKey = q.str("model_key");
  q.done();
  const recipe = resolveRecipeFor(req, lr, recipeRaw);
  return { ref: { recipeId: recipe.id, recipeDisplayName: recipe.displayName, roleId: roleId!, roiId: roiId!, modelKey }, q, values };
}

/** Parses metas[i] (JSON text) into objects; length must be 0 or the number of images. */
export function parseMetas(form: FormData, nImages: number): Array<Record<string, unknown> | null> {
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

export function registerDatasets(app: FastifyInstance, svc: Services) {
  app.post(
    "/datasets/:label/upload",
    legacyHandler("/datasets/upload", async (req, _reply, lr) => {
      const label = (req.params as { label: string }).label;
      if (label !== "ok" && label !== "ng") throw new ServiceError("not_found", "Not Found");
      const form = await readForm(req);
      const f = FieldReader.fromForm(form);
      const roleId = f.str("role_id", true);
      const roiId = f.str("roi_id", true);
      const recipeRaw = f.str("recipe_id");
      const modelKey = f.str("model_key");
      const images = form.files.filter((x) => x.field === "images");
      if (images.length === 0) f.issues.push({ type: "missing", loc: ["body", "images"], msg: "Field required", input: null });
      f.done();
      const recipe = resolveRecipeFor(req, lr, recipeRaw);
      const metas = parseMetas(form, images.length);
      const uploads: SampleUpload[] = images.map((img, i) => ({ data: img.data, filename: img.filename, meta: metas[i] ?? null }));
      const ref: RoiRef = { recipeId: recipe.id, recipeDisplayName: recipe.displayName, roleId: roleId!, roiId: roiId!, modelKey };
      const { samples } = await uploadSamples(svc, { ref, label, source: "legacy-upload", files: uploads }, who(lr));
      return { status: "ok", saved: samples.map((s) => s.fileName), ...ids(lr) };
    }),
  );

  app.get(
    "/datasets/list",
    legacyHandler("/datasets/list", async (req, _reply, lr) => {
      const { ref } = queryRef(req, lr);
      const { classes } = await listDataset(svc, ref);
      return { role_id: ref.roleId, roi_id: ref.roiId, classes, ...ids(lr) };
    }),
  );

  app.get(
    "/datasets/file",
    legacyHandler("/datasets/file", async (req, reply, lr) => {
      const { ref, values } = queryRef(req, lr, ["label", "filename"]);
      assertLabel(values.label);
      const sample = await findDatasetSample(svc, ref, values.label, values.filename!);
      if (!sample) throw new ServiceError("not_found", "file not found");
      const data = await readSampleFile(svc, sample);
      reply.header("Content-Type", contentTypeForName(sample.fileName));
      reply.header("Content-Disposition", `attachment; filename="${sample.fileName.replace(/"/g, "")}"`);
      return reply.send(data);
    }),
  );

  app.get(
    "/datasets/meta",
    legacyHandler("/datasets/meta", async (req, _reply, lr) => {
      const { ref, values } = queryRef(req, lr, ["label", "filename"]);
      assertLabel(values.label);
      const sample = await findDatasetSample(svc, ref, values.label, values.filename!);
      if (!sample || sample.clientMetaJson === null) throw new ServiceError("not_found", "meta not found");
      const recipe = await findRecipe(svc.ctx.db.prisma, ref.recipeId);
      const meta = sampleSidecar(sample, recipe?.mmPerPx ?? null);
      const id = ids(lr);
      if (!("request_id" in meta)) meta.request_id = id.request_id;
      if (!("recipe_id" in meta)) meta.recipe_id = id.recipe_id;
      return meta;
    }),
  );

  app.delete(
    "/datasets/file",
    legacyHandler("/datasets/delete", async (req, _reply, lr) => {
      const { ref, values } = queryRef(req, lr, ["label", "filename"]);
      assertLabel(values.label);
      const deleted = await deleteDatasetSample(svc, ref, values.label, values.filename!, who(lr));
      return { deleted, filename: values.filename, ...ids(lr) };
    }),
  );

  app.delete(
    "/datasets/clear",
    legacyHandler("/datasets/clear", async (req, _reply, lr) => {
      const { ref, values } = queryRef(req, lr, ["label"]);
      assertLabel(values.label);
      const cleared = await clearDataset(svc, ref, values.label, who(lr));
      return { cleared, label: values.label, ...ids(lr) };
    }),
  );
}
