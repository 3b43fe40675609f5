// Response pieces several legacy routes share: the seed docs' `samples[]` of an upload, the calibration object of
// /manifest, regions in the legacy field names.
import { toLegacyRegion, type Region } from "@bdi/core/schemas/region";
import { parseJson } from "@bdi/core/json";
import type { Calibration, Sample } from "@bdi/db";
import { promisesOf } from "../services/calibrate.ts";
import type { RoiRef } from "../services/samples.ts";

/** Where the sidecar of a stored sample can be read (the seed docs' `samples[].meta`). */
function sampleMetaUrl(ref: RoiRef, label: "ok" | "ng", fileName: string): string {
  const q = new URLSearchParams({ role_id: ref.roleId, roi_id: ref.roiId, label, filename: fileName });
  return `datasets/meta?${q.toString()}`;
}

/** The seed docs' description of stored uploads: their folder and, per file, its path, sidecar URL and name. */
export function uploadedJson(ref: RoiRef, label: "ok" | "ng", samples: Sample[]) {
  return {
    target_dir: samples[0] ? samples[0].storedPath.split("/").slice(0, -1).join("/") : null,
    samples: samples.map((s) => ({ file: s.storedPath, meta: sampleMetaUrl(ref, label, s.fileName), filename: s.fileName })),
  };
}

export function legacyRegions(regions: Region[]) {
  return regions.map((r) => toLegacyRegion(r));
}

/** A stored calibration as /manifest describes it (the original's calib.json keys, plus what we record). */
export function calibrationJson(c: Calibration) {
  const ok = parseJson<Record<string, number>>(c.okStatsJson) ?? {};
  const ng = parseJson<Record<string, number>>(c.ngStatsJson);
  // the rates new crops are expected to see, from the threshold and scores (stored before session 25: the share)
  const promises = promisesOf(c);
  return {
    threshold: c.threshold,
    rule: c.rule,
    score_percentile: Math.round(c.scorePercentile),
    area_mm2_thr: c.areaMm2Thr,
    mm_per_px: c.mmPerPx,
    ok_mean: ok.mean ?? null,
    ng_mean: ng?.mean ?? 0,
    p99_ok: ok.p ?? null,
    p5_ng: ng?.p5 ?? null,
    n_ok: ok.n ?? null,
    n_ng: ng?.n ?? 0,
    out_of_sample: c.outOfSample,
    expected_false_reject_rate: promises.falseRejectRate,
    expected_miss_rate: promises.missRate,
    calibration_id: c.id,
    model_version_id: c.modelVersionId,
    created_at_utc: c.createdAt.toISOString(),
  };
}
