// A registered ROI's crops brought to one brightness before the backbone: each crop's pixels scaled so that their mean
// level equals the ROI's reference level (the median level of a few of its OK crops, measured at fit time and kept in
// the version), clipped at white.
// Why: a registered ROI shows the same place on the part every time, so its crops' overall level differs by the lamp,
// the exposure and the surface's sheen, not by defects (a pit or a crack moves the mean of a crop by well under a
// grey level). Every score moves with that level: bsdata's good test crops 10 % brighter scored 5.05 in median
// instead of 2.19, and with the channel weights 4 of 60 were rejected (0 as taken). Scaled to the reference, the OK
// crops that set a threshold are no longer the washed-out ones, and a lamp that drifts no longer moves the scores.
// Why registered ROIs only: a texture's crops (global layout) show different areas whose level is part of what they
// are, and session 15 measured a fixed scaling losing kolektorsdd's ranking on one of two coreset seeds (image AUROC
// 0.936 → 0.910; scaled to its own median level in session 24: +0.011 on seed 0, −0.004 on seed 1, a coin toss).
// Measured with `npm run eval` (bundled backbone, all training crops; README "One brightness for a registered ROI"):
//   bsdata_pitting (positional)  as decoded 0.9745 image AUROC / FRR at 95 % recall 10.0 % / AUPRO 0.929 / recall at
//                                the calibrated threshold 79 %, 1 of 60 good rejected; at the ROI's level (this code)
//                                0.9788 / 10.0 % / 0.938 / 83 %, 2 of 60; test crops 10 % / 20 % brighter: 4 / 60 of
//                                60 good rejected as decoded, 2 / 4 at the level
//   through REST (100 OK crops)  73 → 77 of 100 pitted crops NG, 1 of 60 good rejected both
import { InvalidInputError } from "../errors.ts";
import type { CropKind } from "../coreset/layout.ts";

/** OK crops, spread evenly over a fit's crops, whose median level is the ROI's reference. */
export const BRIGHTNESS_REFERENCE_CROPS = 8;
/**
 * The largest factor a crop is scaled by, either way: a crop 4× darker or brighter than its ROI's reference is not the
 * lamp drifting (a cap covering the lens, a crop of another place) and is scored as it is beyond that factor.
 */
export const MAX_BRIGHTNESS_GAIN = 4;

/** Whether a fit of crops of this kind brings them to one brightness (registered ROIs only: see above). */
export function normalisesBrightness(kind: CropKind | undefined): boolean {
  return kind === "registered";
}

/** The mean of a crop's bytes (every channel of every pixel), in grey levels 0–255. */
export function meanLevel(pixels: Uint8Array): number {
  if (pixels.length === 0) throw new InvalidInputError("meanLevel: no pixels");
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  const n4 = pixels.length - (pixels.length % 4);
  let i = 0;
  for (; i < n4; i += 4) { s0 += pixels[i]!; s1 += pixels[i + 1]!; s2 += pixels[i + 2]!; s3 += pixels[i + 3]!; }
  for (; i < pixels.length; i++) s0 += pixels[i]!;
  return (s0 + s1 + s2 + s3) / pixels.length;
}

/** The reference level of a ROI: the median of its OK crops' levels (one washed-out crop does not move it). */
export function referenceLevel(levels: readonly number[]): number {
  if (levels.length === 0) throw new InvalidInputError("referenceLevel: no crop levels");
  for (const l of levels) if (!validBrightnessLevel(l)) throw new InvalidInputError(`referenceLevel: ${l} is not a level in (0, 255]`);
  const s = [...levels].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The factor that takes a crop of mean `level` to `reference`, within [1 / MAX_BRIGHTNESS_GAIN, MAX_BRIGHTNESS_GAIN]. */
export function brightnessGain(level: number, reference: number): number {
  if (!validBrightnessLevel(reference)) throw new InvalidInputError(`brightnessGain: reference ${reference} is not a level in (0, 255]`);
  if (!(level >= 0) || !Number.isFinite(level)) throw new InvalidInputError(`brightnessGain: level ${level} is not a level`);
  const g = level > 0 ? reference / level : MAX_BRIGHTNESS_GAIN;
  return Math.min(MAX_BRIGHTNESS_GAIN, Math.max(1 / MAX_BRIGHTNESS_GAIN, g));
}

/**
 * A byte's value scaled by `gain` (rounded, clipped at 255), for each of the 256: the table a crop's bytes go through.
 * The engine folds it into its input-plane tables (preprocess.ts toInputPlanes), so that a crop is not rewritten in a
 * pass of its own (a 512 × 208 crop resized into its 768 × 312 input, with its meanLevel: 1.4 ms).
 */
export function brightnessTable(gain: number): Uint8Array {
  if (!(gain > 0) || !Number.isFinite(gain)) throw new InvalidInputError(`brightnessTable: gain ${gain} is not > 0`);
  const table = new Uint8Array(256);
  for (let v = 0; v < 256; v++) table[v] = Math.min(255, Math.round(v * gain));
  return table;
}

/** A stored reference level is usable: a finite number in (0, 255]. */
export function validBrightnessLevel(level: unknown): level is number {
  return typeof level === "number" && Number.isFinite(level) && level > 0 && level <= 255;
}
