// Letterbox geometry (aspect-preserving fit of a crop into the square backbone input, centred on black) and the
// inverse mapping of a patch-grid anomaly map back to crop pixels.
import { InvalidInputError } from "../errors.ts";
import { roundHalfEven } from "../math/round.ts";
import { axisTaps, type AxisMap } from "../math/resize.ts";
import { gaussianKernel, legacyKernelSize, reflect101 } from "../math/blur.ts";

export interface LetterboxGeometry {
  /** Side of the square model input (e.g. 448). */
  size: number;
  /** min(size / w, size / h). */
  scale: number;
  /** Resized crop width and height inside the input (rounded like Python's round()). */
  nw: number;
  nh: number;
  /** Offset of the resized crop inside the input: (size − nw) >> 1, (size − nh) >> 1. */
  left: number;
  top: number;
}

function posInt(name: string, v: number): void {
  if (!Number.isInteger(v) || v <= 0) throw new InvalidInputError(`${name} must be a positive integer, got ${v}`);
}

/**
 * The legacy letterbox (features.py): scale = min(size/w, size/h); nw, nh = round(w·scale), round(h·scale)
 * (Python rounding, at least 1, at most size); centred with integer offsets.
 */
export function letterboxGeometry(w: number, h: number, size: number): LetterboxGeometry {
  posInt("w", w);
  posInt("h", h);
  posInt("size", size);
  const scale = Math.min(size / w, size / h);
  const nw = Math.min(size, Math.max(1, roundHalfEven(w * scale)));
  const nh = Math.min(size, Math.max(1, roundHalfEven(h * scale)));
  return { size, scale, nw, nh, left: (size - nw) >> 1, top: (size - nh) >> 1 };
}

/**
 * How a crop fills the backbone input: "square" letterboxes it into the whole square input (every model version
 * fitted before session 8), "crop" runs only the window of that square the crop overlaps (cropInputWindow).
 */
export const INPUT_MODES = ["square", "crop"] as const;
export type InputMode = (typeof INPUT_MODES)[number];

/** A rectangle of the square model input, in input pixels. */
export interface InputWindow { x: number; y: number; w: number; h: number }

/**
 * The part of the square input a letterboxed crop needs: the crop's extent plus `margin` pixels of letterbox on each
 * side (so that the crop's border cells see what they see in the square), rounded out to multiples of `align` (the
 * backbone's coarsest feature stride, so that window cell (r, c) is square-grid cell (r + y/stride, c + x/stride) at
 * every stride) and clipped to the square. A 512 × 208 crop at 768 with a 64 px margin needs 768 × 448 of the
 * 768 × 768 input. The whole square when `align` does not divide the input side.
 */
export function cropInputWindow(geom: LetterboxGeometry, align: number, margin = 0): InputWindow {
  posInt("align", align);
  if (!Number.isInteger(margin) || margin < 0) throw new InvalidInputError(`margin must be a non-negative integer, got ${margin}`);
  const { size, nw, nh, left, top } = geom;
  if (size % align !== 0) return { x: 0, y: 0, w: size, h: size };
  const x = Math.max(0, Math.floor((left - margin) / align) * align), y = Math.max(0, Math.floor((top - margin) / align) * align);
  const x1 = Math.min(size, Math.ceil((left + nw + margin) / align) * align), y1 = Math.min(size, Math.ceil((top + nh + margin) / align) * align);
  return { x, y, w: x1 - x, h: y1 - y };
}

/**
 * Map a gw×gh patch-grid map (the grid covers the whole size×size input, cell centres at (i + 0.5)·size/gw)
 * back to a cropW×cropH map in crop pixels, undoing the letterbox: every crop pixel centre is carried to its
 * input-space location and the grid is sampled there bilinearly (clamped at the grid edges) — the continuous form
 * of "upsample the grid to size×size, cut [left, top, nw, nh], resize to cropW×cropH" — then, for σ > 0, blurred
 * like `gaussianBlur(…, sigma)` (the legacy kernel, reflect-101 borders).
 * Both steps are linear, so they run as one separable map from the grid (grid rows → crop columns, then → crop
 * rows): ~3 multiply-adds per crop pixel instead of 4 for the bilinear plus 14 for the blur. Equal to the two-step
 * result up to float rounding (the two-step form rounds the upsampled map to float32 in between).
 */
