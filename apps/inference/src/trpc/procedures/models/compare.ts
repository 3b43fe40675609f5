import { TRPCError } from "@trpc/server";
import { getModelVersion } from "@bdi/db";
import { auroc } from "@bdi/core/metrics/auroc";
import { confusionAt } from "@bdi/core/calibration/rates";
import { ModelCompareInputSchema } from "@bdi/core/dashboard/models";
import { publicProcedure } from "../../trpc.ts";
import { modelVersionDto, sampleThumbUrl } from "../../dto.ts";
import { services } from "../../helpers.ts";
import { labelledScores, versionPercentile } from "../../../services/dashboard-scores.ts";
import { activeCalibrationOf } from "../calibration/shared.ts";

/**
 * Two versions of the same ROI scored on the same labelled set (the ROI's current OK + NG samples, OK scored
 * out-of-sample where a version trained on them), with AUROC each and the confusion at each version's threshold.
 */
export const compare = publicProcedure.input(ModelCompareInputSchema).query(async ({ ctx, input }) => {
  const db = ctx.svc.db.prisma;
  const [a, b] = await Promise.all([getModelVersion(db, input.a), getModelVersion(db, input.b)]);
  if (a.roiId !== b.roiId) throw new TRPCError({ code: "BAD_REQUEST", message: "the two versions belong to different ROIs" });
  const svc = services(ctx);
  const percentile = await versionPercentile(svc, a);
  const sa = await labelledScores(svc, a, { percentile });
  const sb = await labelledScores(svc, b, { percentile });
  const byId = new Map(sb.items.map((i) => [i.sampleId, i]));
  const rows = sa.items
    .filter((i) => byId.has(i.sampleId))
    .map((i) => {
      const j = byId.get(i.sampleId)!;
      return {
        sampleId: i.sampleId,
        label: i.label,
        fileName: i.fileName,
        scoreA: i.score,
        scoreB: j.score,
        outOfSampleA: i.outOfSample,
        outOfSampleB: j.outOfSample,
        thumbUrl: sampleThumbUrl(i.sampleId),
      };
    });
  const summary = async (v: typeof a, key: "scoreA" | "scoreB") => {
    const scores = rows.map((r) => r[key]);
    const au = auroc(scores, rows.map((r) => (r.label === "ng" ? 1 : 0)));
    const cal = await activeCalibrationOf(ctx, v);
    return {
      version: modelVersionDto(v),
      auroc: Number.isFinite(au) ? au : null,
      threshold: cal?.threshold ?? null,
      confusion: cal ? confusionAt(cal.threshold, rows.map((r) => ({ score: r[key], label: r.label }))) : null,
    };
  };
  return {
    percentile,
    a: await summary(a, "scoreA"),
    b: await summary(b, "scoreB"),
    samples: rows,
    nOk: rows.filter((r) => r.label === "ok").length,
    nNg: rows.filter((r) => r.label === "ng").length,
  };
});
