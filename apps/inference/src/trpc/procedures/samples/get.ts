import { getSample, listSampleModelVersions } from "@bdi/db";
import { ByIdSchema } from "@bdi/core/dashboard/common";
import { publicProcedure } from "../../trpc.ts";
import { sampleDto } from "../../dto.ts";

/** One sample with the model versions it trained. */
export const get = publicProcedure.input(ByIdSchema).query(async ({ ctx, input }) => {
  const db = ctx.svc.db.prisma;
  const s = await getSample(db, input.id);
  const versions = await listSampleModelVersions(db, { sampleId: s.id });
  return { ...sampleDto(s), trainedVersions: versions.map((v) => ({ id: v.id, versionNumber: v.versionNumber, status: v.status })) };
});
