import { ByIdSchema } from "@bdi/core/dashboard/common";
import { viewerProcedure } from "../../trpc.ts";
import { sampleDto } from "../../dto.ts";
import { services } from "../../helpers.ts";
import { sampleWithVersions } from "../../../services/dataset.ts";

/** One sample with the model versions it trained. */
export const get = viewerProcedure.input(ByIdSchema).query(async ({ ctx, input }) => {
  const { sample: s, versions } = await sampleWithVersions(services(ctx), input.id);
  return { ...sampleDto(s), trainedVersions: versions.map((v) => ({ id: v.id, versionNumber: v.versionNumber, status: v.status })) };
});
