// The heatmap's colour scale: the service colours the grayscale map with a jet-like ramp (api/index.ts
// colorizeHeatmap); the same ramp is drawn here as the legend, in score units when the inspection kept the map's
// stretch (its p1 → blue, its p99 → red), with the threshold marked where it falls.

/** The ramp of colorizeHeatmap for v in [0, 1], as "rgb(r g b)". */
export function jetColor(v: number): string {
  const c = (x: number) => Math.round(Math.min(1, Math.max(0, x)) * 255);
  return `rgb(${c(1.5 - Math.abs(4 * v - 3))} ${c(1.5 - Math.abs(4 * v - 2))} ${c(1.5 - Math.abs(4 * v - 1))})`;
}

/** A CSS linear-gradient of the ramp (11 stops). */
export function jetGradient(): string {
  const stops = Array.from({ length: 11 }, (_, i) => `${jetColor(i / 10)} ${i * 10}%`);
  return `linear-gradient(to right, ${stops.join(", ")})`;
}

/**
 * Where the threshold falls on a scale from range[0] to range[1]: a fraction in [0, 1], or "above" / "below" the
 * whole scale (above: no pixel of this crop's map reaches it, except possibly the clipped top 1 %).
 */
export function thresholdOnScale(threshold: number, range: readonly [number, number]): number | "above" | "below" {
  const [lo, hi] = range;
  if (threshold > hi) return "above";
  if (threshold < lo || !(hi > lo)) return "below";
  return (threshold - lo) / (hi - lo);
}
