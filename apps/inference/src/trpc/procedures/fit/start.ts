import { FitStartInputSchema } from "@bdi/core/dashboard/models";
import { engineerProcedure } from "../../trpc.ts";
import { jobDto } from "../../dto.ts";
import { services, who } from "../../helpers.ts";
import { startFit } from "../../../services/fit.ts";
import { findRoiById } from "../../../services/model-versions.ts";

/**
 * Queues a fit of the ROI from its live OK samples (one job at a time per ROI; legacy /fit_ok jobs share the
 * queue). Returns the job at once; follow it with the `fit.progress` subscription. When it succeeds the new
 * version is self-calibrated out-of-sample and activated.
 */
export const start = engineerProcedure.input(FitStartInputSchema).mutation(async ({ ctx, input }) => {
  const svc = services(ctx);
  const roi = await findRoiById(svc, input.roiId);
  const { jobId, done } = await startFit(svc, {
    roi, coresetRate: input.coresetRate, mmPerPx: input.mmPerPx, areaMm2Thr: input.areaMm2Thr, scorePercentile: input.scorePercentile,
  }, who(ctx));
  // The outcome is reported through the job (status "failed" + error); nothing awaits `done` here.
  done.catch((err) => ctx.svc.log?.warn?.({ err, jobId }, "dashboard fit failed"));
  return jobDto(svc.jobs.get(jobId)!);
});
