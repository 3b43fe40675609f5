// Decode (sharp), validate, letterbox into the backbone's square input (aspect kept, centred, black pad, bicubic),
// normalise per manifest → Float32Array NCHW: the whole square, or in "crop" mode only the window of it that the
// crop overlaps, with a margin of letterbox around it (cropInputWindow; a 512 × 208 crop needs 768 × 448 of 768²).
// A registered ROI's crops are first brought to the ROI's reference level (@bdi/core brightness.ts).
import { availableParallelism } from "node:os";
import sharp, { type Metadata } from "sharp";
import { brightnessGain, brightnessTable, cropInputWindow, letterboxGeometry, meanLevel, type InputMode, type InputWindow } from "@bdi/core";
import type { Backbone } from "./backbone.ts";
import { inputWindowSpec } from "./features.ts";
import { BadImageError, ImageTooLargeError } from "./errors.ts";

export const MAX_PIXELS = 40_000_000;
export const MAX_SIDE = 16384;

export type LetterboxGeometry = ReturnType<typeof letterboxGeometry>;

export interface Preprocessed {
  input: Float32Array;
  /** crop size (the decoded image) */
  width: number;
  height: number;
  geometry: LetterboxGeometry;
  inputSize: number;
  /** the rectangle of the square input that `input` holds (w × h pixels, NCHW): the whole square in "square" mode */
  window: InputWindow;
  /** the resized crop's mean level (0–255) as decoded, before any brightness gain */
  level: number;
  decodeMs: number;
}

/**
 * libvips threads for the crop's decode and resize: as many as onnxruntime's (`threads`, 0 or absent = every core).
 * sharp starts at 1 on glibc Linux (its guard against malloc fragmentation in servers that resize many images at
 * once); an engine process runs one crop at a time, and the bicubic upscale into the 768 input was single-threaded:
 * a 448 × 448 crop's decode and letterbox 42.9 → 25.0 ms, a 512 × 208 crop's into its window 18.7 → 11.9 ms, the
 * same input bytes. Process-wide (libvips has one pool); set by `loadBackbone`.
 */
