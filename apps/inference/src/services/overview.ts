// What the dashboard's overview and ROI pickers show: recipes, ROIs with their dataset counts and active model,
// today's decisions per ROI, the latest inspections, and whether the line keeps each active calibration's promise and
// still scores like its OK samples.
import { countInspectionsByRoiAndDecision, listLatestInspections, listRecipes, listRois, type Inspection } from "@bdi/db";
import type { LinePromise, ShiftVerdict } from "@bdi/core";
import type { Services } from "./index.ts";
import { calibrationPromise, calibrationScoreShift } from "./reports.ts";

export function listAllRois(svc: Services, filter: { recipeId?: string } = {}) {
  return listRois(svc.ctx.db.prisma, filter);
}

export async function overviewData(svc: Services, input: { since: Date; lastInspections: number }) {
  const db = svc.ctx.db.prisma;
  const [recipes, rois, today] = await Promise.all([listRecipes(db), listRois(db), countInspectionsByRoiAndDecision(db, { since: input.since })]);
  const last = new Map<string, Inspection[]>();
  if (input.lastInspections > 0) {
    await Promise.all(rois.map(async (r) => last.set(r.id, await listLatestInspections(db, { roiId: r.id, take: input.lastInspections }))));
  }
  const promises = new Map<string, LinePromise>();
  const shifts = new Map<string, ShiftVerdict>();
  await Promise.all(rois.map(async (r) => {
    if (!r.activeCalibration) return;
    promises.set(r.id, await calibrationPromise(svc, r.activeCalibration));
    const shift = await calibrationScoreShift(svc, r.activeCalibration);
    if (shift.available) shifts.set(r.id, shift.verdict);
  }));
  return { recipes, rois, today, last, promises, shifts, jobs: svc.jobs.active() };
}
