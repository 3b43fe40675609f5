// Per-position normalisation of the anomaly grid (PaDiM's idea applied to PatchCore's 1-NN distances).
// ROI crops are registered: the same grid cell sees the same part of the disc in every crop, and some cells (thread
// edges, borders, reflections) are far from the bank even on good parts. Each cell's distance is turned into a
// z-score against that cell's distances on out-of-sample OK crops (k-fold: each crop scored by a bank fitted
// without it). Measured on the bundled backbone at 768 (image AUROC / pixel AUROC / AUPRO):
//   bsdata_pitting     raw 0.924 / 0.986 / 0.872  →  z 0.955 / 0.992 / 0.892
//   kolektorsdd_crack  raw 0.878 / 0.897 / 0.667  →  z 0.909 / 0.945 / 0.742
// The scale is floored at a quantile of the deviations of the cells the crops cover, by layout
// (`scaleFloorQuantile`): with 10–20 OK crops a cell's own deviation is a noisy estimate, and a near-zero one would
// turn a tiny distance change into a huge z. A registered ROI's cells are places on the part, each with its own
// spread: the floor only guards the quietest. A texture's cells (global layout) are one surface seen at other offsets:
// they share one scale, except the loudest 5 % (on kolektorsdd the crop's long sides), which keep their own.
// Until session 26 the floor was the median over the whole grid, whose cells outside the crop repeat its border
// (gridMap), so the border set it: about the 15th percentile of bsdata's crop cells (its top and bottom rows are
// quiet) and the 95th of kolektorsdd's (its long sides are loud). Each dev set had about the floor it needs by the shape
// of its crops; a square crop (no copies) got the median, the worst for a texture. The quantiles are where the copies
// had put each set's floor, so the dev sets keep their numbers. Measured with `npm run eval` (image AUROC / FRR at
// 95 % recall / recall at the calibrated threshold; kolektorsdd coreset seeds 0 ; 1):
//   quantile   bsdata_pitting (registered)        kolektorsdd_crack (texture)
//   0.10       0.9788 / 10.0 % / 79 %
//   0.15       0.9788 / 10.0 % / 83 % (as before)
//   0.25       0.9778 / 10.0 % / 81 %             0.9220 / 45.2 % ; 0.9210 / 43.5 %
//   0.50       0.9793 / 10.0 % / 77 %             0.9207 / 51.6 % ; 0.9183 / 45.2 %
//   0.90       0.9635 / 23.3 % / 69 %             0.9325 / 46.8 % ; 0.9335 / 33.9 %
//   0.95                                          0.9358 / 41.9 % ; 0.9392 / 29.0 % (as before: 0.9358 ; 0.9399)
//   0.97       0.9550 / 25.0 % / 69 %             0.9341 / 41.9 % ; 0.9388 / 30.6 %
//   1 (one)    0.9513 / 26.7 % / 71 %             0.9301 / 48.4 % ; 0.9385 / 30.6 %
import { InvalidInputError } from "../errors.ts";
import type { CropKind } from "../coreset/layout.ts";

const MIN_SCALE = 1e-6;

/**
 * Fewer OK crops than this: a fit keeps raw distances. Per-cell deviations from a handful of near-identical crops
 * are tiny and unreliable (measured: 10 consecutive bsdata crops of one position at input 256 gave a median cell
 * deviation of 0.027 against distances of ~0.45, out-of-sample z-scores of 3.5–6.5 and a threshold of 6.6 above a
 * pitted crop's 5.6, which the raw rule calls NG); from 20 crops on the normalised promise held on bsdata (20 crops:
 * promised 5 %, realised 1.7 %; 40: 2.5 % and 3.3 %).
 */
export const MIN_NORM_CROPS = 20;

/**
 * The quantile of the crop cells' deviations a fit of crops of this kind floors every cell's scale at (see above);
 * crops not known to be registered get the texture's.
 */
export function scaleFloorQuantile(kind: CropKind | undefined): number {
  return kind === "registered" ? SCALE_FLOOR_REGISTERED : SCALE_FLOOR_TEXTURE;
}

/** A registered ROI's scale floor: the 15th percentile of its cells' deviations (0.10–0.50 rank bsdata the same). */
export const SCALE_FLOOR_REGISTERED = 0.15;
/** A texture's (global layout): the 95th percentile, one scale for all but the loudest 5 % of its cells. */
export const SCALE_FLOOR_TEXTURE = 0.95;

/** Mean and scale of each grid cell's out-of-sample OK distance; z = (d − mean) / scale. */
export interface PositionNorm {
  /** grid side the statistics were taken on (g × g cells, row-major) */
  grid: number;
  mean: Float32Array;
  scale: Float32Array;
  /** OK crops the statistics were taken from */
  samples: number;
}

