// Channel weights for a registered ROI's patch features: each channel scaled by 1 / sqrt(its variance + the mean
// channel variance), measured over a few OK crops at fit time and applied to every feature of the ROI (bank and
// queries alike), so the 1-NN distance becomes a weighted Euclidean one.
// Why registered ROIs only: in a registered ROI the positional memory matches each place on the part with the same
// place on OK parts, so the channels that vary most over the crops — most of whose variance is between places: on
// bsdata's training patches the channels' variance within a grid cell is a fifth of their variance overall — are
// already matched by position, and what tells a small defect from an OK place is left in the quiet channels, which the
// plain distance drowns. A texture that is not registered (global layout) needs its loud channels to find its match.
// Measured with `npm run eval` (bundled backbone, default settings, all training crops; image AUROC / FRR at 95 %
// recall / recall at 1 % FRR / AUPRO / recall at the calibrated threshold; README "Channel weights for registered ROIs"):
//   bsdata_pitting (positional)  none 0.9737 / 18.3 % / 79 % / 0.923 / 68 %;  shrink 1, weights of 8 crops (this
//                                code) 0.9745 / 10.0 % / 72 % / 0.929 / 79 %; of all 160 crops 0.9743 / 10.0 % / 72 % /
//                                0.929 / 79 %; shrink 0.5 / 2: 11.7 / 10.0 % at 95 % recall, 77 / 74 % calibrated
//   kolektorsdd_crack (global)   none 0.9358 / 41.9 % / 72.9 % / 0.744 / 66.7 %;  weighted, shrink 0.5: 0.9214 /
//                                38.7 % / 72.9 % / 0.733 / 60.4 %, hence registered ROIs only
//   the variance within grid cells instead of overall (bsdata, shrink 0.5): 0.9723 / 15.0 % / 72 % / 0.920 / 72 %
// Weights from CHANNEL_WEIGHT_CROPS crops spread over the training set differ from those of all 160 by at most 3.6 %.
import { InvalidInputError } from "../errors.ts";
import type { BankLayout } from "../coreset/layout.ts";

/** Each channel's variance is shrunk toward the mean channel variance by this share of it: w = sqrt(m / (v + s·m)). */
export const CHANNEL_WEIGHT_SHRINK = 1;
/** OK crops, spread evenly over a fit's crops, whose patches give the channel variances. */
export const CHANNEL_WEIGHT_CROPS = 8;

/**
 * Whether a fit of this memory layout weighs its channels: the positional memory only (registered crops; see above).
 * A registered ROI too large for it keeps a global coreset unweighted: on bsdata's crops cut square (9,216 cells at
 * 768; session 27) the weights there gave image AUROC 0.9810 / 0.9814 against 0.9827 / 0.9840 without them, recall
 * at the calibrated threshold 74 / 64 % against 81 / 77 %, and their flatter spectrum takes more search directions.
 */
export function weighsChannels(layout: BankLayout): boolean {
  return layout === "positional";
}

/**
 * Per-channel first and second moments of feature rows, in float64 (deterministic on every CPU; 8 crops × 3,840 cells
 * × 1,104 channels, ~34 M multiply-adds: 0.1 s once per fit).
 */
export class ChannelMoments {
  private readonly sum: Float64Array;
  private readonly sumSq: Float64Array;
  private rows = 0;
  constructor(readonly dim: number) {
    if (!Number.isInteger(dim) || dim < 1) throw new InvalidInputError(`ChannelMoments needs a dimension ≥ 1 (got ${dim})`);
    this.sum = new Float64Array(dim);
    this.sumSq = new Float64Array(dim);
  }
  /** Adds the first `rows` rows of `feats` (row-major, `dim` per row). */
  add(feats: Float32Array, rows: number): void {
    const d = this.dim;
    if (!Number.isInteger(rows) || rows < 0 || feats.length < rows * d) throw new InvalidInputError(`ChannelMoments.add: ${rows} rows of ${d} need ${rows * d} values (got ${feats.length})`);
    const { sum, sumSq } = this;
    for (let i = 0; i < rows; i++) {
      const o = i * d;
      for (let c = 0; c < d; c++) { const v = feats[o + c]!; sum[c] += v; sumSq[c] += v * v; }
    }
    this.rows += rows;
  }
  /** The channel weights sqrt(m / (v_c + shrink·m)), m the mean of the channel variances v_c; all 1 when m is 0. */
  weights(shrink = CHANNEL_WEIGHT_SHRINK): Float32Array {
    if (!(shrink > 0) || !Number.isFinite(shrink)) throw new InvalidInputError(`channel weight shrink must be a finite number > 0 (got ${shrink})`);
    if (this.rows < 2) throw new InvalidInputError(`channel weights need at least 2 feature rows (got ${this.rows})`);
    const d = this.dim, n = this.rows;
    const v = new Float64Array(d);
    let m = 0;
    for (let c = 0; c < d; c++) {
      const mean = this.sum[c]! / n;
      v[c] = Math.max(0, this.sumSq[c]! / n - mean * mean); // rounding can take a constant channel just below 0
      m += v[c]! / d;
    }
    const w = new Float32Array(d).fill(1);
    if (m > 0) for (let c = 0; c < d; c++) w[c] = Math.sqrt(m / (v[c]! + shrink * m));
    return w;
  }
}

/**
 * Multiplies every row of `feats` (its first `rows` rows of `weights.length` channels) by the weights, in place: a
 * float32 product per value, as onnxruntime's Mul would give. Four channels per step: 4.3 ms for a registered crop's
 * 3,840 × 1,104 features against 7.1 ms one at a time (V8 does not unroll it itself).
 */
export function applyChannelWeights(feats: Float32Array, rows: number, weights: Float32Array): void {
  const d = weights.length, d4 = d - (d % 4);
  if (feats.length < rows * d) throw new InvalidInputError(`applyChannelWeights: ${rows} rows of ${d} need ${rows * d} values (got ${feats.length})`);
  for (let i = 0; i < rows; i++) {
    const o = i * d;
    let c = 0;
    for (; c < d4; c += 4) {
      feats[o + c] = feats[o + c]! * weights[c]!;
      feats[o + c + 1] = feats[o + c + 1]! * weights[c + 1]!;
      feats[o + c + 2] = feats[o + c + 2]! * weights[c + 2]!;
      feats[o + c + 3] = feats[o + c + 3]! * weights[c + 3]!;
    }
    for (; c < d; c++) feats[o + c] = feats[o + c]! * weights[c]!;
  }
}

/** A stored weight vector is usable: `dim` finite values > 0. */
export function validChannelWeights(w: ArrayLike<number> | null | undefined, dim: number): boolean {
  if (!w || w.length !== dim) return false;
  for (let c = 0; c < dim; c++) if (!(w[c]! > 0) || !Number.isFinite(w[c]!)) return false;
  return true;
}
