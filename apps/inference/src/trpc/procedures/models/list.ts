import { getRoi, listModelVersions } from "@bdi/db";
import { ModelListInputSchema } from "@bdi/core/dashboard/models";
import { publicProcedure } from "../../trpc.ts";
import { modelVersionDto, roiBrief } from "../../dto.ts";

/** A ROI's versions, newest first, with lineage size, backbone, coreset, timings and their active threshold. */
export const list = publicProcedure.input(ModelListInputSchema).query(async ({ ctx, input }) => {
  const db = ctx.svc.db.prisma;
  const roi = await getRoi(db, input.roiId);
  const [versions, activeCals] = await Promise.all([
    listModelVersions(db, { roiId: roi.id }),
    db.calibration.findMany({ where: { roiId: roi.id, active: true } }),
  ]);
  return {
    roi: roiBrief(roi),
    activeModelVersionId: roi.activeModelVersionId,
    versions: versions.map((v) => {
      const cal = activeCals.find((c) => c.modelVersionId === v.id);
      return { ...modelVersionDto(v, roi.activeModelVersionId), threshold: cal?.threshold ?? null, calibrationId: cal?.id ?? null };
    }),
  };
});
