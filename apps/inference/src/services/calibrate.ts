// Calibrations: the legacy rule on scores the client sends (/calibrate_ng), on the ROI's dataset scored with the
// active bank (/calibrate_dataset), after a fit (out-of-sample, see fit.ts), or a threshold chosen in the dashboard.
// Every one is stored by `storeCalibration`, with its scores and expected false-reject / miss rates.
import { DEFAULT_AREA_MM2_THR } from "@bdi/core";
import { okResampleInterval, rejectedAcross } from "@bdi/core/metrics/operating-point";
import { legacyThreshold, percentileSources, type LegacyThresholdResult } from "@bdi/core/calibration/legacyRule";
import { calibrationPromises, expectedRates, scoreStats, type CalibrationPromises } from "@bdi/core/calibration/rates";
import { parseJson } from "@bdi/core/json";
import {
  createCalibration, findRoi, getModelVersion, getRoi, listCalibrations, listDatasetSamples, type Calibration, type ModelVersion, type Sample,
} from "@bdi/db";
import type { Actor, Services } from "./index.ts";
import { ServiceError } from "./errors.ts";
import { scoreDataset } from "./infer.ts";
import { labelledScores, type LabelledScores } from "./labelled-scores.ts";
import { announceModelChange, requireFitted, roiModelState } from "./model-state.ts";
import { findRoiForRead, type RoiRef } from "./samples.ts";

type StoreInput = {
  version: ModelVersion;
  okScores: number[];
  ngScores: number[] | null;
  percentile: number;
  /** absent: the legacy 1 mm² */
  areaMm2Thr?: number;
  mmPerPx: number | null;
  outOfSample: boolean;
  /** a threshold chosen by hand (rule "manual" unless it equals the legacy rule's); absent: the legacy rule's */
  threshold?: number;
};

/** Creates (and activates for its version) a calibration: the legacy rule's threshold unless one is given. */
export async function storeCalibration(svc: Services, input: StoreInput, who: Actor): Promise<Calibration> {
  const ng = input.ngScores && input.ngScores.length ? input.ngScores : null;
  const rule = input.okScores.length ? legacyThreshold({ okScores: input.okScores, ngScores: ng, percentile: input.percentile }) : null;
  const manual = input.threshold !== undefined;
  if (!manual && !rule) throw new ServiceError("no_ok_samples", "at least one OK score is needed to calibrate");
  const threshold = manual ? input.threshold! : rule!.threshold;
  const isRule = rule !== null && Math.abs(rule.threshold - threshold) <= 1e-9 * Math.max(1, Math.abs(rule.threshold));
  const rates = expectedRates(threshold, input.okScores, ng);
  const stats = manual
    ? { okStats: { ...scoreStats(input.okScores), p: rule?.pOk ?? null }, ngStats: ng ? { ...scoreStats(ng), p5: rule?.pNg ?? null } : null }
    : { okStats: { mean: rule!.okMean, p: rule!.pOk, n: rule!.nOk }, ngStats: rule!.nNg ? { mean: rule!.ngMean, p5: rule!.pNg, n: rule!.nNg } : null };
  const calibration = await createCalibration(svc.ctx.db.prisma, {
    modelVersionId: input.version.id,
    threshold,
    rule: isRule ? rule.rule : "manual",
    scorePercentile: input.percentile,
    areaMm2Thr: input.areaMm2Thr ?? DEFAULT_AREA_MM2_THR,
    mmPerPx: input.mmPerPx,
    okScores: input.okScores,
    ngScores: ng,
    ...stats,
    outOfSample: input.outOfSample,
    expectedFalseRejectRate: rates.promisedFalseRejectRate,
    expectedMissRate: rates.promisedMissRate,
  }, who);
  await announceModelChange(svc, { roiId: input.version.roiId, change: "threshold", versionId: input.version.id });
  return calibration;
}

/** A stored calibration's scores (the JSON columns the db's `createCalibration` writes). */
export function calibrationScores(c: Pick<Calibration, "okScoresJson" | "ngScoresJson">): { ok: number[]; ng: number[] | null } {
  const numbers = (v: unknown): number[] | null => (Array.isArray(v) ? v.filter((x): x is number => typeof x === "number") : null);
  return { ok: numbers(parseJson<unknown>(c.okScoresJson)) ?? [], ng: numbers(parseJson<unknown>(c.ngScoresJson)) };
}

/**
 * What a stored calibration promises, computed again from its threshold and scores (core's `calibrationPromises`):
 * those stored before session 25 recorded the share of their OK scores over the threshold, not the rate new crops
 * see. The line watch, the dashboard and /manifest read the promise here (`scores`: the row's, if already read).
 */
export function promisesOf(
  c: Pick<Calibration, "threshold" | "okScoresJson" | "ngScoresJson" | "expectedFalseRejectRate" | "expectedMissRate">,
  scores = calibrationScores(c),
): CalibrationPromises {
  return calibrationPromises({
    threshold: c.threshold, okScores: scores.ok, ngScores: scores.ng,
    storedFalseRejectRate: c.expectedFalseRejectRate, storedMissRate: c.expectedMissRate,
  });
}

