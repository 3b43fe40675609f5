// Letterbox geometry (aspect-preserving fit of a crop into the square backbone input, centred on black) and the
// inverse mapping of a patch-grid anomaly map back to crop pixels.
import { InvalidInputError } from "../errors.ts";
import { roundHalfEven } from "../math/round.ts";
import { resampleBilinear } from "../math/resize.ts";

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
 * Map a gw×gh patch-grid map (the grid covers the whole size×size input, cell centres at (i + 0.5)·size/gw)
 * back to a cropW×cropH map in crop pixels, undoing the letterbox: every crop pixel centre is carried to its
 * input-space location and the grid is sampled there bilinearly (clamped at the grid edges). This is the
 * continuous form of "upsample the grid to size×size, cut [left, top, nw, nh], resize to cropW×cropH".
 */
export function gridToCrop(
  grid: ArrayLike<number>,
  gw: number,
  gh: number,
  geom: LetterboxGeometry,
  cropW: number,
  cropH: number,
): Float32Array {
  posInt("gw", gw);
  posInt("gh", gh);
  posInt("cropW", cropW);
  posInt("cropH", cropH);
  if (grid.length !== gw * gh) throw new InvalidInputError(`grid has ${grid.length} values, expected ${gw}×${gh}`);
  const { size, nw, nh, left, top } = geom;
  // crop x → input u = left + (x + 0.5)·nw/cropW → grid g = u·gw/size − 0.5
  const sx = (nw / cropW) * (gw / size);
  const sy = (nh / cropH) * (gh / size);
  const ox = (left + (0.5 * nw) / cropW) * (gw / size) - 0.5;
  const oy = (top + (0.5 * nh) / cropH) * (gh / size) - 0.5;
  return resampleBilinear(grid, gw, gh, cropW, cropH, { scale: sx, offset: ox }, { scale: sy, offset: oy });
}

/**
 * Grid cells (row-major, 1 = valid) whose input-space footprint overlaps the letterboxed crop, i.e. cells that
 * are not pure padding.
 */
export function cropValidCells(gw: number, gh: number, geom: LetterboxGeometry): Uint8Array {
  posInt("gw", gw);
  posInt("gh", gh);
  const { size, nw, nh, left, top } = geom;
  const okX = new Uint8Array(gw);
  const okY = new Uint8Array(gh);
  for (let i = 0; i < gw; i++) okX[i] = (i * size) / gw < left + nw && ((i + 1) * size) / gw > left ? 1 : 0;
  for (let j = 0; j < gh; j++) okY[j] = (j * size) / gh < top + nh && ((j + 1) * size) / gh > top ? 1 : 0;
  const out = new Uint8Array(gw * gh);
  for (let j = 0; j < gh; j++) {
    if (!okY[j]) continue;
    for (let i = 0; i < gw; i++) out[j * gw + i] = okX[i]!;
  }
  return out;
}
