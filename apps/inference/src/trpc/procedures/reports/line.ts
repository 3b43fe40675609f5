import { LinePromiseInputSchema } from "@bdi/core/dashboard/reports";
import { viewerProcedure } from "../../trpc.ts";
import { services } from "../../helpers.ts";
import { lineScoreShiftDto, lineWatchDto } from "../../dto.ts";
import { activeLinePromise } from "../../../services/reports.ts";

/**
 * The ROI's active calibration: the false-reject rate it promised against what the line judged since and the reviews,
 * and the line's last crops' scores against the calibration's OK scores.
 */
export const line = viewerProcedure.input(LinePromiseInputSchema).query(async ({ ctx, input }) => {
  const r = await activeLinePromise(services(ctx), input.roiId);
  if (!r) return null;
  return {
    ...r,
    calibration: { ...r.calibration, createdAt: r.calibration.createdAt.toISOString() },
    scores: lineScoreShiftDto(r.scores),
    watch: lineWatchDto(r.watch),
  };
});
