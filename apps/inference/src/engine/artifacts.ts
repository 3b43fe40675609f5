// Model-version artifact directory: `bank.f32` (raw little-endian float32, n×dim) + `meta.json`, and for a bank
// with per-position normalisation `norm.f32` (g² means, then g² scales), for a positional bank `cells.u32` (the grid
// cell of each bank row, little-endian uint32). A registered ROI's channel weights (@bdi/core channel-weights.ts) are
// in meta.json, `channelWeights`: dim numbers, each a float32 exactly; its brightness reference level
// (@bdi/core brightness.ts), `brightness`: one number in (0, 255].
// Written to `<dir>.tmp-<rand>` and renamed into place (atomic; a crash never leaves a half-written version).
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, openSync, fsyncSync, closeSync } from "node:fs";
import { endianness } from "node:os";
import { dirname, join } from "node:path";
import { randomBytes } from "node:crypto";
import { BANK_LAYOUTS, INPUT_MODES, MAP_BASELINES, SCORE_RULES, validBrightnessLevel, validChannelWeights, type BankLayout, type InputMode, type MapBaseline, type PositionNorm, type ScoreRule } from "@bdi/core";
import { BankInvalidError, BankMismatchError } from "./errors.ts";

export const BANK_FILE = "bank.f32";
export const META_FILE = "meta.json";
export const NORM_FILE = "norm.f32";
export const CELLS_FILE = "cells.u32";
export const ARTIFACT_FORMAT = 1;

export interface BankBackboneInfo {
  id: string; sha256: string; inputSize: number; grid: number; stride: number; dim: number;
  /** patch features L2-normalised (absent in banks written before the option existed = true) */
  l2?: boolean;
  /** CNN local neighbourhood (absent in banks written before the option existed = 3, the old fixed value) */
  localAvg?: number;
  /** how crops fill the input (@bdi/core InputMode; absent in banks written before session 8 = "square") */
  input?: InputMode;
  /** "crop" input: the letterbox margin kept around the crop (manifest features.windowMargin at fit time) */
  windowMargin?: number;
}
/** How a bank's crops were fed to the backbone (banks written before session 8: the whole square). */
export function bankInputMode(info: Pick<BankBackboneInfo, "input">): InputMode {
  return info.input ?? "square";
}

export interface CoresetStats {
  /** the rate used: the requested one, or lower when the bank cap applied */
  rate: number;
  /** the rate asked for (absent in banks written before the cap existed) */
  requestedRate?: number;
  candidates: number; selected: number; chunks: number; projectMs: number; selectMs: number;
}
export interface MemoryBank {
  vectors: Float32Array;
  n: number;
  dim: number;
  backbone: BankBackboneInfo;
  coreset: CoresetStats;
  images: number;
  timings: { decodeMs: number; extractMs: number; coresetMs: number; totalMs: number };
  createdAt: string;
  /** per-position normalisation from out-of-sample OK maps; absent = scores are raw 1-NN distances */
  norm?: PositionNorm;
  /** how a map becomes the image score (core's imageScore); absent in banks written before it existed = "percentile" */
  scoreRule?: ScoreRule;
  /** @bdi/core BankLayout; absent in banks written before it existed = "global" */
  layout?: BankLayout;
  /** positional layout: the grid cell of each row, and the Chebyshev radius (cells) a query is matched within */
  cells?: Uint32Array;
  radius?: number;
  /** the registration probe's share at fit time (core's registrationShare), when the fit ran it */
  registrationShare?: number;
  /** @bdi/core MapBaseline subtracted from each crop's map; absent in banks written before it existed = "none" */
  baseline?: MapBaseline;
  /**
   * per-channel weights of every feature, bank rows and queries alike (@bdi/core ChannelMoments: registered ROIs since
   * session 23); absent = features as the backbone gives them
   */
  channelWeights?: Float32Array;
  /**
   * the reference level (0–255] every crop's pixels are scaled to before the backbone (@bdi/core brightness.ts:
   * registered ROIs since session 24); absent = crops as decoded
   */
  brightness?: number;
}
export interface BankMeta extends Omit<MemoryBank, "vectors" | "norm" | "cells" | "channelWeights"> {
  format: number; file: string; bytes: number; endianness: "LE"; extra?: Record<string, unknown>;
  channelWeights?: number[];
  norm?: { file: string; grid: number; samples: number };
  cells?: { file: string };
}

const LE = endianness() === "LE";

