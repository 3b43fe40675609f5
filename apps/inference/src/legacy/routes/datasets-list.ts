// GET /datasets/list (contract §1.7): per label, the live samples' names in chronological order.
import type { FastifyInstance } from "fastify";
import type { Services } from "../../services/index.ts";
import { listDataset } from "../../services/samples.ts";
import { ids, legacyHandler, queryRef } from "../request.ts";

export function datasetsListRoute(app: FastifyInstance, svc: Services): void {
  app.get("/datasets/list", legacyHandler("/datasets/list", async (req, _reply, lr) => {
    const { ref } = queryRef(req, lr);
    const { classes } = await listDataset(svc, ref);
    return { role_id: ref.roleId, roi_id: ref.roiId, classes, ...ids(lr) };
  }));
}
