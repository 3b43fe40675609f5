// PatchCore fits: the memory bank from OK crops (streaming partial coresets, capped), and the self-calibrating fit
// that also scores every OK crop out-of-sample (k-fold) and takes the per-position statistics from those maps.
import {
  applyChannelWeights, baselineFor, BRIGHTNESS_REFERENCE_CROPS, normalisesBrightness, referenceLevel, cappedCoresetRate, ChannelMoments, CHANNEL_WEIGHT_CROPS, spreadIndices, weighsChannels, imageScore, subtractBaseline, type MapBaseline, cropKindForShare, cropKindOf, layoutForCrops, type CropKind, PositionStats, scaleFloorQuantile, MIN_NORM_CROPS, DEFAULT_SCORE_PERCENTILE, DEFAULT_SCORE_RULE, POSITIONAL_PICKS_PER_FOLD,
  POSITIONAL_RADIUS, positionalBankSize, REGISTRATION_PROBE_CROPS, type BankLayout, type BankLayoutChoice, type InputMode, type ScoreRule,
} from "@bdi/core";
import type { Backbone } from "./backbone.ts";
import type { MemoryBank } from "./artifacts.ts";
import { DEFAULT_CORESET_RATE, selectCoreset } from "./coreset.ts";
import { NoSamplesError } from "./errors.ts";
import { DEFAULT_KNN_SEARCH, releaseIndex, type KnnSearch } from "./knn.ts";
import { CellPicker, dropFold, makePositionalIndex, probeRegistration, probeSample, type ProbeCrop } from "./positional.ts";
import {
  cropMap, defaultInputMode, fittedBackboneInfo, extractImage, gridMap, isPositionalIndex, maskFor, patchDistances, searchIndex, type ImageFeatures, type ScoreOptions,
} from "./pipeline.ts";
import { cropLevel } from "./preprocess.ts";

export interface FitOptions {
  coresetRate?: number;
  seed?: number;
  /**
   * A partial coreset is taken every `chunkFloats` floats (default 48M ≈ 192 MB) or `chunkRows` patches (default
   * 16,384), whichever comes first; the bank is the union of the partial coresets. This bounds peak memory and keeps
   * greedy k-center (cost ∝ rows × centres) linear in the number of images.
   */
  chunkFloats?: number;
  chunkRows?: number;
  /** bank size bound (default BANK_CAP): the rate falls once rate × patches would pass it (cappedCoresetRate) */
  bankCap?: number;
  /** how the bank's maps become image scores (default DEFAULT_SCORE_RULE; "percentile" = the legacy p99 rule) */
  scoreRule?: ScoreRule;
  /** how crops fill the backbone input (default defaultInputMode: the crop's window for CNNs); recorded in the bank */
  input?: InputMode;
  onProgress?: (p: { done: number; total: number; stage: "extract" | "coreset" }) => void;
}

/** One bank of every fold's positional picks, grown as each fold's picks arrive: rows, their grid cells and folds. */
class PicksBank {
  private vectors: Float32Array;
  private cells: Uint32Array;
  private folds: Uint8Array;
  private n = 0;
  /** rows per fold, as appended */
  readonly foldSizes: number[] = [];
  constructor(private readonly dim: number, capacity: number) {
    this.vectors = new Float32Array(capacity * dim);
    this.cells = new Uint32Array(capacity);
    this.folds = new Uint8Array(capacity);
  }

  append(p: { vectors: Float32Array; cells: Uint32Array; n: number }, fold: number): void {
    const need = this.n + p.n;
    if (need > this.cells.length) { // a crop larger than the first: grow (a copy, once per fold at most)
      const grow = <T extends Float32Array | Uint32Array | Uint8Array>(a: T, per: number): T => {
        const b = new (a.constructor as new (n: number) => T)(need * per);
        b.set(a.subarray(0, this.n * per));
        return b;
      };
      this.vectors = grow(this.vectors, this.dim); this.cells = grow(this.cells, 1); this.folds = grow(this.folds, 1);
    }
    this.vectors.set(p.vectors, this.n * this.dim);
    this.cells.set(p.cells, this.n);
    this.folds.fill(fold, this.n, need);
    this.foldSizes[fold] = p.n;
    this.n = need;
  }

