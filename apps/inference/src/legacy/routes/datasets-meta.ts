// GET /datasets/meta (contract §1.7): one stored sample's sidecar as the client reads it.
import type { FastifyInstance } from "fastify";
import type { Services } from "../../services/index.ts";
import { ServiceError } from "../../services/errors.ts";
import { assertLabel, findDatasetSample, sampleSidecar } from "../../services/samples.ts";
import { ids, legacyHandler, queryRef } from "../request.ts";

export function datasetsMetaRoute(app: FastifyInstance, svc: Services): void {
  app.get("/datasets/meta", legacyHandler("/datasets/meta", async (req, _reply, lr) => {
    const { ref, values } = queryRef(req, lr, ["label", "filename"]);
    assertLabel(values.label);
    const sample = await findDatasetSample(svc, ref, values.label, values.filename!);
    if (!sample || sample.clientMetaJson === null) throw new ServiceError("not_found", "meta not found");
    const meta = await sampleSidecar(svc, ref.recipeId, sample);
    const id = ids(lr);
    if (!("request_id" in meta)) meta.request_id = id.request_id;
    if (!("recipe_id" in meta)) meta.recipe_id = id.recipe_id;
    return meta;
  }));
}
