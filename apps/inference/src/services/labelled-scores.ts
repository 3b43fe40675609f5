// Per-sample scores of a ROI's labelled set (live OK + NG samples) under one model version: what the dashboard's
// calibration view, threshold slider and version comparison are computed from. Built on the shared
// `scoreDataset` (OK samples that trained the version are scored out-of-sample, k-fold); cached in memory and
// in the store under cache/scores (a model version is immutable, so the scores only change with the dataset:
// the cache key includes a fingerprint of the labelled set).
import { createHash } from "node:crypto";
import path from "node:path";
import { DEFAULT_SCORE_PERCENTILE } from "@bdi/core";
import { getRoi, listCalibrations, listLabelledSetKeys, listModelVersionSampleIds, type ModelVersion, type Sample } from "@bdi/db";
import type { Services } from "./index.ts";
import { ServiceError } from "./errors.ts";
import { scoreDataset } from "./infer.ts";

export type ScoredSample = {
  sampleId: string;
  label: "ok" | "ng";
  fileName: string;
  /** the name the operator's file had (null: none known) — what people recognise the crop by */
  originalFileName: string | null;
  score: number;
  /** false when the sample is inside the version's memory bank and was scored against it (optimistic score) */
  outOfSample: boolean;
};

export type LabelledScores = {
  modelVersionId: string;
  roiId: string;
  percentile: number;
  items: ScoredSample[];
  errors: Array<{ sampleId: string; label: "ok" | "ng"; fileName: string; error: string }>;
  /** every OK score is out-of-sample */
  outOfSample: boolean;
  fingerprint: string;
  computedAt: string;
};

const CACHE_FORMAT = 2; // 2: items carry originalFileName
const memo = new WeakMap<Services, { done: Map<string, LabelledScores>; running: Map<string, Promise<LabelledScores>> }>();

function cacheOf(svc: Services) {
  let c = memo.get(svc);
  if (!c) memo.set(svc, (c = { done: new Map(), running: new Map() }));
  return c;
}

/** The score percentile a version is judged with: its active calibration's, else the legacy default (99). */
export async function versionPercentile(svc: Services, version: ModelVersion): Promise<number> {
  const cals = await listCalibrations(svc.ctx.db.prisma, { modelVersionId: version.id });
  return (cals.find((c) => c.active) ?? cals[0])?.scorePercentile ?? DEFAULT_SCORE_PERCENTILE;
}

async function datasetFingerprint(svc: Services, version: ModelVersion, percentile: number): Promise<string> {
  const rows = await listLabelledSetKeys(svc.ctx.db.prisma, version.roiId);
  const h = createHash("sha256").update(`${CACHE_FORMAT}|${version.id}|${percentile}|`);
  for (const r of rows) h.update(`${r.id}:${r.label}:${r.sha256}:${r.shapeJson ?? ""};`);
  return h.digest("hex");
}

function cacheRel(versionId: string, percentile: number): string {
  return path.posix.join("cache", "scores", `${versionId}-p${percentile}.json`);
}

async function compute(svc: Services, version: ModelVersion, percentile: number, fingerprint: string): Promise<LabelledScores> {
  if (version.status !== "ready" && version.status !== "retired")
    throw new ServiceError("conflict", `model version v${version.versionNumber} is ${version.status}; only a built version can score samples`);
  const roi = await getRoi(svc.ctx.db.prisma, version.roiId);
  const scored = await scoreDataset(svc, { roi, version, labels: ["ok", "ng"], percentile, outOfSampleOk: true });
  const lineage = await listModelVersionSampleIds(svc.ctx.db.prisma, version.id);
  const out: LabelledScores = {
    modelVersionId: version.id,
    roiId: version.roiId,
    percentile,
    items: [],
    errors: [],
    outOfSample: true,
    fingerprint,
    computedAt: new Date().toISOString(),
  };
  for (const label of ["ok", "ng"] as const) {
    for (const s of scored[label]) {
      if (s.score === undefined || !Number.isFinite(s.score)) {
        out.errors.push({ sampleId: s.sample.id, label, fileName: s.sample.fileName, error: s.error ?? "no score" });
        continue;
      }
      const inBank = lineage.has(s.sample.id);
      const oos = !inBank || (label === "ok" && scored.outOfSample);
      if (label === "ok" && !oos) out.outOfSample = false;
      out.items.push({ sampleId: s.sample.id, label, fileName: s.sample.fileName, originalFileName: s.sample.originalFileName, score: s.score, outOfSample: oos });
    }
  }
  return out;
}

