import { TRPCError } from "@trpc/server";
import { getRoi, listDatasetSamples } from "@bdi/db";
import { FitStartInputSchema } from "@bdi/core/dashboard/models";
import { publicProcedure } from "../../trpc.ts";
import { jobDto } from "../../dto.ts";
import { services, who } from "../../helpers.ts";
import { requireBackbone, submitFit } from "../../../services/models.ts";
import { defaultCoresetRate } from "../../../engine/coreset.ts";
import { roiRefOf } from "../../../services/dashboard-samples.ts";

/**
 * Queues a fit of the ROI from its live OK samples (one job at a time per ROI; legacy /fit_ok jobs share the
 * queue). Returns the job at once; follow it with the `fit.progress` subscription. When it succeeds the new
 * version is self-calibrated out-of-sample and activated.
 */
export const start = publicProcedure.input(FitStartInputSchema).mutation(async ({ ctx, input }) => {
  const svc = services(ctx);
  const db = ctx.svc.db.prisma;
  const roi = await getRoi(db, input.roiId);
  const samples = await listDatasetSamples(db, { roiId: roi.id, label: "ok" });
  const need = ctx.svc.config.minOkSamples;
  if (samples.length < need)
    throw new TRPCError({
      code: "PRECONDITION_FAILED",
      message: `Insufficient OK samples: need at least ${need}, found ${samples.length}. Upload more OK crops first.`,
    });
  const backbone = requireBackbone(svc);
  const ref = await roiRefOf(svc, roi);
  const recipe = await db.recipe.findUnique({ where: { id: roi.recipeId } });
  const { jobId, done } = submitFit(
    svc,
    {
      roi,
      ref,
      samples,
      coresetRate: input.coresetRate ?? defaultCoresetRate(backbone.entry, ctx.svc.config.coresetRate),
      mmPerPx: input.mmPerPx ?? roi.mmPerPx ?? recipe?.mmPerPx ?? undefined,
      areaMm2Thr: input.areaMm2Thr,
      scorePercentile: input.scorePercentile,
    },
    who(ctx),
  );
  // The outcome is reported through the job (status "failed" + error); nothing awaits `done` here.
  done.catch((err) => ctx.svc.log?.warn?.({ err, jobId }, "dashboard fit failed"));
  return jobDto(svc.jobs.get(jobId)!);
});
