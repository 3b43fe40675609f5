// Builds the bundled backbone file (models/cache/<file>.onnx) and checks it against the committed manifest.
import { existsSync, readFileSync } from "node:fs";
import { convertMobilenetV2Features } from "./convert-mobilenet.ts";
import { backbonePath, getBackboneEntry, loadManifest, modelsDir, sha256, writeFileAtomic } from "./manifest.ts";

export interface BuildResult { id: string; path: string; sha256: string; bytes: number; matchesManifest: boolean; skipped: boolean }

/** Convert nsfwjs's MobileNetV2 into the bundled ONNX feature model (deterministic bytes). */
export function buildBundledBytes(): Uint8Array {
  return convertMobilenetV2Features({ outputs: ["s8", "s8_expand", "s16", "s16_expand"], quantized: true });
}

/** Write the bundled backbone under `dir` (default: BDI_MODELS_DIR or models/cache). Skips if already valid unless `force`. */
export function buildBundled(opts: { dir?: string; force?: boolean } = {}): BuildResult {
  const dir = opts.dir ?? modelsDir();
  const id = Object.values(loadManifest(dir).backbones).find((b) => b.bundled)!.id;
  const e = getBackboneEntry(id, dir);
  const path = backbonePath(e, dir);
  if (!opts.force && existsSync(path)) {
    const sum = sha256(readFileSync(path));
    if (sum === e.sha256) return { id, path, sha256: sum, bytes: readFileSync(path).length, matchesManifest: true, skipped: true };
  }
  const bytes = buildBundledBytes();
  const sum = sha256(bytes);
  writeFileAtomic(path, bytes);
  return { id, path, sha256: sum, bytes: bytes.length, matchesManifest: sum === e.sha256, skipped: false };
}
