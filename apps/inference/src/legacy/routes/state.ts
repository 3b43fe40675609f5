// GET /state (contract §1.5): whether the ROI has a usable fitted model and a calibration (polled before evaluations).
import type { FastifyInstance } from "fastify";
import { sanitizeModelKey } from "@bdi/core";
import type { Services } from "../../services/index.ts";
import { roiModelState } from "../../services/model-state.ts";
import { findRoiForRead } from "../../services/samples.ts";
import { ids, legacyHandler, queryRef } from "../request.ts";

export function stateRoute(app: FastifyInstance, svc: Services): void {
  app.get("/state", legacyHandler("/state", async (req, _reply, lr) => {
    const { ref } = queryRef(req, lr);
    const st = await roiModelState(svc, await findRoiForRead(svc, ref));
    return {
      status: "ok",
      memory_fitted: st.fitted,
      calib_present: st.calibrated,
      ...ids(lr),
      role_id: ref.roleId,
      roi_id: ref.roiId,
      model_key: sanitizeModelKey(ref.modelKey ?? ref.roiId),
    };
  }));
}
