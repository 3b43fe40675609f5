// GET /manifest (contract §1.6): the ROI's model, calibration and dataset in one object.
import type { FastifyInstance } from "fastify";
import { parseJson, sanitizeModelKey } from "@bdi/core";
import type { Services } from "../../services/index.ts";
import { roiModelState } from "../../services/model-state.ts";
import { listDataset } from "../../services/samples.ts";
import { calibrationJson } from "../format.ts";
import { legacyHandler, queryRef } from "../request.ts";

export function manifestRoute(app: FastifyInstance, svc: Services): void {
  app.get("/manifest", legacyHandler("/manifest", async (req, _reply, lr) => {
    const { ref } = queryRef(req, lr);
    const { roi, classes } = await listDataset(svc, ref);
    const st = await roiModelState(svc, roi);
    const v = st.version;
    return {
      role_id: ref.roleId,
      roi_id: ref.roiId,
      recipe_id: lr.recipe!.id,
      model_key: sanitizeModelKey(ref.modelKey ?? ref.roiId),
      memory: st.fitted,
      calib: st.calibration ? calibrationJson(st.calibration) : null,
      datasets: { role_id: ref.roleId, roi_id: ref.roiId, classes },
      model_version: v
        ? {
            id: v.id,
            version: v.versionNumber,
            status: v.status,
            backbone: v.backboneId,
            n_embeddings: v.nEmbeddings,
            coreset_size: v.coresetSize,
            token_shape: parseJson<number[]>(v.tokenShapeJson),
            created_at_utc: v.createdAt.toISOString(),
          }
        : null,
      request_id: lr.requestId,
    };
  }));
}
