// Ground-truth masks of an MVTec-style data set, as `npm run eval` reads them. Data sets kept in that layout differ in
// two details that would otherwise pass silently as "no defect pixels" or "no masks": the file's name (MVTec AD's
// `ground_truth/<type>/<stem>_mask.png`; BTAD and others `ground_truth/<type>/<stem>.png`) and its values (0 / 255;
// VisA's and several others' 0 / 1, or a class index per defect).
import { existsSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";

const MASK_EXTENSIONS = [".png", ".bmp", ".tif", ".tiff"];

/** The mask of test crop `<type>/<stem>`: `<stem>_mask.<ext>`, else `<stem>.<ext>`; null when there is none. */
export function maskPathFor(data: string, type: string, stem: string): string | null {
  for (const name of [`${stem}_mask`, stem]) {
    for (const ext of MASK_EXTENSIONS) {
      const p = join(data, "ground_truth", type, `${name}${ext}`);
      if (existsSync(p)) return p;
    }
  }
  return null;
}

/**
 * The defect pixels of a mask image (its first channel), resized to w × h by nearest neighbour: over 127 where the
 * mask uses the 0–255 range, any value over 0 where its largest value is under 128 (0 / 1 masks, class indices).
 * No mask: every pixel normal. `mask`: its file, or its bytes (a mask turned with its crop: eval's `--turn`).
 */
export async function readMask(mask: string | Buffer | null, w: number, h: number): Promise<Uint8Array> {
  const m = new Uint8Array(w * h);
  if (!mask) return m;
  const { data, info } = await sharp(mask).greyscale().resize(w, h, { kernel: "nearest", fit: "fill" }).raw().toBuffer({ resolveWithObject: true });
  let max = 0;
  for (let i = 0; i < w * h; i++) max = Math.max(max, data[i * info.channels]!);
  const cut = max > 127 ? 127 : 0;
  for (let i = 0; i < w * h; i++) m[i] = data[i * info.channels]! > cut ? 1 : 0;
  return m;
}
