// PatchCore scoring (ARCHITECTURE "The engine"); fits live in fit.ts:
//   letterbox (the crop's window of the square input, or all of it for older banks) → backbone + feature head (ORT)
//   → keep grid cells that overlap the crop
//   → exact 1-NN in ORT → grid map back through the letterbox to crop W×H (bilinear) → Gaussian σ=1
//   → ROI mask → minus the crop's median inside it (banks whose crops are not registered: @bdi/core MapBaseline)
//   → image score inside the mask (the bank's rule: mean of the top 1 % for new banks, p99 for older ones)
//   → regions over the threshold → grayscale heatmap PNG.
// A bank fitted with out-of-sample OK maps (fit.ts#fitWithOutOfSample) also normalises each grid cell's distance by
// that cell's OK statistics (PositionNorm, in @bdi/core) before the map goes back to the crop: scores are z-scores.
import {
  applyChannelWeights, buildMask, cropCellRect, decide, extractRegions, gridToCrop, heatmapToGray, imageScore, isDomainError, maskedPercentiles,
  normaliseGrid, subtractBaseline, type InputMode, type PositionNorm,
  parseShapeJson, validateShape, DEFAULT_AREA_MM2_THR, DEFAULT_MM_PER_PX, DEFAULT_SCORE_PERCENTILE, type Region, type RoiShape,
} from "@bdi/core";
import type { Backbone } from "./backbone.ts";
import { bankInputMode, checkBankCompatible, type BankBackboneInfo, type MemoryBank } from "./artifacts.ts";
import { BadShapeError } from "./errors.ts";
import { DEFAULT_KNN_SEARCH, makeIndex, nearestDistances, type KnnIndex, type KnnSearch } from "./knn.ts";
import { makePositionalIndex, positionalDistances, preparePositional, type PositionalIndex } from "./positional.ts";
import { encodeGrayPng } from "./png.ts";
import { inputWindowSpec } from "./features.ts";
import { preprocess, type LetterboxGeometry } from "./preprocess.ts";

const BLUR_SIGMA = 1.0;


/** What a bank does to each crop before its 1-NN (absent: nothing): see extractImage. */
export type CropAdjust = { channelWeights?: Float32Array | null; brightness?: number | null };

/** Features of one image, only the grid cells that overlap the crop. */
export interface ImageFeatures {
  feats: Float32Array; // nValid × dim
  nValid: number;
  /** grid index (row-major) of each kept row */
  cells: Uint32Array;
  width: number;
  height: number;
  geometry: LetterboxGeometry;
  /** the crop's mean level as decoded (0–255), before any brightness gain */
  level: number;
  /** whether extractImage weighted `feats` by channel weights (CropAdjust), which an index that weighs its queries refuses */
  channelWeighted?: boolean;
  decodeMs: number;
  extractMs: number;
}

/** The input mode a new fit uses: the crop's window where the backbone has one (inputWindowSpec), else the square. */
export function defaultInputMode(b: Pick<Backbone, "entry">): InputMode {
  return inputWindowSpec(b.entry) ? "crop" : "square";
}

/** What a fit records of its backbone and input mode (the window margin only for a crop-window fit). */
export function fittedBackboneInfo(b: Backbone, input: InputMode): BankBackboneInfo {
  const { windowMargin, ...info } = backboneInfo(b);
  return input === "crop" ? { ...info, input, windowMargin } : { ...info, input };
}

export function backboneInfo(b: Backbone): BankBackboneInfo {
  const win = inputWindowSpec(b.entry);
  return {
    id: b.id, sha256: b.sha256, inputSize: b.inputSize, grid: b.grid, stride: b.stride, dim: b.dim, l2: b.l2, localAvg: b.localAvg,
    ...(win ? { windowMargin: win.margin } : {}),
  };
}

