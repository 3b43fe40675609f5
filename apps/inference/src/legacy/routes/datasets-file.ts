// GET /datasets/file (contract §1.7): one stored sample's image, by the name the listing gave.
import type { FastifyInstance } from "fastify";
import type { Services } from "../../services/index.ts";
import { ServiceError } from "../../services/errors.ts";
import { assertLabel, findDatasetSample, readSampleFile } from "../../services/samples.ts";
import { contentTypeForName } from "../../resources/storage.ts";
import { legacyHandler, queryRef } from "../request.ts";

export function datasetsFileRoute(app: FastifyInstance, svc: Services): void {
  app.get("/datasets/file", legacyHandler("/datasets/file", async (req, reply, lr) => {
    const { ref, values } = queryRef(req, lr, ["label", "filename"]);
    assertLabel(values.label);
    const sample = await findDatasetSample(svc, ref, values.label, values.filename!);
    if (!sample) throw new ServiceError("not_found", "file not found");
    const data = await readSampleFile(svc, sample);
    reply.header("Content-Type", contentTypeForName(sample.fileName));
    reply.header("Content-Disposition", `attachment; filename="${sample.fileName.replace(/"/g, "")}"`);
    return reply.send(data);
  }));
}
