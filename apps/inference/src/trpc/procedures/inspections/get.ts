import { ByIdSchema } from "@bdi/core/dashboard/common";
import { viewerProcedure } from "../../trpc.ts";
import { inspectionDto, inspectionRegions, roiBrief, sampleDto } from "../../dto.ts";
import { services } from "../../helpers.ts";
import { inspectionDetail } from "../../../services/review.ts";

/** One inspection for the detail view: regions (crop px, mm²), ROI, version, threshold, samples made from it. */
export const get = viewerProcedure.input(ByIdSchema).query(async ({ ctx, input }) => {
  const { inspection: i, roi, version, calibration, samples } = await inspectionDetail(services(ctx), input.id);
  return {
    ...inspectionDto(i),
    regions: inspectionRegions(i).map((r) => ({
      bbox: r.bbox,
      contour: r.contour,
      areaPx: r.area_px,
      areaMm2: r.area_mm2,
      scoreMax: r.score_max ?? null,
      scoreMean: r.score_mean ?? null,
    })),
    /** score / threshold (≥ 1 means NG) */
    scoreRatio: i.threshold ? i.score / i.threshold : null,
    roi: roiBrief(roi),
    modelVersion: version ? { id: version.id, versionNumber: version.versionNumber, status: version.status } : null,
    calibration: calibration ? { id: calibration.id, threshold: calibration.threshold, rule: calibration.rule, areaMm2Thr: calibration.areaMm2Thr } : null,
    samples: samples.map(sampleDto),
  };
});
