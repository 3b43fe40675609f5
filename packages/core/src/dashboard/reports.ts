// The shift report: one ROI over one shift or day. The shifts are defined once here (the page's picker and the
// tests both use them); the window is computed in the caller's local time and sent as two instants.
import { z } from "zod";
import { DateInputSchema, IdSchema } from "./common.ts";

/** Longest window a report covers (a month): the report counts rows, it does not page them. */
export const SHIFT_REPORT_MAX_DAYS = 31;

export const ShiftReportInputSchema = z
  .object({ roiId: IdSchema, from: DateInputSchema, to: DateInputSchema })
  .refine((v) => v.from < v.to, { message: "from must be before to", path: ["to"] })
  .refine((v) => v.to.getTime() - v.from.getTime() <= SHIFT_REPORT_MAX_DAYS * 86_400_000, {
    message: `a report covers at most ${SHIFT_REPORT_MAX_DAYS} days`,
    path: ["to"],
  });

/** Whether the line sees the false-reject rate the ROI's active calibration promised (core's `linePromise`). */
export const LinePromiseInputSchema = z.object({ roiId: IdSchema });

/** The plant's shifts (local time): three of 8 h, and the whole day. */
export const SHIFTS = [
  { id: "day", label: "Whole day (00:00–24:00)", startHour: 0, hours: 24 },
  { id: "early", label: "Early shift (06:00–14:00)", startHour: 6, hours: 8 },
  { id: "late", label: "Late shift (14:00–22:00)", startHour: 14, hours: 8 },
  { id: "night", label: "Night shift (22:00–06:00 next day)", startHour: 22, hours: 8 },
] as const;
export type ShiftId = (typeof SHIFTS)[number]["id"];

/** The window of a shift on a calendar date ("YYYY-MM-DD"), in the local time zone of the process that calls it. */
export function shiftWindow(date: string, shift: ShiftId): { from: Date; to: Date } {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new RangeError(`date must be YYYY-MM-DD, got ${JSON.stringify(date)}`);
  const def = SHIFTS.find((s) => s.id === shift);
  if (!def) throw new RangeError(`unknown shift ${JSON.stringify(shift)}`);
  const from = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), def.startHour);
  const to = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), def.startHour + def.hours);
  return { from, to };
}
