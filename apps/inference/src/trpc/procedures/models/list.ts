import { ModelListInputSchema } from "@bdi/core/dashboard/models";
import { viewerProcedure } from "../../trpc.ts";
import { modelVersionDto, roiBrief } from "../../dto.ts";
import { services } from "../../helpers.ts";
import { listRoiVersions } from "../../../services/model-versions.ts";

/** A ROI's versions, newest first, with lineage size, backbone, coreset, timings and their active threshold. */
export const list = viewerProcedure.input(ModelListInputSchema).query(async ({ ctx, input }) => {
  const { roi, versions } = await listRoiVersions(services(ctx), input.roiId);
  return {
    roi: roiBrief(roi),
    activeModelVersionId: roi.activeModelVersionId,
    versions: versions.map(({ version: v, calibration: cal }) => ({
      ...modelVersionDto(v, roi.activeModelVersionId), threshold: cal?.threshold ?? null, calibrationId: cal?.id ?? null,
    })),
  };
});
