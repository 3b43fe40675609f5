// DELETE /datasets/clear (contract §1.7): soft-deletes every live sample of one label.
import type { FastifyInstance } from "fastify";
import type { Services } from "../../services/index.ts";
import { assertLabel, clearDataset } from "../../services/samples.ts";
import { ids, legacyHandler, queryRef, who } from "../request.ts";

export function datasetsClearRoute(app: FastifyInstance, svc: Services): void {
  app.delete("/datasets/clear", legacyHandler("/datasets/clear", async (req, _reply, lr) => {
    const { ref, values } = queryRef(req, lr, ["label"]);
    assertLabel(values.label);
    const cleared = await clearDataset(svc, ref, values.label, who(lr));
    return { cleared, label: values.label, ...ids(lr) };
  }));
}