/**
 * /calibrate_ng: the legacy rule on client-supplied scores, stored against the ROI's active model version when it has
 * one (`stored` null otherwise: there is nothing the threshold could apply to).
 */
/**
 * A client-supplied score list is bounded (BDI_MAX_CALIBRATION_SCORES): a real ROI has tens to a few hundred
 * samples, and every score is stored with the calibration. `n` is the list's length as sent (NaNs included).
 */
export function checkScoreCount(svc: Services, field: string, n: number): void {
  const max = svc.ctx.config.maxCalibrationScores;
  if (n > max) throw new ServiceError("payload_too_large", `${field} has ${n} scores, over the limit of ${max} per list (BDI_MAX_CALIBRATION_SCORES)`, { field, limit: max });
}

export async function calibrateFromScores(
  svc: Services,
  input: { ref: RoiRef; okScores: number[]; ngScores: number[] | null; percentile: number; areaMm2Thr: number; mmPerPx: number },
  who: Actor,
): Promise<{ rule: LegacyThresholdResult; stored: Calibration | null }> {
  if (input.okScores.length === 0) throw new ServiceError("no_ok_samples", "at least one OK score is needed to calibrate");
  checkScoreCount(svc, "ok_scores", input.okScores.length);
  checkScoreCount(svc, "ng_scores", input.ngScores?.length ?? 0);
  const rule = legacyThreshold({ okScores: input.okScores, ngScores: input.ngScores, percentile: input.percentile });
  const roi = await findRoi(svc.ctx.db.prisma, { recipeId: input.ref.recipeId, roleId: input.ref.roleId, roiId: input.ref.roiId });
  const version = (await roiModelState(svc, roi)).version;
  const stored = roi && version
    ? await storeCalibration(svc, { ...input, version, outOfSample: false }, { ...who, reason: "calibrate_ng (client-supplied scores)" })
    : null;
  return { rule, stored };
}

/**
 * /calibrate_dataset: the ROI's OK (out-of-sample where they trained the bank) and NG samples scored with the active
 * version, then the legacy rule. Samples that could not be scored are reported, not fatal.
 */
export async function calibrateDataset(
  svc: Services,
  input: { ref: RoiRef; percentile: number; areaMm2Thr: number; defaultMmPerPx?: number; requireNg: boolean },
  who: Actor,
): Promise<{ calibration: Calibration; nOk: number; nNg: number; skipped: Array<{ sample: Sample; error: string }> }> {
  const { roi, version } = await requireFitted(svc, await findRoiForRead(svc, input.ref), { calibrated: false });
  // Cheap checks first: scoring the dataset takes a while.
  const db = svc.ctx.db.prisma;
  const noOk = () => new ServiceError("no_ok_samples", "no OK sample could be scored for the calibration");
  const noNg = () => new ServiceError("no_ng_samples", "no NG sample could be scored for the calibration");
  if ((await listDatasetSamples(db, { roiId: roi.id, label: "ok" })).length === 0) throw noOk();
  if (input.requireNg && (await listDatasetSamples(db, { roiId: roi.id, label: "ng" })).length === 0) throw noNg();
  const scored = await scoreDataset(svc, { roi, version, labels: ["ok", "ng"], percentile: input.percentile, outOfSampleOk: true, defaultMmPerPx: input.defaultMmPerPx });
  const okScores = scored.ok.filter((s) => s.score !== undefined).map((s) => s.score!);
  const ngScores = scored.ng.filter((s) => s.score !== undefined).map((s) => s.score!);
  if (okScores.length === 0) throw noOk();
  if (input.requireNg && ngScores.length === 0) throw noNg();
  const calibration = await storeCalibration(svc, {
    version, okScores, ngScores, percentile: input.percentile, areaMm2Thr: input.areaMm2Thr, mmPerPx: input.defaultMmPerPx ?? null,
    outOfSample: scored.outOfSample,
  }, { ...who, reason: "calibrate_dataset" });
  const skipped = [...scored.ok, ...scored.ng].filter((s) => s.error).map((s) => ({ sample: s.sample, error: s.error! }));
  return { calibration, nOk: okScores.length, nNg: ngScores.length, skipped };
}

/** A version's active calibration, if any. */
export async function activeCalibrationOf(svc: Services, version: ModelVersion): Promise<Calibration | null> {
  const cals = await listCalibrations(svc.ctx.db.prisma, { modelVersionId: version.id });
  return cals.find((c) => c.active) ?? null;
}

/** OK and NG scores of a labelled set. */
export function splitScores(scores: LabelledScores): { ok: number[]; ng: number[] } {
  const ok = scores.items.filter((i) => i.label === "ok").map((i) => i.score);
  const ng = scores.items.filter((i) => i.label === "ng").map((i) => i.score);
  return { ok, ng };
}

