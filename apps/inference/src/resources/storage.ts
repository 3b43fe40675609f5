// Stored images and their keys: images are validated (decoded header, sane size) before anything is written, every
// path handed to the database is a relative key (the data root's path, or the bucket's key: resources/store/), so the
// data root can be moved or restored; writes into the data root are atomic (tmp + rename).
import { createHash } from "node:crypto";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import sharp from "sharp";
import { ServiceError } from "../services/errors.ts";
import { atomicFile } from "./store/files.ts";

export const MAX_IMAGE_PIXELS = 64 * 1024 * 1024;
export const MAX_IMAGE_SIDE = 16384;
/**
 * The smallest crop side: one patch of the coarsest feature map (stride 16 of the bundled backbone; DINOv2's patch is
 * 14). A smaller crop is letterboxed into a few grey pixels of the input: it cannot be learnt or judged.
 */
const MIN_IMAGE_SIDE = 16;

const FORMAT_EXT: Record<string, string> = { png: ".png", jpeg: ".jpg", webp: ".webp", tiff: ".tif", gif: ".gif" };
export const LISTED_IMAGE_EXTS = [".png", ".jpg", ".jpeg", ".bmp", ".webp"];

export type ImageInfo = { width: number; height: number; format: string; channels: number; sha256: string; bytes: number };

export function sha256(data: Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

/** Reads the header of an uploaded image; throws a typed 400 with `what` in the message when it is not usable. */
export async function inspectImage(data: Buffer, what = "image"): Promise<ImageInfo> {
  if (!data || data.length === 0) throw new ServiceError("invalid_image", `${what} is empty (0 bytes)`);
  let meta: Awaited<ReturnType<ReturnType<typeof sharp>["metadata"]>>;
  try {
    meta = await sharp(data, { limitInputPixels: MAX_IMAGE_PIXELS }).metadata();
  } catch (err) {
    throw new ServiceError("invalid_image", `${what} could not be decoded as an image (PNG, JPEG, WebP or TIFF expected): ${(err as Error).message}`);
  }
  const { width, height, format } = meta;
  if (!width || !height || !format) throw new ServiceError("invalid_image", `${what} could not be decoded as an image`);
  if (!FORMAT_EXT[format]) throw new ServiceError("invalid_image", `${what} has unsupported format '${format}' (PNG, JPEG, WebP or TIFF expected)`);
  if (width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE || width * height > MAX_IMAGE_PIXELS)
    throw new ServiceError("payload_too_large", `${what} is ${width}x${height} px, over the limit of ${MAX_IMAGE_SIDE} px per side`);
  if (width < MIN_IMAGE_SIDE || height < MIN_IMAGE_SIDE)
    throw new ServiceError("invalid_image", `${what} is ${width}x${height} px, under the minimum of ${MIN_IMAGE_SIDE} px per side (a crop must cover at least one patch of the backbone)`);
  // Decode fully once: a truncated file has a valid header but no pixels.
  try {
    await sharp(data, { limitInputPixels: MAX_IMAGE_PIXELS }).raw().toBuffer({ resolveWithObject: false });
  } catch (err) {
    throw new ServiceError("invalid_image", `${what} is corrupt or truncated: ${(err as Error).message}`);
  }
  return { width, height, format, channels: meta.channels ?? 3, sha256: sha256(data), bytes: data.length };
}

export function extForFormat(format: string): string {
  return FORMAT_EXT[format] ?? ".png";
}

/** A file-name-safe version of any name: ASCII letters, digits, '.', '_', '-'; at most `max` chars. */
export function safeFileName(name: string, max = 80): string {
  const base = path.basename(name.replace(/\\/g, "/"));
  const s = base
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^A-Za-z0-9._-]+/g, "_")
    .replace(/^[._]+/, "")
    .slice(-max);
  return s || "file";
}

/** Absolute path of a data-root-relative path; refuses anything that escapes the data root. */
export function resolveInRoot(dataRoot: string, rel: string): string {
  const abs = path.resolve(dataRoot, rel);
  const root = path.resolve(dataRoot);
  if (abs !== root && !abs.startsWith(root + path.sep)) throw new ServiceError("bad_request", `path escapes the data root: ${rel}`);
  return abs;
}

/** Writes `data` to dataRoot/rel atomically (tmp file in the same folder, then rename). Returns the absolute path. */
export async function writeAtomic(dataRoot: string, rel: string, data: Buffer | Uint8Array): Promise<string> {
  const abs = resolveInRoot(dataRoot, rel);
  await atomicFile(abs, (tmp) => writeFile(tmp, data));
  return abs;
}

/** Path segment for a recipe/role/roi: safe and stable (collisions only mix folders; rows stay distinct). */
export function segment(s: string): string {
  return safeFileName(s, 64);
}

/** The data root's folders (README "Where data lives"). */
export const SAMPLES_DIR = "samples";
export const INSPECTIONS_DIR = "inspections";
export const ARTIFACTS_DIR = "models";

/** A model version's artifact folder: models/<recipe>/<role>__<roi>/v<NNNN>-<version id>. */
export function versionArtifactRel(recipeId: string, roleId: string, roiId: string, versionNumber: number, versionId: string): string {
  return path.posix.join(ARTIFACTS_DIR, segment(recipeId), `${segment(roleId)}__${segment(roiId)}`, `v${String(versionNumber).padStart(4, "0")}-${versionId}`);
}

/** The version id of an artifact folder's path (versionArtifactRel's last segment), else null. */
export function versionIdOfArtifactDir(rel: string): string | null {
  const parts = rel.split("/");
  const m = parts.length === 4 && parts[0] === ARTIFACTS_DIR ? /^v\d{4,}-([A-Za-z0-9_-]+)$/.exec(parts[3]!) : null;
  return m ? m[1]! : null;
}

/** A temp file or folder of an atomic write (writeAtomic here, the engine's writeBank): `<name>.tmp-<suffix>`. */
export function isTempName(rel: string): boolean {
  return /\.tmp-[A-Za-z0-9-]+$/.test(path.posix.basename(rel));
}

export function sampleRelPath(recipeId: string, roleId: string, roiId: string, label: string, shaHex: string, name: string): string {
  return path.posix.join(SAMPLES_DIR, segment(recipeId), `${segment(roleId)}__${segment(roiId)}`, label, `${shaHex.slice(0, 16)}_${safeFileName(name)}`);
}

export function contentTypeForName(name: string): string {
  const ext = path.extname(name).toLowerCase();
  return (
    { ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".webp": "image/webp", ".bmp": "image/bmp", ".tif": "image/tiff", ".tiff": "image/tiff", ".gif": "image/gif" }[
      ext
    ] ?? "application/octet-stream"
  );
}
