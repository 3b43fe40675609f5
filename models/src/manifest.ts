// Backbone manifest: models/manifest.json (committed) merged with `<modelsDir>/manifest.local.json`
// (written by `models import` / `pull`: sha256 and tensor names of a user's DINOv2 file).
import { createHash } from "node:crypto";
import { existsSync, readFileSync, renameSync, writeFileSync, mkdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const PACKAGE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const MANIFEST_PATH = join(PACKAGE_DIR, "manifest.json");

export interface BackboneInputSpec {
  name: string; size: number; layout: "NCHW"; color: "RGB"; range: [number, number];
  normalize: "none" | "imagenet"; mean?: number[]; std?: number[];
}
export interface BackboneFeatureSpec {
  /** graph outputs (after import: logical names, see `tensors`) combined into the patch feature */
  outputs: string[];
  stride: number;
  /** PatchCore local neighbourhood averaging kernel (0 = none) */
  localAvg: number;
  dim: number;
  /** ViT: number of prefix tokens (CLS, registers) to drop from token outputs */
  prefixTokens?: number;
  /** L2-normalise each patch feature (default true) */
  l2?: boolean;
  /**
   * CNNs: run only the crop's window of the square input, with this many input pixels of the letterbox kept around
   * the crop so that its cells see what they see in the square (absent: always the whole square). README, "The
   * crop's window of the input".
   */
  windowMargin?: number;
}
export interface BackboneEntry {
  id: string;
  kind: "mobilenetv2" | "inceptionv3" | "mobilenetv2+inceptionv3" | "dinov2";
  bundled: boolean;
  description?: string;
  license?: string;
  file: string;
  sha256: string | null;
  bytes?: number;
  url?: string;
  input: BackboneInputSpec;
  outputs?: Record<string, { stride: number; channels: number }>;
  /** dinov2: logical output name (block9…) → tensor name in the ONNX file */
  tensors?: Record<string, string>;
  patch?: number;
  grid?: number;
  blocks?: number[];
  features: BackboneFeatureSpec;
  /** coreset rate used when BDI_CORESET_RATE is not set (else the legacy 0.10) */
  coresetRate?: number;
  importedFrom?: string;
  /** imported from `export_dinov2.py --random-weights`: timing only, never quality */
  randomWeights?: boolean;
  importedAt?: string;
}
export interface Manifest { version: number; default: string; backbones: Record<string, BackboneEntry> }

/** Where backbone files live: `BDI_MODELS_DIR` or `models/cache`. */
export function modelsDir(): string {
  return process.env.BDI_MODELS_DIR ? resolve(process.env.BDI_MODELS_DIR) : join(PACKAGE_DIR, "cache");
}
export const localManifestPath = (dir = modelsDir()) => join(dir, "manifest.local.json");

export function loadManifest(dir = modelsDir()): Manifest {
  const base = JSON.parse(readFileSync(MANIFEST_PATH, "utf8")) as Manifest;
  for (const [id, e] of Object.entries(base.backbones)) e.id = id;
  const lp = localManifestPath(dir);
  if (existsSync(lp)) {
    const local = JSON.parse(readFileSync(lp, "utf8")) as { backbones?: Record<string, Partial<BackboneEntry>> };
    for (const [id, e] of Object.entries(local.backbones ?? {})) {
      const cur = base.backbones[id];
      // The bundled backbone's identity is fixed by the committed manifest; local overrides apply to imports only.
      if (cur?.bundled) continue;
      base.backbones[id] = { ...(cur ?? {}), ...e, id } as BackboneEntry;
    }
  }
  return base;
}

export function getBackboneEntry(id: string, dir = modelsDir()): BackboneEntry {
  const m = loadManifest(dir);
  const e = m.backbones[id];
  if (!e) throw new Error(`unknown backbone "${id}" (known: ${Object.keys(m.backbones).join(", ")})`);
  return e;
}

export function backbonePath(e: BackboneEntry, dir = modelsDir()): string {
  return join(dir, e.file);
}

export function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

export class BackboneFileError extends Error {
  constructor(message: string, readonly code: "missing" | "checksum" | "invalid") { super(message); this.name = "BackboneFileError"; }
}

/** Read a backbone file and check its sha256 against the manifest (a null sha means "not imported yet"). */
export function readBackboneFile(e: BackboneEntry, dir = modelsDir()): { path: string; bytes: Uint8Array; sha256: string } {
  const path = backbonePath(e, dir);
  if (!existsSync(path)) {
    const hint = e.bundled ? "run `npm run build -w @bdi/models`" : "run `npm run models -- import FILE.onnx` or `npm run models -- pull`";
    throw new BackboneFileError(`backbone ${e.id}: file ${path} not found (${hint})`, "missing");
  }
  const bytes = readFileSync(path);
  const sum = sha256(bytes);
  if (!e.sha256) throw new BackboneFileError(`backbone ${e.id}: no sha256 recorded for ${path}; import it with \`npm run models -- import\``, "checksum");
  if (sum !== e.sha256) {
    throw new BackboneFileError(`backbone ${e.id}: sha256 mismatch for ${path} (expected ${e.sha256}, got ${sum}); rebuild or re-import it`, "checksum");
  }
  return { path, bytes, sha256: sum };
}

export function backboneFilePresent(e: BackboneEntry, dir = modelsDir()): boolean {
  return existsSync(backbonePath(e, dir)) && statSync(backbonePath(e, dir)).size > 0;
}

/** Atomic write: temp file in the same directory, then rename. */
export function writeFileAtomic(path: string, bytes: Uint8Array | string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, path);
}

/** Merge an entry into `<dir>/manifest.local.json`. */
export function writeLocalEntry(id: string, entry: Partial<BackboneEntry>, dir = modelsDir()): void {
  const lp = localManifestPath(dir);
  const cur = existsSync(lp) ? JSON.parse(readFileSync(lp, "utf8")) : { backbones: {} };
  cur.backbones = cur.backbones ?? {};
  cur.backbones[id] = { ...(cur.backbones[id] ?? {}), ...entry };
  writeFileAtomic(lp, JSON.stringify(cur, null, 2) + "\n");
}