/** The legacy rule on a labelled set's scores (null without OK scores). */
export function ruleOf(scores: LabelledScores) {
  const { ok, ng } = splitScores(scores);
  if (ok.length === 0) return null;
  const t = legacyThreshold({ okScores: ok, ngScores: ng, percentile: scores.percentile });
  return { threshold: t.threshold, rule: t.rule, pOk: t.pOk, pNg: t.pNg, nOk: t.nOk, nNg: t.nNg };
}

/** How far the rule's threshold could move with another draw of OK samples: see ruleSpread. */
export interface RuleSpread {
  /** resamples of the OK scores behind the ranges */
  draws: number;
  /** 95 % range of the rule's threshold */
  threshold: [number, number];
  /** 95 % range of the share of these OK samples at or over it, and of these NG samples (null: none) */
  okRejected: [number, number];
  ngCaught: [number, number] | null;
}

const spreadOf = new WeakMap<LabelledScores, RuleSpread | null>();

/**
 * How far the rule's threshold could move with another draw of as many OK samples like these: the OK scores resampled
 * (core's okResampleInterval, 1,000 draws; the NG scores kept), and what the threshold then rejects of these OK samples
 * and catches of these NG ones. On 100 OK scores the rule's p99 rests on the two highest, so the range is wide
 * (bsdata_pitting's out-of-sample scores: 4.42–9.47, catching 31–84 % of its pitted test crops, README session 17): a
 * sign to add OK samples, or to look at the highest ones. Both rates are read across the threshold's range (core's
 * rejectedAcross). Computed once per scored set (it is cached, so the object is the key): the
 * resampling sorts every draw, ~0.1 s for 100 OK scores, ~1 s for 5,000, against minutes to score them.
 */
export function ruleSpread(scores: LabelledScores): RuleSpread | null {
  if (spreadOf.has(scores)) return spreadOf.get(scores)!;
  const { ok, ng } = splitScores(scores);
  let spread: RuleSpread | null = null;
  if (ok.length >= 2) {
    const rule = (sample: number[]) => legacyThreshold({ okScores: sample, ngScores: ng, percentile: scores.percentile }).threshold;
    const range = okResampleInterval(ok, rule, (t) => t);
    spread = { draws: range.draws, threshold: [range.low, range.high], okRejected: rejectedAcross(range, ok)!, ngCaught: rejectedAcross(range, ng) };
  }
  spreadOf.set(scores, spread);
  return spread;
}

/** OK samples the calibration view shows by default: the highest-scoring ones. */
export const HIGHEST_OK_SHOWN = 6;

/**
 * The OK samples that hold a threshold up: the `n` highest-scoring, and the ones whose scores the rule's OK percentile
 * lies between (`setsRule`; on 100 OK scores at p99 the two highest), highest first. A QA engineer reviews these:
 * one that is not a good part, relabelled, lowers the threshold at the next calibration. (On bsdata_pitting's and
 * kolektorsdd_crack's fits they were real OK crops unlike the rest: a first, washed-out frame, the most worn one, a
 * fibre on the surface; README, session 13.)
 */
export function highestOkSamples(scores: LabelledScores, n = HIGHEST_OK_SHOWN) {
  const ok = scores.items.filter((i) => i.label === "ok");
  const sources = new Set(percentileSources(ok.map((i) => i.score), scores.percentile).map((k) => ok[k]!.sampleId));
  const byScore = [...ok].sort((a, b) => b.score - a.score || a.sampleId.localeCompare(b.sampleId));
  return byScore
    .filter((i, k) => k < n || sources.has(i.sampleId))
    .map((i) => ({ ...i, setsRule: sources.has(i.sampleId) }));
}

/** A version with its active calibration and its labelled set's scores (what the calibration views start from). */
export async function versionCalibrationView(svc: Services, version: ModelVersion) {
  const [active, scores] = await Promise.all([activeCalibrationOf(svc, version), labelledScores(svc, version)]);
  return { active, scores };
}

/**
 * The dashboard's threshold: saved for a version as its active calibration (audited with the reason), with the
 * labelled scores it was chosen on. Inference uses it at once when the version is the ROI's active one.
 */
export async function saveThreshold(
  svc: Services,
  input: { modelVersionId: string; threshold: number; areaMm2Thr?: number },
  who: Actor,
): Promise<{ calibration: Calibration; inForce: boolean; previousThreshold: number | null }> {
  const version = await getModelVersion(svc.ctx.db.prisma, input.modelVersionId);
  const [{ active, scores }, roi] = await Promise.all([versionCalibrationView(svc, version), getRoi(svc.ctx.db.prisma, version.roiId)]);
  const { ok, ng } = splitScores(scores);
  const calibration = await storeCalibration(svc, {
    version, okScores: ok, ngScores: ng, percentile: scores.percentile, threshold: input.threshold,
    areaMm2Thr: input.areaMm2Thr ?? active?.areaMm2Thr, mmPerPx: active?.mmPerPx ?? roi.mmPerPx ?? null, outOfSample: scores.outOfSample,
  }, who);
  return { calibration, inForce: roi.activeModelVersionId === version.id, previousThreshold: active?.threshold ?? null };
}
