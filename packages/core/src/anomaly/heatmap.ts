// Heatmap image (legacy §3.6): per-image stretch of the anomaly map between its p1 and p99 inside the mask,
// as 8-bit grey, 0 outside the mask. The PNG encoding is the service's job.
import { InvalidInputError } from "../errors.ts";
import { maskedPercentiles } from "../math/percentile.ts";

/**
 * mn, mx = p1, p99 of the map inside the mask; v = clip((map − mn)/(mx − mn), 0, 1); out = uint8(v·255 + 0.5)
 * inside the mask, 0 outside. All zeros when mx ≤ mn or the mask is empty. `mask` null = whole map.
 * `p1p99` = [p1, p99] already computed by the caller (e.g. `maskedPercentiles(map, mask, [99, 1, 99])` shared with
 * the image score), so that the map is not scanned twice.
 */
export function heatmapToGray(map: Float32Array, mask: Uint8Array | null, w: number, h: number, p1p99?: readonly [number, number]): Uint8Array {
  if (map.length !== w * h) throw new InvalidInputError(`map has ${map.length} values, expected ${w}×${h}`);
  if (mask !== null && mask.length !== w * h) throw new InvalidInputError(`mask has ${mask.length} values, expected ${w}×${h}`);
  const out = new Uint8Array(w * h);
  const [mn, mx] = p1p99 ?? (maskedPercentiles(map, mask, [1, 99]) as [number, number]);
  if (!(mx > mn)) return out;
  const range = mx - mn;
  for (let i = 0; i < out.length; i++) {
    if (mask !== null && mask[i] === 0) continue;
    let v = (map[i]! - mn) / range;
    if (v < 0) v = 0;
    else if (v > 1) v = 1;
    else if (v !== v) v = 0; // NaN
    out[i] = Math.floor(v * 255 + 0.5);
  }
  return out;
}

/**
 * The gray level from which a heatmap stretched over `range` (= heatmapToGray's [p1, p99]) shows values at or above
 * `value`: every pixel at or above it has gray ≥ the result (the same rounding as heatmapToGray; a pixel within half a level below may share it). 256 when no gray level can
 * say so (the value is above the stretch: only the clipped top 1 % could reach it); 0 when every pixel is above.
 */
export function heatmapGrayAt(value: number, range: readonly [number, number]): number {
  const [lo, hi] = range;
  if (!(hi > lo)) return value <= lo ? 0 : 256;
  if (value > hi) return 256;
  return Math.min(255, Math.max(0, Math.floor(((value - lo) / (hi - lo)) * 255 + 0.5))); // heatmapToGray's own rounding
}