/**
 * The features of one crop's grid cells (those it overlaps, row-major), indexed on the square grid whatever the input
 * mode: in "crop" mode the backbone runs on the crop's window of the square input only, and window cell (r, c) is
 * grid cell (r + y / stride, c + x / stride). The head returns just the crop's cells (FEATURES_CELLS_INPUT).
 * `adjust`: what the bank does to every crop (a registered ROI's): its brightness reference level, to which the crop's
 * pixels are scaled before the backbone (MemoryBank.brightness), and its channel weights, applied to every cell's
 * features (MemoryBank.channelWeights; a crop's 3,840 × 1,104 in 8.6 ms on session 30's CPU — a served registered ROI's
 * index applies them itself: cropAdjust).
 */
export async function extractImage(
  backbone: Backbone, image: Buffer | Uint8Array, mode: InputMode = "square", adjust: CropAdjust = {},
): Promise<ImageFeatures> {
  const weights = adjust.channelWeights;
  const pre = await preprocess(image, backbone, mode, adjust.brightness);
  const g = backbone.grid;
  const st = backbone.stride;
  const win = pre.window;
  const rect = cropCellRect(g, g, pre.geometry);
  // every cell the crop overlaps lies inside the window (cropInputWindow rounds out)
  const r0 = win.y / st, c0 = win.x / st;
  const t0 = performance.now();
  const feats = await backbone.extract(pre.input, win, { ...rect, row: rect.row - r0, col: rect.col - c0 });
  const extractMs = performance.now() - t0;
  const n = rect.rows * rect.cols;
  if (weights) applyChannelWeights(feats, n, weights);
  const cells = new Uint32Array(n);
  for (let r = 0, k = 0; r < rect.rows; r++) for (let c = 0; c < rect.cols; c++) cells[k++] = (rect.row + r) * g + rect.col + c;
  return {
    feats, nValid: n, cells, width: pre.width, height: pre.height, geometry: pre.geometry, level: pre.level,
    ...(weights ? { channelWeighted: true } : {}), decodeMs: pre.decodeMs, extractMs,
  };
}

export interface ScoreOptions {
  /**
   * ROI shape in crop pixels (rect / circle / annulus), already parsed by the caller; absent = whole crop. JSON text
   * is accepted too (the engine's own CLI and tests); either way it is validated against the crop.
   */
  shape?: RoiShape | string | null;
  threshold?: number | null;
  mmPerPx?: number;
  areaMm2Thr?: number;
  scorePercentile?: number;
  includeHeatmap?: boolean;
  /** keep the full-resolution anomaly map in the result (default true) */
  includeMap?: boolean;
  /** 1-NN search used when scoreImage builds the bank's index (default int8 + exact re-rank) */
  knn?: KnnSearch;
}

export type { Region };

export interface ScoreResult {
  score: number;
  decision?: "ok" | "ng";
  threshold?: number;
  regions: Region[];
  heatmapPng?: Buffer;
  /** the anomaly values the heatmap's gray 0 and 255 stand for (its p1 / p99 stretch), for a scale in score units */
  heatmapRange?: [number, number];
  /** blurred anomaly map, crop W×H, row-major (higher = more anomalous) */
  map?: Float32Array;
  width: number;
  height: number;
  timings: { decodeMs: number; extractMs: number; knnMs: number; postMs: number; totalMs: number };
}

/** A bank ready to search: the global layout's 1-NN index, or the positional layout's (bank.layout). */
export type BankIndex = KnnIndex | PositionalIndex;
export function isPositionalIndex(index: BankIndex): index is PositionalIndex {
  return "radius" in index;
}

/**
 * The index of a bank's rows: positional where the rows carry their grid cells (applying the bank's channel weights
 * to its queries itself: PositionalIndex.queryWeights), else the 1-NN `search`.
 */
export function searchIndex(
  rows: { vectors: Float32Array; n: number; cells?: Uint32Array; channelWeights?: Float32Array | null }, dim: number, grid: number, search: KnnSearch, radius?: number,
): BankIndex {
  return rows.cells
    ? makePositionalIndex(rows.vectors, rows.cells, rows.n, dim, grid, { radius, queryWeights: rows.channelWeights })
    : makeIndex(rows.vectors, rows.n, dim, search);
}

