import { test } from "node:test";
import assert from "node:assert/strict";
import { ShiftReportInputSchema, shiftWindow } from "./reports.ts";

test("shiftWindow: local shift boundaries, the night shift ends the next morning", () => {
  const early = shiftWindow("2026-03-10", "early");
  assert.equal(early.from.getHours(), 6);
  assert.equal(early.to.getHours(), 14);
  const night = shiftWindow("2026-03-10", "night");
  assert.equal(night.from.getDate(), 10);
  assert.equal(night.to.getDate(), 11);
  assert.equal(night.to.getHours(), 6);
  const day = shiftWindow("2026-03-10", "day");
  assert.equal(day.to.getDate(), 11);
  assert.throws(() => shiftWindow("10/03/2026", "day"), /YYYY-MM-DD/);
});

test("ShiftReportInputSchema: from before to, at most 31 days", () => {
  const roiId = "cmabc123def456ghi789jkl0";
  assert.equal(ShiftReportInputSchema.safeParse({ roiId, from: "2026-03-10T06:00:00Z", to: "2026-03-10T14:00:00Z" }).success, true);
  assert.equal(ShiftReportInputSchema.safeParse({ roiId, from: "2026-03-10T14:00:00Z", to: "2026-03-10T06:00:00Z" }).success, false);
  assert.equal(ShiftReportInputSchema.safeParse({ roiId, from: "2026-01-01", to: "2026-03-01" }).success, false);
});
