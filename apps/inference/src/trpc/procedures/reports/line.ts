import { LinePromiseInputSchema } from "@bdi/core/dashboard/reports";
import { viewerProcedure } from "../../trpc.ts";
import { services } from "../../helpers.ts";
import { activeLinePromise } from "../../../services/reports.ts";

/**
 * The ROI's active calibration: the false-reject rate it promised against what the line judged since and the reviews,
 * and the line's last crops' scores against the calibration's OK scores.
 */
export const line = viewerProcedure.input(LinePromiseInputSchema).query(async ({ ctx, input }) => {
  const r = await activeLinePromise(services(ctx), input.roiId);
  if (!r) return null;
  const scores = r.scores.available ? { ...r.scores, from: r.scores.from?.toISOString() ?? null, to: r.scores.to?.toISOString() ?? null } : r.scores;
  return { ...r, calibration: { ...r.calibration, createdAt: r.calibration.createdAt.toISOString() }, scores };
});