export function setDecodeThreads(threads?: number): void {
  sharp.concurrency(threads && threads > 0 ? threads : availableParallelism());
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height from a PNG's IHDR chunk (the WPF client sends PNG), or null for anything else. */
function pngSize(image: Buffer | Uint8Array): { width: number; height: number } | null {
  if (image.length < 24) return null;
  const b = Buffer.from(image.buffer, image.byteOffset, image.byteLength);
  if (!b.subarray(0, 8).equals(PNG_SIGNATURE) || b.toString("latin1", 12, 16) !== "IHDR") return null;
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

function checkSize(width: number | undefined, height: number | undefined): { width: number; height: number } {
  if (!width || !height) throw new BadImageError("image has no pixels");
  if (width > MAX_SIDE || height > MAX_SIDE || width * height > MAX_PIXELS) {
    throw new ImageTooLargeError(`image is ${width}×${height}; the limit is ${MAX_PIXELS / 1e6} MP and ${MAX_SIDE} px per side`, { width, height });
  }
  return { width, height };
}

/** Decoded image metadata after validation (throws typed errors). */
export async function probeImage(image: Buffer | Uint8Array): Promise<{ width: number; height: number; format: string }> {
  if (!image || image.length === 0) throw new BadImageError("image is empty");
  let meta: Metadata;
  try {
    meta = await sharp(image, { limitInputPixels: false }).metadata();
  } catch (e) {
    throw new BadImageError(`image could not be decoded (${(e as Error).message})`);
  }
  return { ...checkSize(meta.width, meta.height), format: meta.format ?? "unknown" };
}

/**
 * The crop's size, validated. A PNG's header is read here (after an onnxruntime run, a hop through libuv's pool for
 * sharp's metadata took 0.6 ms at the median and up to 5 ms); a body that is not what its header says still fails
 * in the decode as a bad image.
 */
async function cropSize(image: Buffer | Uint8Array): Promise<{ width: number; height: number }> {
  if (!image || image.length === 0) throw new BadImageError("image is empty");
  const png = pngSize(image);
  return png ? checkSize(png.width, png.height) : probeImage(image);
}

/**
 * `brightness`: the reference level (0–255] of the bank's ROI (MemoryBank.brightness): the resized crop's pixels are
 * scaled to it before they become the network's input (a registered ROI's; absent = as decoded).
 */
export async function preprocess(
  image: Buffer | Uint8Array, backbone: Pick<Backbone, "inputSize" | "entry">, mode: InputMode = "square", brightness?: number | null,
): Promise<Preprocessed> {
  const t0 = performance.now();
  const { width, height } = await cropSize(image);
  const S = backbone.inputSize;
  const geometry = letterboxGeometry(width, height, S);
  const { nw, nh, left, top } = geometry;
  let window: InputWindow = { x: 0, y: 0, w: S, h: S };
  if (mode === "crop") {
    const spec = inputWindowSpec(backbone.entry);
    if (!spec) throw new Error(`backbone ${backbone.entry.id} has no crop window (manifest features.windowMargin)`);
    window = cropInputWindow(geometry, spec.align, spec.margin);
  }
  const { w: W, h: H } = window;
  const rgb = await decodeResized(image, nw, nh);
  const level = meanLevel(rgb);
  const gain = brightness ? brightnessTable(brightnessGain(level, brightness)) : undefined;
  return {
    input: toInputPlanes(rgb, nw, nh, left - window.x, top - window.y, W, H, backbone.entry.input, gain), width, height, geometry, inputSize: S, window,
    level, decodeMs: performance.now() - t0,
  };
}

/**
 * The crop decoded to RGB bytes and resized (bicubic) to `nw` × `nh`, its size in the letterboxed input. The letterbox
 * bars are written by toInputPlanes, not by sharp's `extend`: one libvips pass less (~3 ms of ~15 for a 512 × 208 crop
 * into its 768 × 448 window).
 */
async function decodeResized(image: Buffer | Uint8Array, nw: number, nh: number): Promise<Buffer> {
  let rgb: Buffer;
  try {
    rgb = await sharp(image, { limitInputPixels: MAX_PIXELS + 1 })
      .removeAlpha()
      .toColourspace("srgb")
      .resize(nw, nh, { kernel: "cubic", fit: "fill" })
      .raw()
      .toBuffer();
  } catch (e) {
    throw new BadImageError(`image could not be decoded (${(e as Error).message})`);
  }
  if (rgb.length !== nw * nh * 3) throw new BadImageError(`unexpected decoded size ${rgb.length}`);
  return rgb;
}

/** A crop's mean level as preprocess measures it (decoded and resized into the backbone's input, before any gain). */
export async function cropLevel(image: Buffer | Uint8Array, backbone: Pick<Backbone, "inputSize">): Promise<number> {
  const { width, height } = await cropSize(image);
  const { nw, nh } = letterboxGeometry(width, height, backbone.inputSize);
  return meanLevel(await decodeResized(image, nw, nh));
}

/**
 * The network's NCHW input: the resized crop's RGB bytes (`iw` × `ih`) placed at (`x`, `y`) of a `W` × `H` black
 * canvas (the letterbox, or the window of it), normalised per the manifest; each byte first through `byteMap` where
 * given (a brightness gain's table, @bdi/core brightnessTable: folded into the planes' own tables, not a pass over the
 * bytes; the letterbox stays black).
 */
export function toInputPlanes(
  rgb: Uint8Array, iw: number, ih: number, x: number, y: number, W: number, H: number, spec: Backbone["entry"]["input"], byteMap?: Uint8Array,
): Float32Array {
  if (byteMap && byteMap.length !== 256) throw new Error(`a byte map has 256 entries (got ${byteMap.length})`);
  if (x < 0 || y < 0 || x + iw > W || y + ih > H) throw new Error(`a ${iw}×${ih} image at (${x}, ${y}) does not fit a ${W}×${H} input`);
  const input = new Float32Array(3 * W * H);
  const plane = W * H;
  // one 256-entry table per channel: a lookup per byte instead of a multiply-add
  const tables = [0, 1, 2].map((c) => {
    const mul = spec.normalize === "imagenet" ? 1 / (255 * spec.std![c]) : 1 / 255;
    const add = spec.normalize === "imagenet" ? -spec.mean![c] / spec.std![c] : 0;
    return Float32Array.from({ length: 256 }, (_, v) => v * mul + add);
  }) as [Float32Array, Float32Array, Float32Array];
  // black: a new Float32Array is already 0 (the [0, 1] scaling's black); the image's own pixels are written below
  for (let c = 0; c < 3; c++) if (tables[c]![0] !== 0) input.fill(tables[c]![0]!, c * plane, (c + 1) * plane);
  const [l0, l1, l2] = byteMap ? tables.map((t) => Float32Array.from(byteMap, (v) => t[v]!)) as [Float32Array, Float32Array, Float32Array] : tables;
  for (let r = 0; r < ih; r++) {
    const o = (y + r) * W + x;
    for (let i = o, p = r * iw * 3, end = o + iw; i < end; i++, p += 3) {
      input[i] = l0[rgb[p]!]!;
      input[plane + i] = l1[rgb[p + 1]!]!;
      input[2 * plane + i] = l2[rgb[p + 2]!]!;
    }
  }
  return input;
}

