// Outer contours of a binary image, a port of OpenCV's findContours(RETR_EXTERNAL, CHAIN_APPROX_SIMPLE)
// (Suzuki–Abe border following on a 1-pixel zero-padded copy, with OpenCV's marking rules), so contours,
// their point order and which components count as "external" match cv2.
import { InvalidInputError } from "../errors.ts";

export interface Contour {
  /** Flat [x0, y0, x1, y1, …] in image pixel coordinates. */
  points: Int32Array;
  /** Start pixel (top-most, then left-most pixel of the component), the first point. */
  startX: number;
  startY: number;
}

const DX = [1, 1, 0, -1, -1, -1, 0, 1];
const DY = [0, -1, -1, -1, 0, 1, 1, 1];

/**
 * External contours of the non-zero pixels of a w×h binary image (8-connectivity), in OpenCV's discovery order
 * (raster order of their start pixels). `approx`: "simple" keeps only the points where the chain direction
 * changes (CHAIN_APPROX_SIMPLE), "none" every border pixel.
 */
export function findExternalContours(
  binary: Uint8Array,
  w: number,
  h: number,
  approx: "simple" | "none" = "simple",
): Contour[] {
  if (!Number.isInteger(w) || !Number.isInteger(h) || w <= 0 || h <= 0) {
    throw new InvalidInputError(`image size must be positive integers, got ${w}×${h}`);
  }
  if (binary.length !== w * h) throw new InvalidInputError(`binary image has ${binary.length} values, expected ${w}×${h}`);
  const W = w + 2;
  const H = h + 2;
  const img = new Int8Array(W * H);
  for (let y = 0; y < h; y++) {
    const s = y * w;
    const d = (y + 1) * W + 1;
    for (let x = 0; x < w; x++) if (binary[s + x] !== 0) img[d + x] = 1;
  }
  const deltas = new Int32Array(16);
  const base = [1, -W + 1, -W, -W - 1, -1, W - 1, W, W + 1];
  for (let i = 0; i < 16; i++) deltas[i] = base[i & 7]!;
  const keepAll = approx === "none";
  const out: Contour[] = [];
  const buf: number[] = [];

  // icvFetchContour (8-bit, nbd = 2) for an outer border starting at i0 = (x, y) in padded coordinates.
  const fetch = (i0: number, x: number, y: number): void => {
    buf.length = 0;
    let ptx = x - 1;
    let pty = y - 1;
    let s = 4;
    const sEnd0 = 4;
    let i1 = 0;
    do {
      s = (s - 1) & 7;
      i1 = i0 + deltas[s]!;
    } while (img[i1] === 0 && s !== sEnd0);
    if (s === sEnd0) {
      img[i0] = -126; // single pixel
      buf.push(ptx, pty);
      return;
    }
    let i3 = i0;
    let i4 = 0;
    let prevS = s ^ 4;
    for (;;) {
      const sEnd = s;
      while (s < 15) {
        i4 = i3 + deltas[++s]!;
        if (img[i4] !== 0) break;
      }
      s &= 7;
      if ((s - 1) >>> 0 < sEnd >>> 0) img[i3] = -126;
      else if (img[i3] === 1) img[i3] = 2;
      if (keepAll || s !== prevS) {
        buf.push(ptx, pty);
        prevS = s;
      }
      ptx += DX[s]!;
      pty += DY[s]!;
      if (i4 === i0 && i3 === i1) break;
      i3 = i4;
      s = (s + 4) & 7;
    }
  };

  // cvFindNextContour (RETR_EXTERNAL): raster scan; an outer border starts at 0 → 1; it is external when the
  // last border pixel met to its left on this row (lnbd) is not a positive (non right-bound) mark.
  for (let y = 1; y < H - 1; y++) {
    const row = y * W;
    let prev = 0;
    let lnbd = 0;
    let x = 1;
    while (x < W) {
      let p = 0;
      while (x < W && (p = img[row + x]!) === prev) x++;
      if (x >= W) break;
      let isHole = false;
      let traced = false;
      if (!(prev === 0 && p === 1)) {
        if (p !== 0 || prev < 1) {
          // resume
        } else {
          if (prev & -2) lnbd = x - 1;
          isHole = true;
        }
      }
      if (!(prev === 0 && p === 1) && !isHole) {
        // plain resume_scan
      } else if (isHole || img[row + lnbd]! > 0) {
        // RETR_EXTERNAL skips holes and outer borders inside another component's hole
      } else {
        lnbd = x;
        fetch(row + x, x, y);
        const pts = Int32Array.from(buf);
        out.push({ points: pts, startX: x - 1, startY: y - 1 });
        traced = true;
      }
      if (traced) {
        // the scanner resumes at x + 1 with prev = the (now marked) start pixel, lnbd = start pixel
        x++;
        prev = img[row + x - 1]!;
        continue;
      }
      prev = p;
      if (prev & -2) lnbd = x;
      x++;
    }
  }
  return out;
}

/** cv2.contourArea (shoelace, unsigned) of a flat [x0, y0, …] polygon. */
export function polygonArea(points: Int32Array | ArrayLike<number>): number {
  const n = points.length >> 1;
  if (n < 3) return 0;
  let a = 0;
  let px = points[2 * (n - 1)]!;
  let py = points[2 * (n - 1) + 1]!;
  for (let i = 0; i < n; i++) {
    const x = points[2 * i]!;
    const y = points[2 * i + 1]!;
    a += px * y - x * py;
    px = x;
    py = y;
  }
  return Math.abs(a) / 2;
}
