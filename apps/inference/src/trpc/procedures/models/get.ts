import { ByIdSchema } from "@bdi/core/dashboard/common";
import { viewerProcedure } from "../../trpc.ts";
import { calibrationDto, modelVersionDto, sampleThumbUrl } from "../../dto.ts";
import { services } from "../../helpers.ts";
import { versionDetail } from "../../../services/model-versions.ts";

/** One version with its full lineage (the samples that trained it, deleted ones included), its calibrations and its scoring. */
export const get = viewerProcedure.input(ByIdSchema).query(async ({ ctx, input }) => {
  const { version: v, roi, samples, calibrations: cals, parent, scoring } = await versionDetail(services(ctx), input.id);
  return {
    ...modelVersionDto(v, roi.activeModelVersionId),
    nSamples: samples.length,
    nCalibrations: cals.length,
    parent: parent ? { id: parent.id, versionNumber: parent.versionNumber } : null,
    lineage: samples.map((s) => ({
      id: s.id,
      label: s.label,
      fileName: s.fileName,
      /** the operator's file name, what people know the crop by (null: none known) */
      originalFileName: s.originalFileName,
      width: s.width,
      height: s.height,
      sha256: s.sha256,
      deletedAt: s.deletedAt?.toISOString() ?? null,
      thumbUrl: sampleThumbUrl(s.id),
    })),
    calibrations: cals.map(calibrationDto),
    /** how the version makes its image score (null: no readable artifact) */
    scoring: scoring ? { scoreRule: scoring.scoreRule, baseline: scoring.baseline, normalised: scoring.normalise, channelWeights: scoring.channelWeights !== null, brightness: scoring.brightness !== null } : null,
  };
});
