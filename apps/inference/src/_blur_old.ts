// Separable Gaussian blur of a single-channel float map, like cv2.GaussianBlur(src, (k, k), σ) with
// BORDER_REFLECT_101 and OpenCV's float kernel weights.
import { InvalidInputError } from "../../../packages/core/src/errors.ts";

/** The legacy kernel size for σ: max(3, round(3σ)·2 + 1) (σ = 1 → 7). */
export function legacyKernelSize(sigma: number): number {
  return Math.max(3, Math.round(sigma * 3) * 2 + 1);
}

/**
 * cv2.getGaussianKernel(ksize, sigma, CV_32F) for sigma > 0 (OpenCV 4.x): exp(−x²/2σ²) at x = i − (ksize−1)/2,
 * normalised to sum 1 in double precision, then rounded to float32.
 */
export function gaussianKernel(ksize: number, sigma: number): Float64Array {
  if (!Number.isInteger(ksize) || ksize < 1 || ksize % 2 === 0) {
    throw new InvalidInputError(`kernel size must be a positive odd integer, got ${ksize}`);
  }
  if (!(sigma > 0) || !Number.isFinite(sigma)) throw new InvalidInputError(`sigma must be finite and > 0, got ${sigma}`);
  const k = new Float64Array(ksize);
  const scale2 = -0.5 / (sigma * sigma);
  let sum = 0;
  for (let i = 0; i < ksize; i++) {
    const x = i - (ksize - 1) * 0.5;
    k[i] = Math.exp(scale2 * x * x);
    sum += k[i]!;
  }
  for (let i = 0; i < ksize; i++) k[i] = Math.fround(k[i]! / sum);
  return k;
}

/** OpenCV borderInterpolate for BORDER_REFLECT_101 (gfedcb|abcdefgh|gfedcba). */
export function reflect101(p: number, len: number): number {
  if (len === 1) return 0;
  while (p < 0 || p >= len) {
    if (p < 0) p = -p;
    else p = 2 * len - 2 - p;
  }
  return p;
}

export interface GaussianBlurOptions {
  /** Kernel size (odd). Default: the legacy `max(3, round(3σ)·2 + 1)`. */
  ksize?: number;
}

/**
 * Gaussian blur of a w×h float map (row-major). σ ≤ 0 returns a copy (no blur).
 * Rows first, then columns, each with reflect-101 borders, like OpenCV's separable filter.
 */
export function gaussianBlur(src: Float32Array, w: number, h: number, sigma: number, opts: GaussianBlurOptions = {}): Float32Array {
  if (!Number.isInteger(w) || !Number.isInteger(h) || w <= 0 || h <= 0) {
    throw new InvalidInputError(`image size must be positive integers, got ${w}×${h}`);
  }
  if (src.length !== w * h) throw new InvalidInputError(`map has ${src.length} values, expected ${w}×${h}`);
  if (!(sigma > 0)) return src.slice();
  const ksize = opts.ksize ?? legacyKernelSize(sigma);
  const kern = gaussianKernel(ksize, sigma);
  const r = (ksize - 1) >> 1;

  // Horizontal pass into a float64 buffer, via a reflect-padded row.
  const tmp = new Float64Array(w * h);
  const padded = new Float64Array(w + 2 * r);
  const xIdx = new Int32Array(w + 2 * r);
  for (let i = 0; i < w + 2 * r; i++) xIdx[i] = reflect101(i - r, w);
  for (let y = 0; y < h; y++) {
    const base = y * w;
    for (let i = 0; i < padded.length; i++) padded[i] = src[base + xIdx[i]!]!;
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let k = 0; k < ksize; k++) s += padded[x + k]! * kern[k]!;
      tmp[base + x] = s;
    }
  }

  // Vertical pass: accumulate whole rows (cache friendly).
  const out = new Float32Array(w * h);
  const acc = new Float64Array(w);
  for (let y = 0; y < h; y++) {
    acc.fill(0);
    for (let k = 0; k < ksize; k++) {
      const sy = reflect101(y + k - r, h);
      const wk = kern[k]!;
      const base = sy * w;
      for (let x = 0; x < w; x++) acc[x] += tmp[base + x]! * wk;
    }
    out.set(acc, y * w);
  }
  return out;
}
