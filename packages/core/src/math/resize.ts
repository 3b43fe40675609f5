// Bilinear resampling of single-channel float maps with OpenCV INTER_LINEAR semantics:
// pixel centres at half-integers (src = (dst + 0.5)·scale − 0.5) and clamp-to-edge outside the source.
import { InvalidInputError } from "../errors.ts";

/** Destination pixel d samples the source at `d·scale + offset` (source pixel centres at integers). */
export interface AxisMap {
  scale: number;
  offset: number;
}

function checkDims(src: ArrayLike<number>, sw: number, sh: number, dw: number, dh: number): void {
  for (const [name, v] of [["sw", sw], ["sh", sh], ["dw", dw], ["dh", dh]] as const) {
    if (!Number.isInteger(v) || v <= 0) throw new InvalidInputError(`${name} must be a positive integer, got ${v}`);
  }
  if (src.length !== sw * sh) throw new InvalidInputError(`source has ${src.length} values, expected ${sw}×${sh}`);
}

/** Per-destination-index left tap and right weight along one axis, clamped like OpenCV. */
export function axisTaps(dn: number, sn: number, map: AxisMap): { i0: Int32Array; i1: Int32Array; w1: Float64Array } {
  const i0 = new Int32Array(dn);
  const i1 = new Int32Array(dn);
  const w1 = new Float64Array(dn);
  for (let d = 0; d < dn; d++) {
    const f = d * map.scale + map.offset;
    let s = Math.floor(f);
    let t = f - s;
    if (s < 0) {
      s = 0;
      t = 0;
    }
    if (s >= sn - 1) {
      s = sn - 1;
      t = 0;
    }
    i0[d] = s;
    i1[d] = s + 1 < sn ? s + 1 : s;
    w1[d] = t;
  }
  return { i0, i1, w1 };
}

/**
 * Resample `src` (sw×sh, row-major) onto a dw×dh grid where destination pixel (x, y) reads the source at
 * (x·mx.scale + mx.offset, y·my.scale + my.offset), bilinearly, clamped to the source edges.
 */
export function resampleBilinear(
  src: ArrayLike<number>,
  sw: number,
  sh: number,
  dw: number,
  dh: number,
  mx: AxisMap,
  my: AxisMap,
): Float32Array {
  checkDims(src, sw, sh, dw, dh);
  const xs = axisTaps(dw, sw, mx);
  const ys = axisTaps(dh, sh, my);
  const out = new Float32Array(dw * dh);
  // Horizontal pass for each needed source row, cached (consecutive output rows share source rows).
  const rowA = new Float64Array(dw);
  const rowB = new Float64Array(dw);
  let cachedA = -1;
  let cachedB = -1;
  const hrow = (sy: number, dst: Float64Array): void => {
    const base = sy * sw;
    const { i0, i1, w1 } = xs;
    for (let x = 0; x < dw; x++) {
      const a = src[base + i0[x]!]!;
      const t = w1[x]!;
      dst[x] = t === 0 ? a : a * (1 - t) + src[base + i1[x]!]! * t;
    }
  };
  for (let y = 0; y < dh; y++) {
    const y0 = ys.i0[y]!;
    const y1 = ys.i1[y]!;
    const t = ys.w1[y]!;
    if (cachedA !== y0) {
      if (cachedB === y0) rowA.set(rowB);
      else hrow(y0, rowA);
      cachedA = y0;
    }
    const o = y * dw;
    if (t === 0) {
      for (let x = 0; x < dw; x++) out[o + x] = rowA[x]!;
      continue;
    }
    if (cachedB !== y1) {
      hrow(y1, rowB);
      cachedB = y1;
    }
    const s = 1 - t;
    for (let x = 0; x < dw; x++) out[o + x] = rowA[x]! * s + rowB[x]! * t;
  }
  return out;
}

/** `cv2.resize(src, (dw, dh), interpolation=cv2.INTER_LINEAR)` for a single-channel float map. */
export function resizeBilinear(src: ArrayLike<number>, sw: number, sh: number, dw: number, dh: number): Float32Array {
  const sx = sw / dw;
  const sy = sh / dh;
  return resampleBilinear(src, sw, sh, dw, dh, { scale: sx, offset: 0.5 * sx - 0.5 }, { scale: sy, offset: 0.5 * sy - 0.5 });
}
