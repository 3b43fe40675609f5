// POST /calibrate_ng (contract §1.3): the legacy threshold rule on scores the client sends, stored against the ROI's
// active version when it has one.
import type { FastifyInstance } from "fastify";
import { DEFAULT_AREA_MM2_THR, DEFAULT_MM_PER_PX, DEFAULT_SCORE_PERCENTILE } from "@bdi/core";
import type { Services } from "../../services/index.ts";
import { ServiceError } from "../../services/errors.ts";
import { calibrateFromScores, checkScoreCount } from "../../services/calibrate.ts";
import { ids, legacyHandler, legacyRef, requireJsonObject, resolveRecipeFor, who } from "../request.ts";

/** Numbers from a JSON list; NaN/Inf dropped (strings "NaN"/"Infinity" included, as Python's float() reads them). */
function numberList(v: unknown, name: string): number[] | null {
  if (v === undefined || v === null) return null;
  const bad = () => new ServiceError("bad_request", `${name} must be a list of numbers`);
  if (!Array.isArray(v)) throw bad();
  const out: number[] = [];
  for (const x of v) {
    if (typeof x !== "number" && typeof x !== "string") throw bad();
    const n = typeof x === "number" ? x : Number(x);
    if (typeof x === "string" && Number.isNaN(n) && !/^[+-]?(nan|inf|infinity)$/i.test(x.trim())) throw bad();
    if (Number.isFinite(n)) out.push(n);
  }
  return out;
}

/** A JSON number field with its legacy default; `what` names the rule in the 400. */
function numberField(body: Record<string, unknown>, name: string, fallback: number, what = "must be a number"): number {
  const v = body[name] == null ? fallback : Number(body[name]);
  if (!Number.isFinite(v)) throw new ServiceError("bad_request", `${name} ${what}`);
  return v;
}

export function calibrateNgRoute(app: FastifyInstance, svc: Services): void {
  app.post("/calibrate_ng", legacyHandler("/calibrate_ng", async (req, _reply, lr) => {
    const body = requireJsonObject(req);
    const recipe = resolveRecipeFor(req, lr, body.recipe_id);
    // A missing key is Python's KeyError text.
    if (body.role_id === undefined || body.role_id === null) throw new ServiceError("bad_request", "'role_id'");
    if (body.roi_id === undefined || body.roi_id === null) throw new ServiceError("bad_request", "'roi_id'");
    const ref = legacyRef(recipe, String(body.role_id), String(body.roi_id), body.model_key != null ? String(body.model_key) : undefined);
    const mmPerPx = numberField(body, "mm_per_px", DEFAULT_MM_PER_PX);
    const areaMm2Thr = numberField(body, "area_mm2_thr", DEFAULT_AREA_MM2_THR, "must be a finite number >= 0");
    if (areaMm2Thr < 0) throw new ServiceError("bad_request", "area_mm2_thr must be a finite number >= 0");
    // int() like the original (0.995 → 0): the percentile of the OK scores.
    const percentile = Math.trunc(numberField(body, "score_percentile", DEFAULT_SCORE_PERCENTILE));
    if (percentile < 0 || percentile > 100) throw new ServiceError("bad_request", "score_percentile must be within [0, 100]");
    // bounded before parsing: the limit counts the list as sent, NaNs included
    for (const name of ["ok_scores", "ng_scores"]) if (Array.isArray(body[name])) checkScoreCount(svc, name, (body[name] as unknown[]).length);
    const okScores = numberList(body.ok_scores ?? [], "ok_scores") ?? [];
    const ngScores = numberList(body.ng_scores, "ng_scores");
    const { rule: t, stored } = await calibrateFromScores(svc, { ref, okScores, ngScores, percentile, areaMm2Thr, mmPerPx }, who(lr));
    return {
      threshold: t.threshold,
      ok_mean: t.okMean,
      ng_mean: t.ngMean,
      p99_ok: t.pOk,
      p5_ng: t.pNg,
      mm_per_px: mmPerPx,
      area_mm2_thr: areaMm2Thr,
      score_percentile: percentile,
      ...ids(lr),
      rule: t.rule,
      stored: !!stored,
      ...(stored
        ? { calibration_id: stored.id, model_version_id: stored.modelVersionId }
        : { warning: "No fitted model for this ROI: the threshold was computed but not stored. Run /fit_ok first." }),
    };
  }));
}
