// Geometry of the NG-region editor (rectangles and polygons in crop pixels, as stored by samples.setNgRegions).
// Pure functions, unit-tested; the SVG editor only turns pointer positions into crop pixels and calls these.
import type { NgRegion } from "@bdi/core/dashboard/samples";

export type Pt = [number, number];

const round1 = (v: number) => Math.round(v * 10) / 10;

/** A point clamped into the w×h crop (the border included), rounded to 0.1 px. */
export function clampPoint([x, y]: Pt, w: number, h: number): Pt {
  return [round1(Math.min(w, Math.max(0, x))), round1(Math.min(h, Math.max(0, y)))];
}

/** The rectangle spanned by two corners (any order), clamped to the crop; null when narrower than `minSize` px. */
export function rectFromPoints(a: Pt, b: Pt, w: number, h: number, minSize = 2): Extract<NgRegion, { kind: "rect" }> | null {
  const [x1, y1] = clampPoint(a, w, h);
  const [x2, y2] = clampPoint(b, w, h);
  const x = Math.min(x1, x2);
  const y = Math.min(y1, y2);
  const rw = round1(Math.abs(x2 - x1));
  const rh = round1(Math.abs(y2 - y1));
  if (rw < minSize || rh < minSize) return null;
  return { kind: "rect", x, y, w: rw, h: rh };
}

/** A finished polygon (≥ 3 distinct points, clamped), or null. */
export function polygonFromPoints(points: Pt[], w: number, h: number): Extract<NgRegion, { kind: "polygon" }> | null {
  const pts: Pt[] = [];
  for (const p of points) {
    const c = clampPoint(p, w, h);
    const last = pts[pts.length - 1];
    if (!last || last[0] !== c[0] || last[1] !== c[1]) pts.push(c);
  }
  if (pts.length > 1 && pts[0]![0] === pts[pts.length - 1]![0] && pts[0]![1] === pts[pts.length - 1]![1]) pts.pop();
  if (pts.length < 3 || Math.abs(polygonArea(pts)) < 1) return null;
  return { kind: "polygon", points: pts };
}

/** Shoelace area (absolute, px²). */
export function polygonArea(points: readonly Pt[]): number {
  let s = 0;
  for (let i = 0; i < points.length; i++) {
    const [x1, y1] = points[i]!;
    const [x2, y2] = points[(i + 1) % points.length]!;
    s += x1 * y2 - x2 * y1;
  }
  return Math.abs(s) / 2;
}

/** Area of a region in px². */
export function regionAreaPx(r: NgRegion): number {
  return r.kind === "rect" ? r.w * r.h : polygonArea(r.points);
}

/** SVG path of an open (drawing) or closed polygon. */
export function polylinePath(points: readonly Pt[], closed: boolean): string {
  if (points.length === 0) return "";
  const d = points.map(([x, y], i) => `${i === 0 ? "M" : "L"}${x},${y}`).join(" ");
  return closed ? `${d} Z` : d;
}

/** "rect 12×8 at (3, 4)" / "polygon, 5 points": for the region list and screen readers. */
export function describeRegion(r: NgRegion, mmPerPx?: number | null): string {
  const area = regionAreaPx(r);
  const size = mmPerPx ? `${(area * mmPerPx * mmPerPx).toFixed(2)} mm²` : `${Math.round(area)} px²`;
  return r.kind === "rect"
    ? `Rectangle ${Math.round(r.w)}×${Math.round(r.h)} px at (${Math.round(r.x)}, ${Math.round(r.y)}) · ${size}`
    : `Polygon, ${r.points.length} points · ${size}`;
}
