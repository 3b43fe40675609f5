// DELETE /datasets/file (contract §1.7): soft-deletes one stored sample (restorable from the dashboard).
import type { FastifyInstance } from "fastify";
import type { Services } from "../../services/index.ts";
import { assertLabel, assertSampleFileName, deleteDatasetSample } from "../../services/samples.ts";
import { ids, legacyHandler, queryRef, who } from "../request.ts";

export function datasetsDeleteRoute(app: FastifyInstance, svc: Services): void {
  app.delete("/datasets/file", legacyHandler("/datasets/delete", async (req, _reply, lr) => {
    const { ref, values } = queryRef(req, lr, ["label", "filename"]);
    assertLabel(values.label);
    assertSampleFileName(values.filename!);
    const deleted = await deleteDatasetSample(svc, ref, values.label, values.filename!, who(lr));
    return { deleted, filename: values.filename, ...ids(lr) };
  }));
}
