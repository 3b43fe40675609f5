// ROI shapes → binary masks, with the legacy rounding (roi_mask.py): rect fields truncated with int() and
// clipped to the crop; circle/annulus fields rounded with Python's round(); a pixel is inside a circle when its
// centre (x, y) satisfies (x−cx)² + (y−cy)² ≤ r² (what cv2.circle(…, thickness=−1, LINE_8) fills).
import { InvalidInputError, ShapeError } from "../errors.ts";
import { roundHalfEven } from "../math/round.ts";
import { RoiShapeInputSchema, type RoiShape, type RoiShapeInput } from "../schemas/shape.ts";

const KINDS = new Set(["rect", "circle", "annulus"]);

function checkSize(w: number, h: number): void {
  if (!Number.isInteger(w) || !Number.isInteger(h) || w <= 0 || h <= 0) {
    throw new InvalidInputError(`crop size must be positive integers, got ${w}×${h}`);
  }
}

/** The shape that covers the whole w×h crop. */
export function fullShape(w: number, h: number): RoiShape {
  return { kind: "rect", x: 0, y: 0, w, h };
}

/** Fill the §3.7 defaults of a wire-form shape for a w×h crop. */
export function resolveShape(input: RoiShapeInput, w: number, h: number): RoiShape {
  const d = <T extends number | null | undefined>(v: T, def: number): number => (v === null || v === undefined ? def : v);
  switch (input.kind) {
    case "rect":
      return { kind: "rect", x: d(input.x, 0), y: d(input.y, 0), w: d(input.w, w), h: d(input.h, h) };
    case "circle":
      return { kind: "circle", cx: d(input.cx, w / 2), cy: d(input.cy, h / 2), r: d(input.r, Math.min(w, h) / 2) };
    case "annulus":
      return {
        kind: "annulus",
        cx: d(input.cx, w / 2),
        cy: d(input.cy, h / 2),
        r: d(input.r, Math.min(w, h) / 2),
        r_inner: d(input.r_inner, 0),
      };
  }
}

/** Integer geometry actually rasterised (legacy rounding). */
type Raster =
  | { kind: "rect"; x0: number; y0: number; x1: number; y1: number; rawW: number; rawH: number }
  | { kind: "disc"; cx: number; cy: number; r: number; ri: number };

function rasterOf(shape: RoiShape, w: number, h: number): Raster {
  if (shape.kind === "rect") {
    const x = Math.trunc(shape.x);
    const y = Math.trunc(shape.y);
    const rw = Math.trunc(shape.w);
    const rh = Math.trunc(shape.h);
    return {
      kind: "rect",
      x0: Math.max(0, x),
      y0: Math.max(0, y),
      x1: Math.min(w, x + rw),
      y1: Math.min(h, y + rh),
      rawW: rw,
      rawH: rh,
    };
  }
  const cx = roundHalfEven(shape.cx);
  const cy = roundHalfEven(shape.cy);
  const r = roundHalfEven(shape.r);
  const ri = shape.kind === "annulus" ? roundHalfEven(shape.r_inner) : 0;
  return { kind: "disc", cx, cy, r, ri };
}

/** Largest k ≥ 0 with k² ≤ v (v ≥ 0 integer). */
function isqrt(v: number): number {
  let k = Math.floor(Math.sqrt(v));
  while (k * k > v) k--;
  while ((k + 1) * (k + 1) <= v) k++;
  return k;
}

/**
 * Visit the mask one row span at a time: `fn(y, xStart, xEnd)` with [xStart, xEnd) inside the crop.
 * Annulus rows yield up to two spans.
 */
function forEachSpan(ras: Raster, w: number, h: number, fn: (y: number, xs: number, xe: number) => void): void {
  if (ras.kind === "rect") {
    if (ras.x1 <= ras.x0) return;
    for (let y = ras.y0; y < ras.y1; y++) fn(y, ras.x0, ras.x1);
    return;
  }
  const { cx, cy, r, ri } = ras;
  if (r < 0) return;
  const yStart = Math.max(0, cy - r);
  const yEnd = Math.min(h - 1, cy + r);
  for (let y = yStart; y <= yEnd; y++) {
    const dy = y - cy;
    const k = isqrt(r * r - dy * dy);
    const a = cx - k;
    const b = cx + k + 1; // exclusive
    if (ri > 0 && Math.abs(dy) <= ri) {
      const ki = isqrt(ri * ri - dy * dy);
      const ia = cx - ki;
      const ib = cx + ki + 1;
      const s1 = Math.max(0, a);
      const e1 = Math.min(w, ia);
      if (e1 > s1) fn(y, s1, e1);
      const s2 = Math.max(0, ib);
      const e2 = Math.min(w, b);
      if (e2 > s2) fn(y, s2, e2);
    } else {
      const s = Math.max(0, a);
      const e = Math.min(w, b);
      if (e > s) fn(y, s, e);
    }
  }
}

