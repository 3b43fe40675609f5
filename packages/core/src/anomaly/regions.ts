// Defect regions (legacy §3.5): connected areas of the ROI where the anomaly map reaches the threshold,
// as cv2 outer contours, with islands smaller than area_mm2_thr dropped.
import { InvalidInputError } from "../errors.ts";
import type { Region } from "../schemas/region.ts";
import { findExternalContours, polygonArea } from "./contours.ts";

export interface ExtractRegionsInput {
  /** Anomaly map (after resize and blur), w×h row-major. */
  map: Float32Array;
  /** ROI mask (non-zero = inside); null = whole image. */
  mask: Uint8Array | null;
  w: number;
  h: number;
  /** A pixel is defective when map ≥ threshold (the image decision threshold). */
  threshold: number;
  mmPerPx: number;
  /** Regions whose contour area is below areaMm2Thr / mmPerPx² px are dropped (legacy default 1.0 mm²). */
  areaMm2Thr: number;
  /** Keep at most this many (largest) regions. Default: all. */
  maxRegions?: number;
}

/** The thresholded binary image: mask & (map ≥ threshold), as 0/1. */
export function defectBinary(map: Float32Array, mask: Uint8Array | null, threshold: number): Uint8Array {
  const b = new Uint8Array(map.length);
  if (mask === null) {
    for (let i = 0; i < map.length; i++) b[i] = map[i]! >= threshold ? 1 : 0;
  } else {
    for (let i = 0; i < map.length; i++) b[i] = mask[i] !== 0 && map[i]! >= threshold ? 1 : 0;
  }
  return b;
}

/**
 * Regions per legacy §3.5: binary = mask & (map ≥ threshold); outer contours of its 8-connected components
 * (cv2 RETR_EXTERNAL: components lying inside another component's hole are part of that region, not separate);
 * area_px = contour polygon area (cv2.contourArea); regions with area_px < areaMm2Thr / mmPerPx² dropped;
 * bbox = boundingRect; area_mm2 = area_px·mmPerPx². Sorted by area_px desc (ties: n_px desc, then top-left first).
 */
export function extractRegions(input: ExtractRegionsInput): Region[] {
  const { map, mask, w, h, threshold, mmPerPx, areaMm2Thr } = input;
  if (map.length !== w * h) throw new InvalidInputError(`map has ${map.length} values, expected ${w}×${h}`);
  if (mask !== null && mask.length !== w * h) throw new InvalidInputError(`mask has ${mask.length} values, expected ${w}×${h}`);
  if (!(Number.isFinite(mmPerPx) && mmPerPx > 0)) throw new InvalidInputError(`mmPerPx must be finite and > 0, got ${mmPerPx}`);
  if (!(Number.isFinite(areaMm2Thr) && areaMm2Thr >= 0)) {
    throw new InvalidInputError(`areaMm2Thr must be finite and >= 0, got ${areaMm2Thr}`);
  }
  if (Number.isNaN(threshold)) throw new InvalidInputError("threshold must be a number, got NaN");
  const mm2PerPx = mmPerPx * mmPerPx;
  const pxThr = areaMm2Thr / mm2PerPx;
  const bin = defectBinary(map, mask, threshold);
  const contours = findExternalContours(bin, w, h, "simple");

  const regions: Array<Region & { _sy: number; _sx: number }> = [];
  const visited = new Uint8Array(w * h);
  let stack = new Int32Array(1024);
  for (const c of contours) {
    const area = polygonArea(c.points);
    if (area < pxThr) continue;
    // boundingRect of the contour points
    const pts = c.points;
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    const contour: Array<[number, number]> = new Array(pts.length >> 1);
    for (let i = 0; i < pts.length; i += 2) {
      const x = pts[i]!;
      const y = pts[i + 1]!;
      contour[i >> 1] = [x, y];
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
    // pixel statistics of the 8-connected component (flood fill from the start pixel)
    let n = 0;
    let sum = 0;
    let max = -Infinity;
    let top = 0;
    const s0 = c.startY * w + c.startX;
    if (!visited[s0]) {
      visited[s0] = 1;
      stack[top++] = s0;
    }
    while (top > 0) {
      const i = stack[--top]!;
      const v = map[i]!;
      n++;
      sum += v;
      if (v > max) max = v;
      const x = i % w;
      const y = (i - x) / w;
      const y0 = y > 0 ? y - 1 : 0;
      const y1 = y < h - 1 ? y + 1 : h - 1;
      const x0 = x > 0 ? x - 1 : 0;
      const x1 = x < w - 1 ? x + 1 : w - 1;
      for (let yy = y0; yy <= y1; yy++) {
        for (let xx = x0; xx <= x1; xx++) {
          const j = yy * w + xx;
          if (bin[j] !== 0 && visited[j] === 0) {
            visited[j] = 1;
            if (top === stack.length) {
              const bigger = new Int32Array(stack.length * 2);
              bigger.set(stack);
              stack = bigger;
            }
            stack[top++] = j;
          }
        }
      }
    }
    const bw = maxX - minX + 1;
    const bh = maxY - minY + 1;
    regions.push({
      bbox: [minX, minY, bw, bh],
      area_px: area,
      area_mm2: area * mm2PerPx,
      contour,
      x: minX,
      y: minY,
      w: bw,
      h: bh,
      n_px: n,
      score_max: n > 0 ? max : 0,
      score_mean: n > 0 ? sum / n : 0,
      _sy: c.startY,
      _sx: c.startX,
    });
  }
  regions.sort((a, b) => b.area_px - a.area_px || b.n_px - a.n_px || a._sy - b._sy || a._sx - b._sx);
  const limit = input.maxRegions ?? Infinity;
  const result: Region[] = [];
  for (const r of regions) {
    if (result.length >= limit) break;
    const { _sy, _sx, ...rest } = r;
    result.push(rest);
  }
  return result;
}
