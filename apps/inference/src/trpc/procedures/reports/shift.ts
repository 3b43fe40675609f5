import { ShiftReportInputSchema } from "@bdi/core/dashboard/reports";
import { viewerProcedure } from "../../trpc.ts";
import { services } from "../../helpers.ts";
import { lineScoreShiftDto } from "../../dto.ts";
import { shiftReport } from "../../../services/reports.ts";

/**
 * One ROI's shift report: inspections, NG rate, review outcomes and threshold changes between `from` and `to`, the
 * window's line crops against the active calibration's OK scores, and what the line watch reported in it.
 */
export const shift = viewerProcedure.input(ShiftReportInputSchema).query(async ({ ctx, input }) => {
  const r = await shiftReport(services(ctx), input);
  return {
    ...r,
    from: r.from.toISOString(),
    to: r.to.toISOString(),
    thresholdChanges: r.thresholdChanges.map((c) => ({ ...c, at: c.at.toISOString() })),
    lineAlarms: r.lineAlarms.map((e) => ({ ...e, at: e.at.toISOString() })),
    scores: r.scores && lineScoreShiftDto(r.scores),
  };
});