/**
 * Seeds the cache with the scores a fit has just computed (its out-of-sample OK scores and its NG scores), so the
 * calibration view is ready when the fit is instead of scoring the set again. Only when they cover exactly the
 * ROI's current labelled set (every OK crop scored out-of-sample, every NG crop scored); otherwise the view computes
 * them as before. Returns whether the cache was seeded.
 */
export async function primeLabelledScores(
  svc: Services,
  version: ModelVersion,
  input: { percentile: number; ok: Array<{ sample: Sample; score: number }>; ng: Array<{ sample: Sample; score: number }> },
): Promise<boolean> {
  const keys = await listLabelledSetKeys(svc.ctx.db.prisma, version.roiId);
  const given = new Set([...input.ok, ...input.ng].map((x) => x.sample.id));
  const complete = keys.length === given.size && keys.every((k) => given.has(k.id) && (k.label === "ok" || k.label === "ng"));
  if (!complete || [...input.ok, ...input.ng].some((x) => !Number.isFinite(x.score))) return false;
  const fingerprint = await datasetFingerprint(svc, version, input.percentile);
  const item = (label: "ok" | "ng") => (x: { sample: Sample; score: number }): ScoredSample =>
    ({ sampleId: x.sample.id, label, fileName: x.sample.fileName, originalFileName: x.sample.originalFileName, score: x.score, outOfSample: true });
  const scores: LabelledScores = {
    modelVersionId: version.id, roiId: version.roiId, percentile: input.percentile,
    items: [...input.ok.map(item("ok")), ...input.ng.map(item("ng"))], errors: [], outOfSample: true, fingerprint,
    computedAt: new Date().toISOString(),
  };
  cacheOf(svc).done.set(`${version.id}|${input.percentile}`, scores);
  await svc.store.put(cacheRel(version.id, input.percentile), Buffer.from(JSON.stringify(scores))).catch(() => undefined);
  return true;
}

/**
 * Scores of the ROI's current labelled set under `version` (computed once per dataset state, then served from the
 * cache). Needs the backbone when the cache is cold.
 */
export async function labelledScores(svc: Services, version: ModelVersion, opts: { percentile?: number } = {}): Promise<LabelledScores> {
  const percentile = opts.percentile ?? (await versionPercentile(svc, version));
  const key = `${version.id}|${percentile}`;
  const fingerprint = await datasetFingerprint(svc, version, percentile);
  const cache = cacheOf(svc);
  const hit = cache.done.get(key);
  if (hit && hit.fingerprint === fingerprint) return hit;

  const runKey = `${key}|${fingerprint}`;
  const running = cache.running.get(runKey);
  if (running) return running;

  const p = (async () => {
    const rel = cacheRel(version.id, percentile);
    try {
      const disk = JSON.parse((await svc.store.get(rel))?.toString("utf8") ?? "null") as LabelledScores | null;
      if (disk?.fingerprint === fingerprint) {
        cache.done.set(key, disk);
        return disk;
      }
    } catch {
      /* no or unreadable cache file: compute */
    }
    const fresh = await compute(svc, version, percentile, fingerprint);
    cache.done.set(key, fresh);
    await svc.store.put(rel, Buffer.from(JSON.stringify(fresh))).catch(() => undefined);
    return fresh;
  })();
  cache.running.set(runKey, p);
  try {
    return await p;
  } finally {
    cache.running.delete(runKey);
  }
}
