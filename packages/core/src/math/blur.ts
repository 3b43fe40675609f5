// Separable Gaussian blur of a single-channel float map, like cv2.GaussianBlur(src, (k, k), σ) with
// BORDER_REFLECT_101 and OpenCV's float kernel weights.
import { InvalidInputError } from "../errors.ts";

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

  // Horizontal pass into a float64 buffer. Each sum is accumulated from 0 in kernel order (k = 0 … ksize−1), the
  // same floating-point operations as a plain loop over a reflect-padded row; only border pixels need the padding.
  const tmp = new Float64Array(w * h);
  const xIdx = new Int32Array(w + 2 * r);
  for (let i = 0; i < w + 2 * r; i++) xIdx[i] = reflect101(i - r, w);
  if (ksize === 7 && w >= 8) {
    const k0 = kern[0]!, k1 = kern[1]!, k2 = kern[2]!, k3 = kern[3]!, k4 = kern[4]!, k5 = kern[5]!, k6 = kern[6]!;
    for (let y = 0; y < h; y++) {
      const base = y * w;
      // borders through the reflect-101 index table
      for (let x = 0; x < w; x = x === 2 ? w - 3 : x + 1) {
        const b = base;
        tmp[b + x] = 0 + src[b + xIdx[x]!]! * k0 + src[b + xIdx[x + 1]!]! * k1 + src[b + xIdx[x + 2]!]! * k2
          + src[b + xIdx[x + 3]!]! * k3 + src[b + xIdx[x + 4]!]! * k4 + src[b + xIdx[x + 5]!]! * k5 + src[b + xIdx[x + 6]!]! * k6;
      }
      // interior: read the source row directly (float32 → float64 is exact)
      for (let x = 3, j = base; x < w - 3; x++, j++) {
        tmp[base + x] = 0 + src[j]! * k0 + src[j + 1]! * k1 + src[j + 2]! * k2 + src[j + 3]! * k3
          + src[j + 4]! * k4 + src[j + 5]! * k5 + src[j + 6]! * k6;
      }
    }
  } else {
    const padded = new Float64Array(w + 2 * r);
    for (let y = 0; y < h; y++) {
      const base = y * w;
      for (let i = 0; i < padded.length; i++) padded[i] = src[base + xIdx[i]!]!;
      for (let x = 0; x < w; x++) {
        let s = 0;
        for (let k = 0; k < ksize; k++) s += padded[x + k]! * kern[k]!;
        tmp[base + x] = s;
      }
    }
  }

  // Vertical pass: each output row is the kernel-ordered sum of ksize source rows (accumulated from 0).
  const out = new Float32Array(w * h);
  const rowOff = new Int32Array(ksize);
  if (ksize === 7) {
    const k0 = kern[0]!, k1 = kern[1]!, k2 = kern[2]!, k3 = kern[3]!, k4 = kern[4]!, k5 = kern[5]!, k6 = kern[6]!;
    for (let y = 0; y < h; y++) {
      const o0 = reflect101(y - 3, h) * w, o1 = reflect101(y - 2, h) * w, o2 = reflect101(y - 1, h) * w, o3 = y * w;
      const o4 = reflect101(y + 1, h) * w, o5 = reflect101(y + 2, h) * w, o6 = reflect101(y + 3, h) * w;
      for (let x = 0; x < w; x++) {
        out[o3 + x] = 0 + tmp[o0 + x]! * k0 + tmp[o1 + x]! * k1 + tmp[o2 + x]! * k2 + tmp[o3 + x]! * k3
          + tmp[o4 + x]! * k4 + tmp[o5 + x]! * k5 + tmp[o6 + x]! * k6;
      }
    }
  } else {
    const acc = new Float64Array(w);
    for (let y = 0; y < h; y++) {
      acc.fill(0);
      for (let k = 0; k < ksize; k++) rowOff[k] = reflect101(y + k - r, h) * w;
      for (let k = 0; k < ksize; k++) {
        const wk = kern[k]!;
        const base = rowOff[k]!;
        for (let x = 0; x < w; x++) acc[x] += tmp[base + x]! * wk;
      }
      out.set(acc, y * w);
    }
  }
  return out;
}
