import { ModelCompareInputSchema } from "@bdi/core/dashboard/models";
import { viewerProcedure } from "../../trpc.ts";
import { modelVersionDto, sampleThumbUrl } from "../../dto.ts";
import { services } from "../../helpers.ts";
import { compareVersions } from "../../../services/model-versions.ts";

/**
 * Two versions of the same ROI scored on the same labelled set (the ROI's current OK + NG samples, OK scored
 * out-of-sample where a version trained on them), with AUROC each and the confusion at each version's threshold.
 */
export const compare = viewerProcedure.input(ModelCompareInputSchema).query(async ({ ctx, input }) => {
  const r = await compareVersions(services(ctx), input);
  const side = (s: typeof r.a) => ({ ...s, version: modelVersionDto(s.version) });
  return {
    percentile: r.percentile,
    a: side(r.a),
    b: side(r.b),
    samples: r.rows.map((row) => ({ ...row, thumbUrl: sampleThumbUrl(row.sampleId) })),
    nOk: r.rows.filter((row) => row.label === "ok").length,
    nNg: r.rows.filter((row) => row.label === "ng").length,
  };
});
