import { LinePromiseInputSchema } from "@bdi/core/dashboard/reports";
import { viewerProcedure } from "../../trpc.ts";
import { services } from "../../helpers.ts";
import { lineScoreShiftDto } from "../../dto.ts";
import { activeLinePromise } from "../../../services/reports.ts";

/**
 * The ROI's active calibration: the false-reject rate it promised against what the line judged since and the reviews,
 * and the line's last crops' scores against the calibration's OK scores.
 */
export const line = viewerProcedure.input(LinePromiseInputSchema).query(async ({ ctx, input }) => {
  const r = await activeLinePromise(services(ctx), input.roiId);
  if (!r) return null;
  const iso = (d: Date | null) => d?.toISOString() ?? null;
  return {
    ...r,
    calibration: { ...r.calibration, createdAt: r.calibration.createdAt.toISOString() },
    scores: lineScoreShiftDto(r.scores),
    watch: { ...r.watch, promiseSince: iso(r.watch.promiseSince), shiftSince: iso(r.watch.shiftSince) },
  };
});