  /** Every row (the arrays themselves: trimmed to the rows once, should crops have been smaller than the first). */
  rows(): { vectors: Float32Array; cells: Uint32Array; folds: Uint8Array; n: number } {
    if (this.n < this.cells.length) {
      this.vectors = this.vectors.slice(0, this.n * this.dim); this.cells = this.cells.slice(0, this.n); this.folds = this.folds.slice(0, this.n);
    }
    return { vectors: this.vectors, cells: this.cells, folds: this.folds, n: this.n };
  }
}

/** The coreset rate of a fit of `images` crops of `cellsPerImage` patches each (the first crop's count). */
function fitRate(requested: number, cellsPerImage: number, images: number, cap?: number): number {
  return cappedCoresetRate(requested, cellsPerImage * images, cap);
}

/** Streaming bank builder: add images, partial coresets bound the memory, `finish()` returns the bank. */
class BankBuilder {
  private rows: Float32Array[] = [];
  private rowCount = 0;
  private kept: Float32Array[] = [];
  private keptCount = 0;
  candidates = 0;
  chunks = 0;
  projectMs = 0;
  selectMs = 0;
  readonly maxRows: number;
  constructor(readonly dim: number, readonly rate: number, chunkFloats: number, readonly seed: number, chunkRows = 16384) {
    this.maxRows = Math.max(1, Math.min(chunkRows, Math.floor(chunkFloats / dim)));
  }
  async add(f: Float32Array, n: number) {
    this.rows.push(f);
    this.rowCount += n;
    this.candidates += n;
    if (this.rowCount >= this.maxRows) await this.flush();
  }
  private async flush() {
    if (!this.rowCount) return;
    const d = this.dim;
    const all = new Float32Array(this.rowCount * d);
    let o = 0;
    for (const r of this.rows) { all.set(r, o); o += r.length; }
    this.rows = [];
    const n = this.rowCount;
    this.rowCount = 0;
    const cs = await selectCoreset(all, n, d, this.rate, { seed: this.seed });
    this.projectMs += cs.projectMs;
    this.selectMs += cs.selectMs;
    this.chunks++;
    if (cs.m === n) { this.kept.push(all); this.keptCount += n; return; }
    const out = new Float32Array(cs.m * d);
    for (let i = 0; i < cs.m; i++) out.set(all.subarray(cs.indices[i] * d, (cs.indices[i] + 1) * d), i * d);
    this.kept.push(out);
    this.keptCount += cs.m;
  }
  async finish(): Promise<{ vectors: Float32Array; n: number }> {
    await this.flush();
    if (this.kept.length === 1) return { vectors: this.kept[0], n: this.keptCount };
    const v = new Float32Array(this.keptCount * this.dim);
    let o = 0;
    for (const k of this.kept) { v.set(k, o); o += k.length; }
    return { vectors: v, n: this.keptCount };
  }
}

/** Fit a memory bank from OK crops. */
export async function fitBank(backbone: Backbone, images: Array<Buffer | Uint8Array>, opts: FitOptions = {}): Promise<MemoryBank> {
  if (!images.length) throw new NoSamplesError("no OK images to fit");
  const t0 = performance.now();
  const requested = opts.coresetRate ?? DEFAULT_CORESET_RATE;
  let rate = requested;
  let builder: BankBuilder | null = null;
  let decodeMs = 0, extractMs = 0;
  const input = opts.input ?? defaultInputMode(backbone);
  for (let i = 0; i < images.length; i++) {
    const f = await extractImage(backbone, images[i], input);
    decodeMs += f.decodeMs;
    extractMs += f.extractMs;
    if (!builder) {
      rate = fitRate(requested, f.nValid, images.length, opts.bankCap);
      builder = new BankBuilder(backbone.dim, rate, opts.chunkFloats ?? 48 * 1024 * 1024, opts.seed ?? 0, opts.chunkRows);
    }
    await builder.add(f.feats, f.nValid);
    opts.onProgress?.({ done: i + 1, total: images.length, stage: "extract" });
  }
  const tc = performance.now();
  opts.onProgress?.({ done: images.length, total: images.length, stage: "coreset" });
  const { vectors, n } = await builder!.finish();
  const coresetMs = performance.now() - tc + 0; // the final flush; earlier partial flushes are inside the extract loop
  return {
    vectors, n, dim: backbone.dim, backbone: fittedBackboneInfo(backbone, input),
    coreset: { rate: rate >= 1 ? 1 : rate, requestedRate: requested, candidates: builder!.candidates, selected: n, chunks: builder!.chunks, projectMs: builder!.projectMs, selectMs: builder!.selectMs },
    images: images.length,
    timings: { decodeMs, extractMs, coresetMs: builder!.projectMs + builder!.selectMs || coresetMs, totalMs: performance.now() - t0 },
    createdAt: new Date().toISOString(),
    scoreRule: opts.scoreRule ?? DEFAULT_SCORE_RULE,
  };
}

