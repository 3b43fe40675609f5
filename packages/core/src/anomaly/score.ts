// Image score (legacy §3.4): a percentile of the (resized, blurred) anomaly map inside the ROI mask.
import { maskedPercentiles } from "../math/percentile.ts";

/** `np.percentile(map[mask > 0], percentile)` (linear); `mask` null = whole map; an empty mask → 0. */
export function imageScore(map: Float32Array, mask: Uint8Array | null, percentile = 99): number {
  return maskedPercentiles(map, mask, [percentile])[0]!;
}
