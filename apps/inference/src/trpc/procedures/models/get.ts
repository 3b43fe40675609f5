import { getModelVersion, getRoi, listCalibrations, listModelVersionSamples } from "@bdi/db";
import { ByIdSchema } from "@bdi/core/dashboard/common";
import { publicProcedure } from "../../trpc.ts";
import { calibrationDto, modelVersionDto, sampleThumbUrl } from "../../dto.ts";

/** One version with its full lineage (the samples that trained it, deleted ones included) and its calibrations. */
export const get = publicProcedure.input(ByIdSchema).query(async ({ ctx, input }) => {
  const db = ctx.svc.db.prisma;
  const v = await getModelVersion(db, input.id);
  const [roi, samples, cals, parent] = await Promise.all([
    getRoi(db, v.roiId),
    listModelVersionSamples(db, { modelVersionId: v.id }),
    listCalibrations(db, { modelVersionId: v.id }),
    v.parentVersionId ? db.modelVersion.findUnique({ where: { id: v.parentVersionId } }) : null,
  ]);
  return {
    ...modelVersionDto(v, roi.activeModelVersionId),
    nSamples: samples.length,
    nCalibrations: cals.length,
    parent: parent ? { id: parent.id, versionNumber: parent.versionNumber } : null,
    lineage: samples.map((s) => ({
      id: s.id,
      label: s.label,
      fileName: s.fileName,
      sha256: s.sha256,
      deletedAt: s.deletedAt?.toISOString() ?? null,
      thumbUrl: sampleThumbUrl(s.id),
    })),
    calibrations: cals.map(calibrationDto),
  };
});