/** Whether `index` weighs its queries by channel weights itself (then they come to it as the head returns them). */
export function weighsQueries(index: BankIndex): boolean {
  return isPositionalIndex(index) && !!index.queryWeights;
}

/**
 * What the extraction of a crop does for `bank` searched through `index` (extractImage's `adjust`): the bank's
 * brightness, and its channel weights unless the index applies them to its queries itself.
 */
export function cropAdjust(bank: CropAdjust, index: BankIndex): CropAdjust {
  return { brightness: bank.brightness ?? null, channelWeights: weighsQueries(index) ? null : bank.channelWeights ?? null };
}

const indexCache = new WeakMap<MemoryBank, Partial<Record<KnnSearch, BankIndex>>>();
/** The bank's search index (one per search kind, kept as long as the bank; a positional bank has one). */
export function bankIndex(bank: MemoryBank, search: KnnSearch = DEFAULT_KNN_SEARCH): BankIndex {
  let byKind = indexCache.get(bank);
  if (!byKind) { byKind = {}; indexCache.set(bank, byKind); }
  const kind = bank.cells ? "exact" : search; // the positional search is always exact: one index
  return (byKind[kind] ??= searchIndex(bank, bank.dim, bank.backbone.grid, kind, bank.radius));
}

/**
 * A loaded bank made ready to serve: its search index built. A positional bank's search keeps its own tiled copy of
 * the rows (positional.ts), so the bank lets go of its copy — one copy of a registered ROI's rows in memory, not two —
 * and is then only scored (writeBank refuses it). Returns the bytes it holds, for the bank cache.
 */
export function serveBank(bank: MemoryBank): number {
  if (!bank.cells) return bank.vectors.byteLength; // global: its index is built at its first search, of its kind
  const bytes = preparePositional(bankIndex(bank) as PositionalIndex);
  bank.vectors = new Float32Array(0);
  return bytes;
}

/**
 * Each valid cell's 1-NN distance to the bank: over the whole bank, or (positional) over the cells near its own,
 * leaving the rows of fold `skipFold` out where the index knows its rows' folds (the fit's out-of-sample pass).
 */
export function patchDistances(index: BankIndex, f: Pick<ImageFeatures, "feats" | "cells" | "nValid" | "channelWeighted">, skipFold = -1): Promise<Float32Array> {
  // weighted twice would still give distances, wrong ones: extract through cropAdjust(bank, index)
  if (f.channelWeighted && weighsQueries(index)) throw new Error("features already weighted for an index that weighs its queries");
  return isPositionalIndex(index) ? positionalDistances(index, f.feats, f.cells, f.nValid, skipFold) : nearestDistances(index, f.feats, f.nValid);
}

/** Grid map (g×g) from per-valid-cell distances; padding cells copy the nearest valid cell (no fake edges). */
export function gridMap(dist: Float32Array, cells: Uint32Array, g: number): Float32Array {
  const m = new Float32Array(g * g);
  let r0 = g, r1 = -1, c0 = g, c1 = -1;
  for (let k = 0; k < cells.length; k++) {
    const i = cells[k], r = (i / g) | 0, c = i % g;
    m[i] = dist[k];
    if (r < r0) r0 = r; if (r > r1) r1 = r; if (c < c0) c0 = c; if (c > c1) c1 = c;
  }
  if (r1 < 0) return m;
  for (let r = 0; r < g; r++) {
    const rr = Math.min(r1, Math.max(r0, r));
    for (let c = 0; c < g; c++) {
      if (r >= r0 && r <= r1 && c >= c0 && c <= c1) continue;
      const cc = Math.min(c1, Math.max(c0, c));
      m[r * g + c] = m[rr * g + cc];
    }
  }
  return m;
}

