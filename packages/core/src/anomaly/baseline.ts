// The map's baseline: what level of a crop's own map counts as "nothing here".
//   none        — the map as it comes (per-position z-scores, or raw distances);
//   crop-median — each crop's map minus its own median inside the ROI: an anomaly is a local excess over the crop.
// Which one follows the fit's registration probe (core's layout.ts). A registered ROI shows the same place every time: its
// per-position statistics already hold each place's level, and a whole crop above them is a part that differs. Crops
// that are not registered show different areas of a texture, each with its own level that no per-position statistic
// can hold; there a crop's overall level is the area's, and only the excess over it is a defect.
// Measured on the saved maps of `npm run eval` (bundled backbone, default settings, image AUROC / FRR at 95 % recall),
// top-1 % mean of the map → of the map minus its median:
//   kolektorsdd_crack (global layout), seed 0 / 1   0.926 / 56.5 % → 0.936 / 41.9 %;  0.929 / 44 % → 0.940 / 29 %
//                     and the same gain on all 10 other saved variants (backbones, inputs, whitening, flips), +0.003–0.030
//   bsdata_pitting (positional layout)              0.974 / 18.3 % → 0.968 / 15.0 %, and a loss on all 11 variants
//                     (global layouts included), −0.002–0.020: its crop-wide level carries the wear that comes with pits.
// The median rather than the mean: a large defect does not move it until it covers half of the ROI.
import { InvalidInputError } from "../errors.ts";
import { maskedPercentiles } from "../math/percentile.ts";
import type { CropKind } from "../coreset/layout.ts";

export const MAP_BASELINES = ["none", "crop-median"] as const;
export type MapBaseline = (typeof MAP_BASELINES)[number];

/**
 * The baseline a new fit uses: crops the registration probe found to be a texture are measured against their own
 * median; registered ones, and fits that did not probe (too few crops, a layout asked for), keep the map as it is.
 */
export function baselineFor(kind: CropKind | undefined): MapBaseline {
  return kind === "texture" ? "crop-median" : "none";
}

/**
 * Subtracts the baseline from `map` in place and returns the level subtracted: 0 for "none", the median of the
 * values inside `mask` (null = whole map) for "crop-median". An empty mask, or a NaN inside it (numpy's median is then
 * NaN, as every percentile here), subtracts 0.
 */
export function subtractBaseline(map: Float32Array, mask: Uint8Array | null, baseline: MapBaseline): number {
  if (!MAP_BASELINES.includes(baseline)) throw new InvalidInputError(`unknown map baseline ${String(baseline)}`);
  if (baseline === "none") return 0;
  const level = maskedPercentiles(map, mask, [50])[0]!;
  if (!Number.isFinite(level)) return 0; // no level to measure against: the map stays as it is
  if (level !== 0) for (let i = 0; i < map.length; i++) map[i] -= level;
  return level;
}
