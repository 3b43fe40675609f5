import type { RoiSummary } from "@bdi/db";
import { OverviewInputSchema } from "@bdi/core/dashboard/overview";
import { viewerProcedure } from "../trpc.ts";
import { calibrationDto, inspectionDto, jobDto, modelVersionDto, roiBrief } from "../dto.ts";
import { localMidnight, services } from "../helpers.ts";
import { healthSummary } from "./health.ts";
import { overviewData } from "../../services/overview.ts";
import { calibrationApplies } from "../../services/model-state.ts";

/** Recipes → roles → ROIs with their dataset counts, active version + calibration, today's NG rate, last inspections. */
export const overview = viewerProcedure.input(OverviewInputSchema).query(async ({ ctx, input }) => {
  const since = input.since ?? localMidnight();
  const { recipes, rois, today, last, promises, shifts, jobs } = await overviewData(services(ctx), { since, lastInspections: input.lastInspections });
  const roiView = (r: RoiSummary) => {
    const t = today.filter((g) => g.roiId === r.id);
    const total = t.reduce((s, g) => s + g.count, 0);
    const ng = t.filter((g) => g.decision === "ng").reduce((s, g) => s + g.count, 0);
    const v = r.activeModelVersion;
    const c = r.activeCalibration;
    const calibrated = calibrationApplies(v, c);
    return {
      ...roiBrief(r),
      counts: r.counts,
      fitted: !!v && v.status === "ready",
      calibrated,
      activeModelVersion: v ? modelVersionDto(v) : null,
      activeCalibration: c ? calibrationDto(c) : null,
      threshold: calibrated ? c.threshold : null,
      /** the line against the active calibration's promise (reports.line has the numbers) */
      lineVerdict: calibrated ? (promises.get(r.id)?.verdict ?? null) : null,
      /** the line's last crops against the calibration's OK scores (null: not comparable; reports.line has the numbers) */
      lineScores: calibrated ? (shifts.get(r.id) ?? null) : null,
      today: { inspections: total, ng, ngRate: total > 0 ? ng / total : null },
      lastInspections: (last.get(r.id) ?? []).map(inspectionDto),
      activeJobs: jobs.filter((j) => j.roiKey === r.id).map(jobDto),
    };
  };
  const totalToday = today.reduce((s, g) => s + g.count, 0);
  const ngToday = today.filter((g) => g.decision === "ng").reduce((s, g) => s + g.count, 0);
  return {
    health: healthSummary(ctx.svc),
    since: since.toISOString(),
    today: { inspections: totalToday, ng: ngToday, ngRate: totalToday > 0 ? ngToday / totalToday : null },
    activeJobs: jobs.map(jobDto),
    recipes: recipes.map((rec) => {
      const mine = rois.filter((r) => r.recipeId === rec.id);
      const roles = [...new Set(mine.map((r) => r.roleId))];
      return {
        id: rec.id,
        displayName: rec.displayName,
        mmPerPx: rec.mmPerPx,
        roles: roles.map((roleId) => ({ roleId, rois: mine.filter((r) => r.roleId === roleId).map(roiView) })),
      };
    }),
  };
});