/**
 * OK crops a fit scores out-of-sample (spread over the folds): enough for the promise and the per-position statistics
 * (the 1 % false-reject point of 100 scores; statistics from 100 maps matched 160 on bsdata), and the pass no longer
 * grows with the training set: with every crop scored, a fit of 100 square crops at 768 spent 40 of its 115 s there.
 */
export const FIT_OOS_CROPS = 100;

export interface OutOfSampleResult {
  /** out-of-sample OK scores, in the bank's units (z-scores when the bank is normalised), of the crops `scored` */
  scores: number[];
  /** index (into the fit's images) of each score, ascending; every image unless `maxScored` bounded the pass */
  scored: number[];
  folds: number; bankSizes: number[]; ms: number; cachedFeatures: boolean;
  /** the scores are z-scores against position statistics taken without the scored crop's fold */
  normalised: boolean;
}

export interface OutOfSampleOptions {
  folds?: number; coresetRate?: number; scorePercentile?: number; shape?: ScoreOptions["shape"]; seed?: number;
  /** how maps become image scores, for the out-of-sample scores and the bank (default DEFAULT_SCORE_RULE) */
  scoreRule?: ScoreRule;
  /** features kept between the two passes while they fit in this many floats (default 128M ≈ 512 MB) */
  cacheFloats?: number;
  knn?: KnnSearch;
  chunkFloats?: number;
  chunkRows?: number;
  bankCap?: number;
  /** score at most this many crops out-of-sample (default FIT_OOS_CROPS; Infinity scores every crop) */
  maxScored?: number;
  /**
   * Per-position normalisation (default true): the bank carries it and the scores are z-scores. false gives raw
   * distances, for calibrating a bank fitted before normalisation existed (its scores are distances).
   */
  normalise?: boolean;
  /** how crops fill the backbone input (default defaultInputMode); a dataset calibration passes its version's */
  input?: InputMode;
  /**
   * The memory's layout (@bdi/core BankLayout): "auto" (default) runs the registration probe on the first crops and
   * keeps the positional layout for a registered ROI; a dataset calibration passes its version's layout.
   */
  layout?: BankLayoutChoice;
  /**
   * What the crops are (@bdi/core CropKind), with a `layout` asked for: a dataset calibration passes its version's
   * (cropKindOf). Absent: the probe's call ("auto"), else what the layout implies (positional: registered).
   */
  cropKind?: CropKind;
  /**
   * The map's baseline (@bdi/core MapBaseline): default from the registration probe (baselineFor: crops that
   * are not registered are measured against their own median); a dataset calibration passes its version's.
   */
  baseline?: MapBaseline;
  /**
   * Channel weights for every crop's features (@bdi/core channel-weights.ts): a dataset calibration passes its
   * version's (null: none); absent, a fit whose layout weighs its channels measures them on CHANNEL_WEIGHT_CROPS crops.
   */
  channelWeights?: Float32Array | null;
  /** the quantile of the crop cells' deviations every cell's scale is floored at (@bdi/core scaleFloorQuantile: by crop kind) */
  scaleFloorQuantile?: number;
  /**
   * The brightness reference level every crop is scaled to (@bdi/core brightness.ts): a dataset calibration passes its
   * version's (null: none); absent, a fit whose layout normalises brightness measures it on BRIGHTNESS_REFERENCE_CROPS
   * crops.
   */
  brightness?: number | null;
  onProgress?: (p: { done: number; total: number; stage: "extract" | "coreset" | "score" }) => void;
}