function toLE(v: Float32Array): Uint8Array {
  const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  if (LE) return bytes;
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += 4) { out[i] = bytes[i + 3]; out[i + 1] = bytes[i + 2]; out[i + 2] = bytes[i + 1]; out[i + 3] = bytes[i]; }
  return out;
}

function writeSynced(path: string, data: Uint8Array | string) {
  writeFileSync(path, data);
  const fd = openSync(path, "r");
  try { fsyncSync(fd); } finally { closeSync(fd); }
}

/** Write a model-version directory atomically. Fails if `dir` already exists (versions are immutable). */
export function writeBank(dir: string, bank: MemoryBank, extra?: Record<string, unknown>): BankMeta {
  if (existsSync(dir)) throw new Error(`model version directory ${dir} already exists`);
  if (bank.vectors.length !== bank.n * bank.dim) throw new BankInvalidError(`bank has ${bank.vectors.length} floats, expected ${bank.n}×${bank.dim}`);
  mkdirSync(dirname(dir), { recursive: true });
  const tmp = `${dir}.tmp-${randomBytes(4).toString("hex")}`;
  mkdirSync(tmp);
  try {
    const { vectors, norm, cells, channelWeights, ...rest } = bank;
    if (bank.layout === "positional" && cells?.length !== bank.n) throw new BankInvalidError(`positional bank has ${cells?.length ?? 0} cells for ${bank.n} rows`);
    if (channelWeights && !validChannelWeights(channelWeights, bank.dim)) throw new BankInvalidError(`bank's channel weights are not ${bank.dim} finite numbers > 0`);
    if (bank.brightness !== undefined && !validBrightnessLevel(bank.brightness)) throw new BankInvalidError(`bank's brightness level ${bank.brightness} is not in (0, 255]`);
    const meta: BankMeta = {
      format: ARTIFACT_FORMAT, file: BANK_FILE, bytes: vectors.byteLength, endianness: "LE", ...rest,
      ...(channelWeights ? { channelWeights: Array.from(channelWeights) } : {}),
      ...(norm ? { norm: { file: NORM_FILE, grid: norm.grid, samples: norm.samples } } : {}),
      ...(bank.layout === "positional" ? { cells: { file: CELLS_FILE } } : {}), ...(extra ? { extra } : {}),
    };
    writeSynced(join(tmp, BANK_FILE), toLE(vectors));
    // uint32 cells through the float32 byte-order path (the same 4-byte swap; cells < 2^23 are never NaN bit patterns)
    if (meta.cells) writeSynced(join(tmp, CELLS_FILE), toLE(new Float32Array(cells!.buffer, cells!.byteOffset, cells!.length)));
    if (norm) {
      const both = new Float32Array(2 * norm.mean.length);
      both.set(norm.mean);
      both.set(norm.scale, norm.mean.length);
      writeSynced(join(tmp, NORM_FILE), toLE(both));
    }
    writeSynced(join(tmp, META_FILE), JSON.stringify(meta, null, 2) + "\n");
    renameSync(tmp, dir);
    return meta;
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

/** The data files a version's meta.json names (bank, then normalisation and cells where it has them): what a store copies. */
export function artifactDataFiles(meta: Pick<BankMeta, "file" | "norm" | "cells">): string[] {
  return [meta.file ?? BANK_FILE, ...(meta.norm ? [meta.norm.file ?? NORM_FILE] : []), ...(meta.cells ? [meta.cells.file ?? CELLS_FILE] : [])];
}

export function readBankMeta(dir: string): BankMeta {
  const mp = join(dir, META_FILE);
  if (!existsSync(mp)) throw new BankInvalidError(`model version ${dir}: ${META_FILE} missing`);
  let meta: BankMeta;
  try { meta = JSON.parse(readFileSync(mp, "utf8")); } catch (e) { throw new BankInvalidError(`model version ${dir}: ${META_FILE} is not valid JSON`); }
  const ok = meta && meta.format === ARTIFACT_FORMAT && Number.isInteger(meta.n) && meta.n > 0 && Number.isInteger(meta.dim) && meta.dim > 0
    && meta.backbone && typeof meta.backbone.id === "string" && Number.isInteger(meta.backbone.grid)
    && (meta.scoreRule === undefined || SCORE_RULES.includes(meta.scoreRule))
    && (meta.backbone.input === undefined || INPUT_MODES.includes(meta.backbone.input))
    && (meta.backbone.input !== "crop" || (Number.isInteger(meta.backbone.windowMargin) && meta.backbone.windowMargin! >= 0))
    && (meta.layout === undefined || BANK_LAYOUTS.includes(meta.layout))
    && (meta.baseline === undefined || MAP_BASELINES.includes(meta.baseline))
    && (meta.layout !== "positional" || (Number.isInteger(meta.radius) && meta.radius! >= 0 && typeof meta.cells?.file === "string"))
    && (meta.channelWeights === undefined || (Array.isArray(meta.channelWeights) && validChannelWeights(meta.channelWeights, meta.dim)))
    && (meta.brightness === undefined || validBrightnessLevel(meta.brightness));
  if (!ok) throw new BankInvalidError(`model version ${dir}: ${META_FILE} is incomplete or of an unknown format`);
  return meta;
}

/** Load and validate a model-version directory. With `expect`, a bank of another backbone/grid is a typed error. */
export function loadBank(dir: string, expect?: Partial<BankBackboneInfo>): MemoryBank {
  const meta = readBankMeta(dir);
  if (expect) checkBankCompatible(meta.backbone, expect);
  checkArtifactFiles(dir, meta);
  const vectors = readF32(join(dir, meta.file ?? BANK_FILE), meta.n * meta.dim);
  const { format: _f, file: _file, bytes: _b, endianness: _e, extra: _x, norm: normMeta, cells: cellsMeta, channelWeights, ...rest } = meta;
  return {
    ...rest, vectors, ...(normMeta ? { norm: loadNorm(dir, normMeta) } : {}), ...(cellsMeta ? { cells: loadCells(dir, meta) } : {}),
    ...(channelWeights ? { channelWeights: Float32Array.from(channelWeights) } : {}),
  };
}

/**
 * The artifact's data files are present and of the sizes its meta.json says (bank n×dim floats, normalisation
 * 2×g² floats), without reading them: the cheap "is this version usable" check and loadBank share it.
 */
export function checkArtifactFiles(dir: string, meta: BankMeta): void {
  const bp = join(dir, meta.file ?? BANK_FILE);
  if (!existsSync(bp)) throw new BankInvalidError(`model version ${dir}: ${BANK_FILE} missing`);
  const size = statSync(bp).size;
  if (size !== meta.n * meta.dim * 4) throw new BankInvalidError(`model version ${dir}: ${BANK_FILE} has ${size} bytes, expected ${meta.n * meta.dim * 4}`);
  if (meta.cells) {
    const cp = join(dir, meta.cells.file);
    if (!existsSync(cp) || statSync(cp).size !== meta.n * 4) throw new BankInvalidError(`model version ${dir}: ${CELLS_FILE} missing or not ${meta.n} cells`);
  }
  const m = meta.norm;
  if (!m) return;
  const np = join(dir, m.file ?? NORM_FILE);
  if (!Number.isInteger(m.grid) || m.grid <= 0 || !existsSync(np) || statSync(np).size !== 2 * m.grid * m.grid * 4) {
    throw new BankInvalidError(`model version ${dir}: ${NORM_FILE} missing or not ${m.grid}×${m.grid}×2 floats`);
  }
}

function readF32(path: string, count: number): Float32Array {
  const buf = readFileSync(path);
  const out = new Float32Array(count);
  if (LE) new Uint8Array(out.buffer).set(buf);
  else {
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
  }
  return out;
}

/** The positional bank's cells (size checked by checkArtifactFiles); a cell outside the grid is an invalid artifact. */
function loadCells(dir: string, meta: BankMeta): Uint32Array {
  const f = readF32(join(dir, meta.cells!.file), meta.n);
  const cells = new Uint32Array(f.buffer, f.byteOffset, meta.n);
  const g2 = meta.backbone.grid * meta.backbone.grid;
  for (let i = 0; i < cells.length; i++) if (cells[i]! >= g2) throw new BankInvalidError(`model version ${dir}: ${CELLS_FILE} has cell ${cells[i]} outside the ${meta.backbone.grid}×${meta.backbone.grid} grid`);
  return cells;
}

/** The normalisation file (sizes already checked by checkArtifactFiles). */
function loadNorm(dir: string, m: NonNullable<BankMeta["norm"]>): PositionNorm {
  const cells = m.grid * m.grid;
  const both = readF32(join(dir, m.file ?? NORM_FILE), 2 * cells);
  return { grid: m.grid, mean: both.subarray(0, cells), scale: both.subarray(cells), samples: m.samples };
}

/** Throws BankMismatchError when a bank does not belong to the given backbone configuration. */
export function checkBankCompatible(have: BankBackboneInfo, want: Partial<BankBackboneInfo>): void {
  if (want.l2 !== undefined && (have.l2 ?? true) !== want.l2) {
    throw new BankMismatchError(
      `memory bank was fitted with ${have.l2 ?? true ? "L2-normalised" : "unnormalised"} features; the service computes ${want.l2 ? "L2-normalised" : "unnormalised"} ones: refit this ROI`,
      { field: "l2", bank: have.l2 ?? true, backbone: want.l2 },
    );
  }
  const haveLa = have.localAvg ?? (have.id.startsWith("dinov2") ? 0 : 3);
  if (want.localAvg !== undefined && haveLa !== want.localAvg) {
    throw new BankMismatchError(
      `memory bank was fitted with a ${haveLa}×${haveLa} feature neighbourhood; the service uses ${want.localAvg}×${want.localAvg}: refit this ROI`,
      { field: "localAvg", bank: haveLa, backbone: want.localAvg },
    );
  }
  // a crop-window bank scores from the same window: a service whose backbone now keeps another margin (or none)
  // computes other features at the crop's border (checked against a service's whole configuration, backboneInfo,
  // which always has the sha256; loadBank's partial expectations leave it out)
  if (bankInputMode(have) === "crop" && want.sha256 !== undefined && have.windowMargin !== want.windowMargin) {
    throw new BankMismatchError(
      `memory bank was fitted from the crop's window of the input with a ${have.windowMargin} px margin; the service's backbone ${want.windowMargin === undefined ? "has no crop window" : `keeps ${want.windowMargin} px`}: refit this ROI`,
      { field: "windowMargin", bank: have.windowMargin, backbone: want.windowMargin },
    );
  }
  for (const k of ["id", "sha256", "inputSize", "grid", "dim"] as const) {
    if (want[k] !== undefined && have[k] !== want[k]) {
      throw new BankMismatchError(
        `memory bank was fitted with backbone ${have.id} (input ${have.inputSize}, grid ${have.grid}, dim ${have.dim}); the service runs ${want.id ?? "?"} (input ${want.inputSize ?? "?"}, grid ${want.grid ?? "?"}, dim ${want.dim ?? "?"}): refit this ROI`,
        { field: k, bank: have[k], backbone: want[k] },
      );
    }
  }
}

/**
 * LRU cache of loaded banks, bounded by bytes. `prepare` readies a freshly loaded bank and returns the bytes it then
 * holds (the service's `serveBank`: its search index built); without it a bank counts its vectors and cells.
 */
export class BankCache {
  private map = new Map<string, { bank: MemoryBank; bytes: number; mtimeMs: number }>();
  private used = 0;
  constructor(readonly maxBytes: number, private readonly prepare?: (bank: MemoryBank) => number) {}
  get size() { return this.map.size; }
  get bytes() { return this.used; }

  get(dir: string, expect?: Partial<BankBackboneInfo>): MemoryBank {
    const mtimeMs = existsSync(join(dir, META_FILE)) ? statSync(join(dir, META_FILE)).mtimeMs : -1;
    const hit = this.map.get(dir);
    if (hit && hit.mtimeMs === mtimeMs) {
      this.map.delete(dir);
      this.map.set(dir, hit);
      if (expect) checkBankCompatible(hit.bank.backbone, expect);
      return hit.bank;
    }
    if (hit) this.evict(dir);
    const bank = loadBank(dir, expect);
    this.put(dir, bank, mtimeMs, this.prepare?.(bank));
    return bank;
  }

  put(dir: string, bank: MemoryBank, mtimeMs = -1, bytes = bank.vectors.byteLength + (bank.cells?.byteLength ?? 0)): void {
    if (this.map.has(dir)) this.evict(dir);
    if (bytes > this.maxBytes) return; // too big to cache: served uncached
    while (this.used + bytes > this.maxBytes && this.map.size) this.evict(this.map.keys().next().value as string);
    this.map.set(dir, { bank, bytes, mtimeMs });
    this.used += bytes;
  }

  evict(dir: string): void {
    const e = this.map.get(dir);
    if (!e) return;
    this.map.delete(dir);
    this.used -= e.bytes;
  }

  clear(): void { this.map.clear(); this.used = 0; }
}
