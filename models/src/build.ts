// Builds the bundled backbone files (models/cache/<file>.onnx) and checks them against the committed manifest.
import { existsSync, readFileSync } from "node:fs";
import { convertInceptionV3Features, inceptionV3Graph, INCEPTION_FEATURE_OUTPUTS } from "./convert-inception.ts";
import { convertMobilenetV2Features, MOBILENET_FEATURE_OUTPUTS } from "./convert-mobilenet.ts";
import { appendToModel } from "./onnx.ts";
import { backbonePath, getBackboneEntry, loadManifest, modelsDir, sha256, writeFileAtomic, type BackboneEntry } from "./manifest.ts";

export interface BuildResult { id: string; path: string; sha256: string; bytes: number; matchesManifest: boolean; skipped: boolean }

/** The bundled backbones: converted from nsfwjs at build time, never downloaded. */
export function bundledIds(dir = modelsDir()): string[] {
  return Object.values(loadManifest(dir).backbones).filter((b) => b.bundled).map((b) => b.id);
}

/** Convert a bundled backbone (default: the manifest's default) from nsfwjs into its ONNX feature model (deterministic bytes). */
export function buildBundledBytes(id = loadManifest().default): Uint8Array {
  const e: BackboneEntry = getBackboneEntry(id);
  if (!e.bundled) throw new Error(`backbone ${id} is not bundled`);
  const outputs = Object.keys(e.outputs ?? {});
  switch (e.kind) {
    case "mobilenetv2": return convertMobilenetV2Features({ outputs, quantized: true });
    case "inceptionv3": return convertInceptionV3Features(outputs);
    case "mobilenetv2+inceptionv3": {
      // both networks on one input (each reads pixels in [0, 1]); the feature head concatenates all four maps
      const mobilenet = outputs.filter((o) => o in MOBILENET_FEATURE_OUTPUTS);
      const inception = outputs.filter((o) => o in INCEPTION_FEATURE_OUTPUTS);
      return appendToModel(convertMobilenetV2Features({ outputs: mobilenet, quantized: true }), inceptionV3Graph(inception));
    }
    default: throw new Error(`backbone ${id}: no converter for kind ${e.kind}`);
  }
}

/** Write one bundled backbone under `dir` (default: BDI_MODELS_DIR or models/cache). Skips if already valid unless `force`. */
export function buildBundled(opts: { id?: string; dir?: string; force?: boolean } = {}): BuildResult {
  const dir = opts.dir ?? modelsDir();
  const id = opts.id ?? loadManifest(dir).default;
  const e = getBackboneEntry(id, dir);
  const path = backbonePath(e, dir);
  if (!opts.force && existsSync(path)) {
    const sum = sha256(readFileSync(path));
    if (sum === e.sha256) return { id, path, sha256: sum, bytes: readFileSync(path).length, matchesManifest: true, skipped: true };
  }
  const bytes = buildBundledBytes(id);
  const sum = sha256(bytes);
  writeFileAtomic(path, bytes);
  return { id, path, sha256: sum, bytes: bytes.length, matchesManifest: sum === e.sha256, skipped: false };
}