/**
 * A bank and out-of-sample OK scores from one coreset pass (k-fold, fold of image i = i mod k). Each fold's images
 * get their own partial coresets (same rate); the bank is the union of all folds' coresets, and fold f is scored
 * against the union of the other folds' — exactly the bank a fit without fold f would build, since a bank is a
 * union of partial coresets anyway. Cost: two feature passes (one when the features fit in `cacheFloats`) and one
 * coreset pass, instead of a coreset per fold over (k−1)/k of the data.
 *
 * Pass 2 scores at most `maxScored` crops (FIT_OOS_CROPS by default), spread over the folds, so its cost is flat in
 * the training set; the bank itself always comes from every crop.
 *
 * A registered ROI (the registration probe, or `layout`) keeps the positional memory instead of coresets: each fold's
 * crops give 2 k-center picks per grid cell (CellPicker), the bank is their union, and fold f is matched against the
 * other folds' picks near each cell. (Matching each crop against every pick but its own, 10 per cell instead of 8,
 * was measured: bsdata threshold 6.50 → 6.66, recall at it 68 % both; not kept.)
 *
 * The out-of-sample grid maps also give the bank's per-position normalisation (all folds), and each crop's score
 * is taken with the statistics of the other folds only, so a crop never normalises itself: the promise made from
 * these scores is out-of-sample twice over (bank and statistics).
 */
