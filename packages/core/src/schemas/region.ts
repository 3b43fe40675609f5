// Defect region contract (legacy §1.4 `regions[]`, plus fields the new system adds).
import { z } from "zod";

const finite = z.number();
const int = z.number().int();
const point = z.tuple([int, int]);

/** Exactly what the legacy backend returned for each region. */
export const LegacyRegionSchema = z.object({
  /** [x, y, w, h] of the contour (cv2.boundingRect: inclusive pixel extent). */
  bbox: z.tuple([int, int, int.nonnegative(), int.nonnegative()]),
  /** Polygon area of the outer contour (cv2.contourArea; a single pixel → 0). */
  area_px: finite.nonnegative(),
  area_mm2: finite.nonnegative(),
  /** Outer contour, pixel coordinates [[x, y], …], straight runs compressed (CHAIN_APPROX_SIMPLE). */
  contour: z.array(point),
  /** Copies of bbox as floats. */
  x: finite,
  y: finite,
  w: finite,
  h: finite,
});

export const RegionSchema = LegacyRegionSchema.extend({
  /** Number of pixels of the 8-connected component (a single pixel → 1 while area_px is 0). */
  n_px: int.nonnegative(),
  /** Highest and mean anomaly value over the component's pixels. */
  score_max: finite,
  score_mean: finite,
});

export type LegacyRegion = z.infer<typeof LegacyRegionSchema>;
export type Region = z.infer<typeof RegionSchema>;

/** Drop the fields the legacy client does not know. */
export function toLegacyRegion(r: Region): LegacyRegion {
  return { bbox: r.bbox, area_px: r.area_px, area_mm2: r.area_mm2, contour: r.contour, x: r.x, y: r.y, w: r.w, h: r.h };
}