/** Number of crop pixels inside the shape (O(h), no mask allocated). */
export function shapeArea(shape: RoiShape, w: number, h: number): number {
  checkSize(w, h);
  let n = 0;
  forEachSpan(rasterOf(shape, w, h), w, h, (_y, xs, xe) => {
    n += xe - xs;
  });
  return n;
}

/** Binary mask (1 inside, 0 outside), row-major w×h. */
export function buildMask(shape: RoiShape, w: number, h: number): Uint8Array {
  checkSize(w, h);
  const m = new Uint8Array(w * h);
  forEachSpan(rasterOf(shape, w, h), w, h, (y, xs, xe) => {
    m.fill(1, y * w + xs, y * w + xe);
  });
  return m;
}

/** Reject shapes that are degenerate or miss the crop (the legacy backend silently scored an empty mask as 0). */
export function validateShape(shape: RoiShape, w: number, h: number): RoiShape {
  checkSize(w, h);
  const ras = rasterOf(shape, w, h);
  if (ras.kind === "rect") {
    if (ras.rawW <= 0 || ras.rawH <= 0) {
      throw new ShapeError(`rect shape has zero area (w=${ras.rawW}, h=${ras.rawH} after int())`);
    }
  } else {
    if (ras.r <= 0) throw new ShapeError(`${shape.kind} shape has zero area (r=${(shape as { r: number }).r})`);
    if (shape.kind === "annulus") {
      if (ras.ri < 0) throw new ShapeError(`annulus r_inner must be >= 0, got ${shape.r_inner}`);
      if (ras.ri >= ras.r) throw new ShapeError(`annulus shape has zero area (r_inner=${shape.r_inner} >= r=${shape.r})`);
    }
  }
  if (shapeArea(shape, w, h) === 0) {
    throw new ShapeError(`${shape.kind} shape lies entirely outside the ${w}×${h} crop`);
  }
  return shape;
}

/**
 * Parse the legacy `shape` form field for a w×h crop.
 * - missing / empty / JSON `null` → the full crop;
 * - an object whose `kind` is not rect, circle or annulus (or has no kind) → the full crop (legacy behaviour);
 * - invalid JSON, a non-object, a non-finite or non-numeric field → ShapeError;
 * - zero area or entirely outside the crop → ShapeError.
 */
export function parseShapeJson(json: string | undefined | null, w: number, h: number): RoiShape {
  checkSize(w, h);
  if (json === undefined || json === null || json.trim() === "") return fullShape(w, h);
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (e) {
    throw new ShapeError(`shape is not valid JSON: ${(e as Error).message}`);
  }
  return parseShapeValue(raw, w, h);
}

/** Same as parseShapeJson for an already-decoded value (e.g. a JSON body field). */
export function parseShapeValue(raw: unknown, w: number, h: number): RoiShape {
  checkSize(w, h);
  if (raw === null || raw === undefined) return fullShape(w, h);
  if (typeof raw !== "object" || Array.isArray(raw)) {
    throw new ShapeError(`shape must be a JSON object, got ${Array.isArray(raw) ? "an array" : typeof raw}`);
  }
  const kind = (raw as { kind?: unknown }).kind;
  // The original scored the whole crop for an unknown kind; a typo then silently drops the mask, so it is refused.
  if (typeof kind !== "string" || !KINDS.has(kind)) {
    const got = kind === undefined ? "none" : JSON.stringify(kind);
    throw new ShapeError(`unknown shape kind: must be one of ${[...KINDS].join(", ")} (got ${got})`);
  }
  const parsed = RoiShapeInputSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` field '${issue.path.join(".")}'` : "";
    throw new ShapeError(`invalid ${kind} shape${where}: ${issue ? issue.message : "invalid value"}`);
  }
  return validateShape(resolveShape(parsed.data, w, h), w, h);
}