export async function fitWithOutOfSample(
  backbone: Backbone, images: Array<Buffer | Uint8Array>, opts: OutOfSampleOptions = {},
): Promise<{ bank: MemoryBank; oos: OutOfSampleResult }> {
  const t0 = performance.now();
  const k = Math.min(opts.folds ?? 5, images.length);
  if (images.length < 2 || k < 2) throw new NoSamplesError(`out-of-sample calibration needs at least 2 OK images (got ${images.length})`);
  const requested = opts.coresetRate ?? DEFAULT_CORESET_RATE;
  let rate = requested;
  const seed = opts.seed ?? 0;
  const d = backbone.dim;
  const g = backbone.grid;
  const input = opts.input ?? defaultInputMode(backbone);
  const total = images.length;
  // the crops scored out-of-sample: every crop, or an even spread over each fold's crops
  const perFold = Math.ceil(Math.min(total, opts.maxScored ?? FIT_OOS_CROPS) / k);
  const scoredIn = (fold: number): number[] => {
    const members: number[] = [];
    for (let i = fold; i < total; i += k) members.push(i);
    return spreadIndices(members.length, perFold).map((j) => members[j]!);
  };
  const chosen = Array.from({ length: k }, (_, f) => scoredIn(f));
  const nScored = chosen.reduce((a, c) => a + c.length, 0);
  const isChosen = new Uint8Array(total);
  for (const c of chosen) for (const i of c) isChosen[i] = 1;
  const cache: Array<ImageFeatures | null> = new Array(total).fill(null);
  let useCache: boolean | null = null;
  let decodeMs = 0, extractMs = 0, done = 0;
  let weights = opts.channelWeights ?? null;
  let brightness = opts.brightness ?? null;
  const get = async (i: number) => {
    const c = cache[i];
    if (c) return c;
    const f = await extractImage(backbone, images[i], input, { channelWeights: weights, brightness });
    decodeMs += f.decodeMs;
    extractMs += f.extractMs;
    useCache ??= f.feats.length * nScored <= (opts.cacheFloats ?? 128 * 1024 * 1024);
    if (useCache && isChosen[i]) cache[i] = f;
    return f;
  };
  // what the crops are and the memory that keeps them: asked for, or the registration probe's call (a positional fold
  // needs ≥ 2 other folds' picks per cell). A registered ROI too large for the positional memory keeps the global
  // coreset and is read as registered all the same (README "Large ROIs are probed too", session 27).
  let share: number | undefined;
  let layout: BankLayout = opts.layout === "positional" ? "positional" : "global";
  let kind: CropKind | undefined = opts.cropKind ?? cropKindOf({ layout });
  if ((opts.layout ?? "auto") === "auto" && k >= 3) {
    const probe: ProbeCrop[] = [];
    for (let i = 0; i < Math.min(REGISTRATION_PROBE_CROPS, total); i++) probe.push(probeSample(await get(i), d));
    share = await probeRegistration(probe, g, d);
    kind = cropKindForShare(share);
    layout = layoutForCrops(kind, (await get(0)).nValid, k);
  }
  // a registered ROI's brightness reference, the median level of crops spread over the fit's (decoded only); the
  // probe's features, extracted as decoded, are extracted again at that level
  if (opts.brightness === undefined && normalisesBrightness(kind)) {
    const levels: number[] = [];
    for (const i of spreadIndices(total, BRIGHTNESS_REFERENCE_CROPS)) levels.push(await cropLevel(images[i]!, backbone));
    brightness = referenceLevel(levels);
    cache.fill(null);
  }
  // a registered ROI's channel weights, from crops spread over the fit's (the probe's first crops are one camera
  // position on bsdata); the features cached before them are weighted in place, as the head's output would be
  if (opts.channelWeights === undefined && weighsChannels(layout)) {
    const moments = new ChannelMoments(d);
    for (const i of spreadIndices(total, CHANNEL_WEIGHT_CROPS)) { const f = await get(i); moments.add(f.feats, f.nValid); }
    weights = moments.weights();
    for (const c of cache) if (c) applyChannelWeights(c.feats, c.nValid, weights);
  }
  // pass 1: one builder per fold (a coreset, or the positional layout's picks per cell)
  const parts: Array<{ vectors: Float32Array; n: number }> = [];
  // The positional memory: each fold's picks copied straight into one bank of every fold's picks as the fold ends
  // (fold-major, sized for crops like the first; a larger crop grows it). Keeping the folds' picks apart until a
  // concatenation at the end held the bank twice: a lab fit of 400 square crops peaked at 2.09 GB with it.
  const whole = layout === "positional" ? new PicksBank(d, positionalBankSize((await get(0)).nValid, k)) : null;
  let candidates = 0, chunks = 0, projectMs = 0, selectMs = 0;
  for (let fold = 0; fold < k; fold++) {
    let builder: BankBuilder | null = null;
    const picker = layout === "positional" ? new CellPicker(d, POSITIONAL_PICKS_PER_FOLD, opts.chunkFloats ?? 48 * 1024 * 1024) : null;
    for (let i = fold; i < total; i += k) {
      const f = await get(i);
      if (picker) await picker.add(f);
      else {
        if (i === 0) rate = fitRate(requested, f.nValid, total, opts.bankCap);
        builder ??= new BankBuilder(d, rate, opts.chunkFloats ?? 48 * 1024 * 1024, seed, opts.chunkRows);
        await builder.add(f.feats, f.nValid);
      }
      opts.onProgress?.({ done: ++done, total, stage: "extract" });
    }
    opts.onProgress?.({ done, total, stage: "coreset" });
    if (picker) {
      whole!.append(await picker.finish(), fold);
      candidates += picker.candidates; chunks++; selectMs += picker.ms;
    } else {
      parts.push(await builder!.finish());
      candidates += builder!.candidates; chunks += builder!.chunks; projectMs += builder!.projectMs; selectMs += builder!.selectMs;
    }
  }
  // the global coreset's bank of every fold but `skip` (-1: all)
  const concat = (skip: number) => {
    let n = 0;
    parts.forEach((p, f) => { if (f !== skip) n += p.n; });
    const v = new Float32Array(n * d);
    let o = 0;
    parts.forEach((p, f) => { if (f !== skip) { v.set(p.vectors, o * d); o += p.n; } });
    return { vectors: v, n };
  };
  const partSizes = whole ? whole.foldSizes : parts.map((p) => p.n);
  const fitMs = performance.now() - t0;
  // pass 2: each fold against the other folds' coresets (one fold bank alive at a time: ≤ 2× the bank in memory);
  // keeps each crop's grid map (g² floats) and its geometry, and the per-fold position sums
  const grids = new Array<Float32Array>(total);
  const gridCells = new Array<Uint32Array>(total); // the cells each crop covers (the scale floor's)
  const crops = new Array<Pick<ImageFeatures, "geometry" | "width" | "height">>(total);
  const foldStats = Array.from({ length: k }, () => new PositionStats(g));
  const bankSizes: number[] = [];
  done = 0;
  // the positional memory: one index of every fold's picks, each fold left out in turn (a copy of the other folds'
  // picks per fold took 0.3 GB at a time for 9,216-cell crops); the global coreset: one fold bank at a time
  const picks = whole?.rows() ?? null;
  const wholeIndex = picks ? makePositionalIndex(picks.vectors, picks.cells, picks.n, d, g, { radius: POSITIONAL_RADIUS, folds: picks.folds }) : null;
  for (let fold = 0; fold < k; fold++) {
    bankSizes.push(partSizes.reduce((a, n, f) => (f === fold ? a : a + n), 0));
    const index = wholeIndex ?? searchIndex(concat(fold), d, g, opts.knn ?? DEFAULT_KNN_SEARCH);
    for (const i of chosen[fold]!) {
      const f = await get(i);
      grids[i] = gridMap(await patchDistances(index, f, fold), f.cells, g);
      crops[i] = { geometry: f.geometry, width: f.width, height: f.height };
      gridCells[i] = f.cells;
      foldStats[fold]!.add(grids[i]!, f.cells);
      opts.onProgress?.({ done: ++done, total: nScored, stage: "score" });
    }
    if (isPositionalIndex(index)) dropFold(index, fold);
    else await releaseIndex(index);
  }
  cache.length = 0;
  const all = new PositionStats(g);
  grids.forEach((grid, i) => { if (grid) all.add(grid, gridCells[i]); });
  // enough crops for per-cell statistics (MIN_NORM_CROPS), and ≥ 2 maps outside every fold
  const normalise = (opts.normalise ?? true) && nScored >= MIN_NORM_CROPS && foldStats.every((fs) => all.count - fs.count >= 2);
  const floorQuantile = opts.scaleFloorQuantile ?? scaleFloorQuantile(kind);
  const percentile = opts.scorePercentile ?? DEFAULT_SCORE_PERCENTILE;
  const scoreRule = opts.scoreRule ?? DEFAULT_SCORE_RULE;
  const baseline = opts.baseline ?? baselineFor(kind);
  const scoreOf = new Map<number, number>();
  for (let fold = 0; fold < k; fold++) {
    const norm = normalise ? all.without(foldStats[fold]!).finish(floorQuantile) : null;
    for (const i of chosen[fold]!) {
      const c = crops[i]!;
      const map = cropMap(grids[i]!, g, c, norm);
      const mask = maskFor(opts.shape, c.width, c.height);
      subtractBaseline(map, mask, baseline);
      scoreOf.set(i, imageScore(map, mask, percentile, scoreRule));
    }
  }
  const full: { vectors: Float32Array; n: number; cells?: Uint32Array } = picks ?? concat(-1);
  parts.length = 0;
  const bank: MemoryBank = {
    vectors: full.vectors, n: full.n, dim: d, backbone: fittedBackboneInfo(backbone, input),
    // a positional bank's "rate" is the share of patches its picks kept
    coreset: { rate: layout === "positional" ? full.n / candidates : rate >= 1 ? 1 : rate, requestedRate: requested, candidates, selected: full.n, chunks, projectMs, selectMs },
    images: total,
    timings: { decodeMs, extractMs, coresetMs: projectMs + selectMs, totalMs: fitMs },
    createdAt: new Date().toISOString(),
    ...(normalise ? { norm: all.finish(floorQuantile) } : {}),
    scoreRule, baseline,
    layout, ...(full.cells ? { cells: full.cells, radius: POSITIONAL_RADIUS } : {}), ...(share !== undefined ? { registrationShare: share } : {}),
    ...(weights ? { channelWeights: weights } : {}), ...(brightness !== null ? { brightness } : {}),
  };
  const scored = [...scoreOf.keys()].sort((a, b) => a - b);
  return { bank, oos: { scores: scored.map((i) => scoreOf.get(i)!), scored, folds: k, bankSizes, ms: performance.now() - t0, cachedFeatures: !!useCache, normalised: normalise } };
}

/** Out-of-sample OK scores of every crop (a dataset calibration, one score per sample): see fitWithOutOfSample. */
export async function outOfSampleOkScores(
  backbone: Backbone, images: Array<Buffer | Uint8Array>, opts: OutOfSampleOptions = {},
): Promise<OutOfSampleResult> {
  return (await fitWithOutOfSample(backbone, images, { ...opts, maxScored: Infinity })).oos;
}