export function gridToCrop(
  grid: ArrayLike<number>,
  gw: number,
  gh: number,
  geom: LetterboxGeometry,
  cropW: number,
  cropH: number,
  sigma = 0,
): Float32Array {
  posInt("gw", gw);
  posInt("gh", gh);
  posInt("cropW", cropW);
  posInt("cropH", cropH);
  if (grid.length !== gw * gh) throw new InvalidInputError(`grid has ${grid.length} values, expected ${gw}×${gh}`);
  const { size, nw, nh, left, top } = geom;
  // crop x → input u = left + (x + 0.5)·nw/cropW → grid g = u·gw/size − 0.5
  const mx: AxisMap = { scale: (nw / cropW) * (gw / size), offset: (left + (0.5 * nw) / cropW) * (gw / size) - 0.5 };
  const my: AxisMap = { scale: (nh / cropH) * (gh / size), offset: (top + (0.5 * nh) / cropH) * (gh / size) - 0.5 };
  const kern = sigma > 0 ? gaussianKernel(legacyKernelSize(sigma), sigma) : Float64Array.of(1);
  const ax = blurredAxis(cropW, gw, mx, kern);
  const ay = blurredAxis(cropH, gh, my, kern);
  // grid rows → crop columns
  const rows = new Float64Array(gh * cropW);
  for (let j = 0; j < gh; j++) {
    const g = j * gw, o = j * cropW;
    for (let x = 0; x < cropW; x++) {
      let s = 0;
      const b = g + ax.start[x]!, wo = x * ax.L;
      for (let l = 0; l < ax.L; l++) {
        const wl = ax.w[wo + l]!;
        if (wl !== 0) s += wl * grid[b + l]!; // zero weights pad short supports: never read past the row
      }
      rows[o + x] = s;
    }
  }
  // → crop rows
  const out = new Float32Array(cropW * cropH);
  const acc = new Float64Array(cropW);
  for (let y = 0; y < cropH; y++) {
    acc.fill(0);
    const wo = y * ay.L;
    for (let m = 0; m < ay.L; m++) {
      const wm = ay.w[wo + m]!;
      if (wm === 0) continue;
      const ro = (ay.start[y]! + m) * cropW;
      for (let x = 0; x < cropW; x++) acc[x] += wm * rows[ro + x]!;
    }
    out.set(acc, y * cropW);
  }
  return out;
}

/**
 * One axis of "bilinear to crop pixels, then the Gaussian (reflect-101 borders)" as a single linear map: output
 * pixel d = Σ_l w[d·L + l] · grid[start[d] + l]. Both steps are linear, so the composition is exact; its support
 * is a few grid cells (7 taps of a pixel-scale kernel cover at most ~2 cells at the usual 8–14 px per cell).
 */
function blurredAxis(dn: number, sn: number, map: AxisMap, kern: Float64Array): { start: Int32Array; L: number; w: Float64Array } {
  const taps = axisTaps(dn, sn, map);
  const r = (kern.length - 1) >> 1;
  const start = new Int32Array(dn);
  let L = 1;
  for (let d = 0; d < dn; d++) {
    let lo = Infinity, hi = -Infinity;
    for (let k = 0; k < kern.length; k++) {
      const p = reflect101(d + k - r, dn);
      lo = Math.min(lo, taps.i0[p]!);
      hi = Math.max(hi, taps.i1[p]!);
    }
    start[d] = lo;
    L = Math.max(L, hi - lo + 1);
  }
  const w = new Float64Array(dn * L);
  for (let d = 0; d < dn; d++) {
    const o = d * L - start[d]!;
    for (let k = 0; k < kern.length; k++) {
      const p = reflect101(d + k - r, dn);
      const t = taps.w1[p]!;
      w[o + taps.i0[p]!] += kern[k]! * (1 - t);
      if (t !== 0) w[o + taps.i1[p]!] += kern[k]! * t;
    }
  }
  return { start, L, w };
}

/** A rectangle of grid cells: `rows` × `cols` cells from cell (`row`, `col`). */
export interface CellRect { row: number; col: number; rows: number; cols: number }

/**
 * The grid cells whose input-space footprint overlaps the letterboxed crop (the cells that are not pure padding):
 * a rectangle, since the crop is one.
 */
export function cropCellRect(gw: number, gh: number, geom: LetterboxGeometry): CellRect {
  posInt("gw", gw);
  posInt("gh", gh);
  const { size, nw, nh, left, top } = geom;
  const overlaps = (i: number, g: number, from: number, len: number) => (i * size) / g < from + len && ((i + 1) * size) / g > from;
  const span = (g: number, from: number, len: number): [number, number] => {
    let a = 0;
    while (a < g && !overlaps(a, g, from, len)) a++;
    let b = a;
    while (b < g && overlaps(b, g, from, len)) b++;
    return [a, b - a];
  };
  const [col, cols] = span(gw, left, nw), [row, rows] = span(gh, top, nh);
  return { row, col, rows, cols };
}