export function maskFor(shape: RoiShape | string | null | undefined, w: number, h: number): Uint8Array {
  try {
    const s = shape && typeof shape === "object" ? validateShape(shape, w, h) : parseShapeJson(shape ?? null, w, h);
    return buildMask(s, w, h);
  } catch (e) {
    if (isDomainError(e)) throw new BadShapeError((e as Error).message);
    throw e;
  }
}

/** Grid map (distances, or z-scores with `norm`) back through the letterbox to crop pixels (bilinear) and the
 * Gaussian, as one separable linear map. Modifies `grid` when it normalises. */
export function cropMap(grid: Float32Array, g: number, f: Pick<ImageFeatures, "geometry" | "width" | "height">, norm?: PositionNorm | null): Float32Array {
  if (norm) normaliseGrid(grid, norm);
  return gridToCrop(grid, g, g, f.geometry, f.width, f.height, BLUR_SIGMA);
}

/**
 * What of a bank besides its vectors shapes a score: per-position normalisation (absent: raw distances), the map's
 * baseline (absent: none) and the rule.
 */
export type BankScoring = Pick<MemoryBank, "norm" | "scoreRule" | "baseline">;

/** Score already-extracted features against a bank (shared by scoreImage, k-fold calibration and eval). */
export async function scoreFeatures(
  backbone: Backbone, index: BankIndex, f: ImageFeatures, opts: ScoreOptions = {}, bank: BankScoring = {},
): Promise<ScoreResult> {
  const t0 = performance.now();
  const mask = maskFor(opts.shape, f.width, f.height); // validate the shape before the expensive part
  const dist = await patchDistances(index, f);
  const t1 = performance.now();
  const g = backbone.grid;
  const map = cropMap(gridMap(dist, f.cells, g), g, f, bank.norm);
  subtractBaseline(map, mask, bank.baseline ?? "none");
  const score = imageScore(map, mask, opts.scorePercentile ?? DEFAULT_SCORE_PERCENTILE, bank.scoreRule ?? "percentile");
  const thr = opts.threshold ?? undefined;
  let regions: Region[] = [];
  if (thr !== undefined && thr !== null) {
    regions = extractRegions({
      map, mask, w: f.width, h: f.height, threshold: thr,
      mmPerPx: opts.mmPerPx ?? DEFAULT_MM_PER_PX, areaMm2Thr: opts.areaMm2Thr ?? DEFAULT_AREA_MM2_THR,
    });
  }
  // the heatmap's gray scale stretches the map's p1..p99 inside the mask
  const stretch = opts.includeHeatmap ? (maskedPercentiles(map, mask, [1, 99]) as [number, number]) : undefined;
  const heatmapPng = stretch ? encodeGrayPng(heatmapToGray(map, mask, f.width, f.height, stretch), f.width, f.height) : undefined;
  const t2 = performance.now();
  return {
    score,
    ...(thr !== undefined && thr !== null ? { decision: decide(score, thr), threshold: thr } : {}),
    regions, ...(heatmapPng ? { heatmapPng, heatmapRange: stretch } : {}), ...(opts.includeMap !== false ? { map } : {}),
    width: f.width, height: f.height,
    timings: { decodeMs: f.decodeMs, extractMs: f.extractMs, knnMs: t1 - t0, postMs: t2 - t1, totalMs: f.decodeMs + f.extractMs + (t2 - t0) },
  };
}

/** Score one crop. A bank fitted with another backbone, grid or input size is a typed error (BankMismatchError). */
export async function scoreImage(backbone: Backbone, bank: MemoryBank, image: Buffer | Uint8Array, opts: ScoreOptions = {}): Promise<ScoreResult> {
  checkBankCompatible(bank.backbone, backboneInfo(backbone));
  const index = bankIndex(bank, opts.knn);
  const f = await extractImage(backbone, image, bankInputMode(bank.backbone), cropAdjust(bank, index));
  return scoreFeatures(backbone, index, f, opts, bank);
}