/**
 * Running per-cell sums of OK grid maps; `without(other)` removes another accumulator's maps (leave-fold-out). Each
 * map says which of its cells the crop covers (the rest of a grid map repeats the crop's border): the scale floor is
 * taken over those cells only.
 */
export class PositionStats {
  readonly sum: Float64Array;
  readonly sumSq: Float64Array;
  /** per cell, the maps whose crop covers it */
  readonly covered: Float64Array;
  count = 0;
  constructor(readonly grid: number) {
    if (!(Number.isInteger(grid) && grid > 0)) throw new InvalidInputError(`grid must be a positive integer, got ${grid}`);
    this.sum = new Float64Array(grid * grid);
    this.sumSq = new Float64Array(grid * grid);
    this.covered = new Float64Array(grid * grid);
  }

  /** One map; `cells`: the grid cells its crop covers (absent: all of them). */
  add(map: ArrayLike<number>, cells?: ArrayLike<number>): void {
    if (map.length !== this.sum.length) throw new InvalidInputError(`grid map has ${map.length} cells, expected ${this.sum.length}`);
    if (cells) {
      for (let k = 0; k < cells.length; k++) {
        const c = cells[k]!;
        if (!(Number.isInteger(c) && c >= 0 && c < map.length)) throw new InvalidInputError(`cell ${c} is outside the ${this.grid}×${this.grid} grid`);
        this.covered[c]! += 1;
      }
    } else {
      for (let i = 0; i < map.length; i++) this.covered[i]! += 1;
    }
    for (let i = 0; i < map.length; i++) {
      const v = map[i]!;
      this.sum[i]! += v;
      this.sumSq[i]! += v * v;
    }
    this.count++;
  }

  /** Sums of these maps minus `other`'s (which must be a subset of them). */
  without(other: PositionStats): PositionStats {
    const out = new PositionStats(this.grid);
    for (let i = 0; i < this.sum.length; i++) {
      out.sum[i] = this.sum[i]! - other.sum[i]!;
      out.sumSq[i] = this.sumSq[i]! - other.sumSq[i]!;
      out.covered[i] = this.covered[i]! - other.covered[i]!;
    }
    out.count = this.count - other.count;
    return out;
  }

  /**
   * The normalisation, every cell's scale floored at the `floorQuantile` quantile of the deviations of the cells the
   * crops cover (`scaleFloorQuantile`; 0.5, the median, by default); needs at least 2 maps.
   */
  finish(floorQuantile = 0.5): PositionNorm {
    const n = this.count;
    if (n < 2) throw new InvalidInputError(`position statistics need at least 2 OK maps, got ${n}`);
    if (!(floorQuantile >= 0 && floorQuantile <= 1)) throw new InvalidInputError(`the scale floor's quantile must be within [0, 1], got ${floorQuantile}`);
    const cells = this.sum.length;
    const mean = new Float32Array(cells);
    const sd = new Float64Array(cells);
    for (let i = 0; i < cells; i++) {
      const m = this.sum[i]! / n;
      mean[i] = m;
      // sample standard deviation; the max() guards rounding below zero
      sd[i] = Math.sqrt(Math.max(0, (this.sumSq[i]! - n * m * m) / (n - 1)));
    }
    const coveredSd: number[] = [];
    for (let i = 0; i < cells; i++) if (this.covered[i]! > 0) coveredSd.push(sd[i]!);
    const sorted = Float64Array.from(coveredSd.length ? coveredSd : sd).sort();
    const at = sorted[Math.min(sorted.length - 1, Math.floor(floorQuantile * sorted.length))]!;
    // (a ROI whose OK crops are pixel-identical has no spread at all: a fixed small scale keeps z finite)
    const floor = at > 0 ? at : sorted[sorted.length - 1]! > 0 ? sorted[sorted.length - 1]! : MIN_SCALE;
    const scale = new Float32Array(cells);
    for (let i = 0; i < cells; i++) scale[i] = Math.max(sd[i]!, floor);
    return { grid: this.grid, mean, scale, samples: n };
  }
}

/** z-scores of a grid map, in place: (d − mean) / scale per cell. */
export function normaliseGrid(map: Float32Array, norm: PositionNorm): Float32Array {
  if (map.length !== norm.mean.length) {
    throw new InvalidInputError(`grid map has ${map.length} cells, the normalisation ${norm.mean.length}`);
  }
  for (let i = 0; i < map.length; i++) map[i] = (map[i]! - norm.mean[i]!) / norm.scale[i]!;
  return map;
}
