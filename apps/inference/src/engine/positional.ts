// The positional memory (@bdi/core BankLayout "positional", for registered ROIs): per grid cell a few OK patches
// picked by k-center, and a 1-NN that matches a query patch only against the cells within `radius` of its own.
// Also the registration probe that tells a fit whether a ROI's crops are registered. All arithmetic in onnxruntime.
import ort from "onnxruntime-node";
import { DataType, GraphBuilder, encodeModel, valueInfo } from "@bdi/models";
import { POSITIONAL_RADIUS, probeCellStep, REGISTRATION_PROBE_CROPS, registrationShare } from "@bdi/core";
import { createSession } from "./backbone.ts";
import { nearestDistances, rowSqNorms } from "./knn.ts";
import type { ImageFeatures } from "./pipeline.ts";

/**
 * Pool distances, batched over cells: X [s,m,d], XN [s,m] (||x||²), Y [s,1,d] → D [s,m] = ||x||² − 2 x·y + ||y||².
 * One MatMul streams X once (a Sub + Mul + ReduceSum over [s,m,d] wrote two X-sized intermediates per pass: a fit of
 * 400 square crops spent 70 s picking instead of 44 s for the coreset).
 */
function buildPoolDistanceModel(): Uint8Array {
  const g = new GraphBuilder("pool_dist");
  const yCol = g.op("Reshape", ["Y", g.constI64([0, -1, 1], "col")]); // [s,d,1]: same order as [s,1,d]
  const dots = g.op("Squeeze", [g.op("MatMul", ["X", yCol]), g.constI64([2], "axis2")]); // [s,m]
  const yn = g.op("ReduceSum", [g.op("Mul", ["Y", "Y"]), g.constI64([2], "axisD")], { keepdims: 0 }); // [s,1]
  g.op("Add", [g.op("Sub", ["XN", g.op("Add", [dots, dots])]), yn], {}, "D");
  return encodeModel(g.build(
    [valueInfo("X", DataType.FLOAT, ["s", "m", "d"]), valueInfo("XN", DataType.FLOAT, ["s", "m"]), valueInfo("Y", DataType.FLOAT, ["s", 1, "d"])],
    [valueInfo("D", DataType.FLOAT, ["s", "m"])],
    "pool_distances",
  ), { producer: "bdi-engine positional" });
}

/**
 * Weighted pool means and squared norms: X [s,m,d], W [s,1,m] (1 = a patch, 0 = padding) → Y [s,1,d] = W·X / ΣW (one
 * MatMul) and XN [s,m] = ||x||² (once per pool, for every distance pass).
 */
function buildPoolMeanModel(): Uint8Array {
  const g = new GraphBuilder("pool_mean");
  const count = g.op("ReduceSum", ["W", g.constI64([2], "axis2")], { keepdims: 1 }); // [s,1,1]
  g.op("Div", [g.op("MatMul", ["W", "X"]), count], {}, "Y");
  g.op("ReduceSum", [g.op("Mul", ["X", "X"]), g.constI64([2], "axisD")], { keepdims: 0 }, "XN");
  return encodeModel(g.build(
    [valueInfo("X", DataType.FLOAT, ["s", "m", "d"]), valueInfo("W", DataType.FLOAT, ["s", 1, "m"])],
    [valueInfo("Y", DataType.FLOAT, ["s", 1, "d"]), valueInfo("XN", DataType.FLOAT, ["s", "m"])],
    "pool_means",
  ), { producer: "bdi-engine positional" });
}

/**
 * Positional 1-NN of a run of T tiles: Q [nq,d] (the crop's features), QI [T·box] (the query at each position of each
 * tile's box), QSHAPE = [T, box, d], W [T,S,d] (the tiles' slots' vectors), BN [T,S,1] (||b||², FAR for padding and
 * left-out rows), MASK [1,S,box] (0 where the slot's cell is within the radius of the box position, else FAR)
 * → M [T,box] = min over the tile's slots of ||b||² − 2 q·b + mask.
 */
function buildPositionalSearchModel(): Uint8Array {
  const g = new GraphBuilder("knn_pos");
  const boxed = g.op("Transpose", [g.op("Reshape", [g.op("Gather", ["Q", "QI"], { axis: 0 }), "QSHAPE"])], { perm: [0, 2, 1] }); // [T,d,box]
  // −2 on the products, not on every query of every run: the same floats (a power of two scales each term and each
  // rounding exactly), and onnxruntime folds it into the MatMul (the Mul over Q was 6 % of the search's kernel time)
  const dots = g.op("Mul", [g.op("MatMul", ["W", boxed]), g.constF32([], [-2], "minus2")]);
  const s = g.op("Add", [g.op("Add", [dots, "BN"]), "MASK"]); // [T,S,box]
  g.op("ReduceMin", [s], { axes: [1], keepdims: 0 }, "M");
  return encodeModel(g.build(
    [
      valueInfo("Q", DataType.FLOAT, ["nq", "d"]), valueInfo("QI", DataType.INT64, ["tb"]), valueInfo("QSHAPE", DataType.INT64, [3]),
      valueInfo("W", DataType.FLOAT, ["T", "S", "d"]), valueInfo("BN", DataType.FLOAT, ["T", "S", 1]), valueInfo("MASK", DataType.FLOAT, [1, "S", "box"]),
    ],
    [valueInfo("M", DataType.FLOAT, ["T", "box"])],
    "knn_positional",
  ), { producer: "bdi-engine positional" });
}

/**
 * Squared norms of the query rows, times the channel weights where the index has them: Q [nq,d] (, W [d]) → QN [nq]
 * = Σ (w·q)². A 512 × 208 crop's 3,840 × 1,104 here 2.4 ms, in JS 4.3–6.9 ms plain and 10.8 ms weighted (float64
 * sums, session 30's CPU); float32 sums, which differ from those by float32 rounding (~1e-7 relative).
 */
function buildQueryNormsModel(weighted: boolean): Uint8Array {
  const g = new GraphBuilder("knn_pos_qn");
  const q = weighted ? g.op("Mul", ["Q", "W"]) : "Q";
  // Mul + ReduceSum, not ReduceSumSquare: features.ts measured the pair 3× faster
  g.op("ReduceSum", [g.op("Mul", [q, q]), g.constI64([1], "axis1")], { keepdims: 0 }, "QN");
  return encodeModel(g.build(
    [valueInfo("Q", DataType.FLOAT, ["nq", "d"]), ...(weighted ? [valueInfo("W", DataType.FLOAT, ["d"])] : [])],
    [valueInfo("QN", DataType.FLOAT, ["nq"])],
    "knn_positional_query_norms",
  ), { producer: "bdi-engine positional" });
}

/** Nearest bank row of each query: Q [q,d], B [n,d], BN [n] → A [q] (int64) = argmin ||b||² − 2 q·b. */
function buildArgNearestModel(): Uint8Array {
  const g = new GraphBuilder("knn_arg");
  const s = g.op("Add", [g.op("Gemm", ["Q", "B"], { transB: 1, alpha: { float: -2 } }), "BN"]);
  g.op("ArgMin", [s], { axis: 1, keepdims: 0 }, "A");
  return encodeModel(g.build(
    [valueInfo("Q", DataType.FLOAT, ["q", "d"]), valueInfo("B", DataType.FLOAT, ["n", "d"]), valueInfo("BN", DataType.FLOAT, ["n"])],
    [valueInfo("A", DataType.INT64, ["q"])],
    "knn_argmin",
  ), { producer: "bdi-engine positional" });
}

const sessions = new Map<string, Promise<ort.InferenceSession>>();
async function sessionFor(name: string, build: () => Uint8Array): Promise<ort.InferenceSession> {
  let s = sessions.get(name);
  if (!s) { s = createSession(build(), "cpu").then((r) => r.session); sessions.set(name, s); }
  return s;
}

/**
 * One fold's picks per grid cell: greedy k-center (first pick nearest the cell's mean, then farthest-first) over the
 * current picks and the next crops' patches at that cell, a few crops at a time so that one pool stays under
 * `poolFloats`. Picks from 10 random ones instead: bsdata image AUROC 0.956 instead of 0.973 (core's layout.ts).
 */
export class CellPicker {
  private picks = new Map<number, Float32Array[]>();
  private pending: ImageFeatures[] = [];
  candidates = 0;
  ms = 0;
  constructor(readonly dim: number, readonly perCell: number, readonly poolFloats = 48 * 1024 * 1024) {}

  async add(f: ImageFeatures): Promise<void> {
    this.pending.push(f);
    this.candidates += f.nValid;
    const crops = Math.max(1, Math.floor(this.poolFloats / Math.max(1, f.nValid * this.dim)) - this.perCell);
    if (this.pending.length >= crops) await this.reduce();
  }

  private async reduce(): Promise<void> {
    if (!this.pending.length) return;
    const t0 = performance.now();
    const d = this.dim, k = this.perCell;
    const pools = new Map<number, Float32Array[]>();
    for (const [cell, p] of this.picks) pools.set(cell, [...p]);
    for (const f of this.pending) {
      for (let j = 0; j < f.nValid; j++) {
        const cell = f.cells[j]!;
        let p = pools.get(cell);
        if (!p) { p = []; pools.set(cell, p); }
        p.push(f.feats.subarray(j * d, (j + 1) * d));
      }
    }
    this.pending = [];
    const full = [...pools].filter(([, p]) => p.length > k);
    for (const [cell, p] of pools) if (p.length <= k) this.picks.set(cell, p.map((v) => v.slice()));
    if (full.length) {
      const m = Math.max(...full.map(([, p]) => p.length)), s = full.length;
      const X = new Float32Array(s * m * d), W = new Float32Array(s * m);
      full.forEach(([, p], c) => p.forEach((v, j) => { X.set(v, (c * m + j) * d); W[c * m + j] = 1; }));
      const xt = new ort.Tensor("float32", X, [s, m, d]);
      const pooled = await (await sessionFor("mean", buildPoolMeanModel)).run({ X: xt, W: new ort.Tensor("float32", W, [s, 1, m]) });
      const mean = pooled.Y!.data as Float32Array, xn = pooled.XN!;
      const dist = async (Y: Float32Array) => (await (await sessionFor("dist", buildPoolDistanceModel)).run({ X: xt, XN: xn, Y: new ort.Tensor("float32", Y, [s, 1, d]) })).D!.data as Float32Array;
      const toMean = await dist(mean);
      const chosen = full.map(() => [] as number[]);
      const nearest = new Float64Array(s * m);
      const pick = (c: number, j: number, Y: Float32Array) => { chosen[c]!.push(j); Y.set(X.subarray((c * m + j) * d, (c * m + j + 1) * d), c * d); };
      let Y = new Float32Array(s * d);
      for (let c = 0; c < s; c++) {
        let best = -1;
        for (let j = 0; j < m; j++) if (W[c * m + j] && (best < 0 || toMean[c * m + j]! < toMean[c * m + best]!)) best = j;
        pick(c, best, Y);
      }
      nearest.fill(Infinity);
      for (let r = 1; r < k; r++) {
        const dj = await dist(Y);
        Y = new Float32Array(s * d);
        for (let c = 0; c < s; c++) {
          let far = -1;
          for (let j = 0; j < m; j++) {
            const i = c * m + j;
            if (!W[i]) continue;
            if (dj[i]! < nearest[i]!) nearest[i] = dj[i]!;
            if (far < 0 || nearest[i]! > nearest[c * m + far]!) far = j;
          }
          pick(c, far, Y);
        }
      }
      full.forEach(([cell], c) => this.picks.set(cell, chosen[c]!.map((j) => X.slice((c * m + j) * d, (c * m + j + 1) * d))));
    }
    this.ms += performance.now() - t0;
  }

  /** The picks as bank rows (cell-major) and the grid cell of each. */
  async finish(): Promise<{ vectors: Float32Array; cells: Uint32Array; n: number }> {
    await this.reduce();
    const cellList = [...this.picks.keys()].sort((a, b) => a - b);
    let n = 0;
    for (const c of cellList) n += this.picks.get(c)!.length;
    const vectors = new Float32Array(n * this.dim), cells = new Uint32Array(n);
    let o = 0;
    for (const c of cellList) for (const v of this.picks.get(c)!) { vectors.set(v, o * this.dim); cells[o++] = c; }
    return { vectors, cells, n };
  }
}

/**
 * Bank cells per tile side of the positional search. Each tile's picks are matched in one product against the queries
 * of the tile's cells and `radius` around them (its box), and a constant mask keeps the pairs within the radius. On
 * bsdata (32 crops' 38,400-row bank, 12 test crops of 3,840 queries, every tile in one run, p50): tiles of 3 / 4 / 5 /
 * 6 cells 46 / 42 / 59 / 67 ms; the search it replaced (a run per 8 × 8 query cells against the bank rows gathered
 * around them) 111 ms, same crops and machine.
 */
const TILE = 4;
/**
 * Gathered query floats per run (RUN_BOX_FLOATS / (box · dim) tiles: 118 at 1,104 channels, 3 runs for a 512 × 208
 * crop at 768), so that onnxruntime's arena holds ~70 MB, not ~150 MB (every tile in one run: the bench's peak RSS
 * 2,025 → 2,164–2,198 MB). Interleaved on 8 pitted bsdata crops, p50: 2M / 4M / 8M / 16M floats 57 / 52 / 50 / 51 ms,
 * every tile in one run 48 ms. The search reads the bank from its own tiled copy (the layout's `weights`): gathering
 * the tiles' rows from the bank in each run instead cost 62–78 ms.
 */
const RUN_BOX_FLOATS = 8 * 1024 * 1024;
/** Added to a pair's distance to keep it out of the minimum: padding slots, left-out rows, pairs beyond the radius. */
const FAR = 1e30;

/** The bank laid out for the search: tiles of TILE × TILE cells over the bank's bounding box, `slots` per tile. */
interface TileLayout {
  r0: number; c0: number; tileCols: number; tiles: number;
  /** picks per cell (the most any cell has) × TILE²: a tile's slots, padded */
  slots: number;
  /** cells per side of a tile's box (the tile and `radius` around it), and positions in it */
  boxSide: number; box: number;
  /** each tile's slots' vectors, [tiles, slots, dim] (0 for padding): the search's copy of the bank's rows */
  weights: Float32Array;
  /** the bank row in each slot, −1 for padding */
  slotRow: Int32Array;
  /** [slots, box]: 0 where the slot's cell is within the radius of the box position, else FAR */
  mask: Float32Array;
}

export interface PositionalIndex {
  /** the bank's rows until the layout holds them (then empty: `preparePositional`) */
  vectors: Float32Array; n: number; dim: number; grid: number; radius: number; cells: Uint32Array;
  sqNorms: Float32Array; rows: Float32Array; cols: Float32Array;
  /** the fit's fold of each row (the out-of-sample pass leaves one fold out of one index); absent in a served bank */
  folds?: Uint8Array;
  /**
   * Channel weights the index applies to its queries itself (a served registered ROI's, MemoryBank.channelWeights):
   * its queries are the head's features as they come, its layout holds each row times the weights and the query
   * norms are weighted, so that q·(w∘b) stands for (w∘q)·b — no pass of its own over a crop's features (weighting a
   * 512 × 208 crop's 3,840 × 1,104 in JS took 8.6 ms of its ~128 ms `/infer`, session 30). Absent: the queries come
   * weighted (the fit's out-of-sample pass) or the bank has no weights.
   */
  queryWeights?: Float32Array;
  /** the search's layout of the bank (its own copy of the rows), built on first use */
  layout?: TileLayout;
  /** each slot's ||b||², FAR where padding or in the fold left out, by fold left out (-1: none), built on first use */
  slotNorms: Map<number, Float32Array>;
}

export interface PositionalIndexOptions {
  /** cells around a query's own that its nearest patch is looked for in (default POSITIONAL_RADIUS) */
  radius?: number;
  /** the fit's fold of each row (PositionalIndex.folds) */
  folds?: Uint8Array;
  /** PositionalIndex.queryWeights */
  queryWeights?: Float32Array | null;
}

export function makePositionalIndex(
  vectors: Float32Array, cells: Uint32Array, n: number, dim: number, grid: number, opts: PositionalIndexOptions = {},
): PositionalIndex {
  const { radius = POSITIONAL_RADIUS, folds, queryWeights } = opts;
  if (vectors.length !== n * dim || cells.length !== n) throw new Error(`positional bank has ${vectors.length} floats and ${cells.length} cells, expected ${n}×${dim} and ${n}`);
  if (folds && folds.length !== n) throw new Error(`positional bank has ${folds.length} row folds for ${n} rows`);
  if (queryWeights && queryWeights.length !== dim) throw new Error(`positional bank has ${queryWeights.length} query weights for ${dim} channels`);
  const rows = new Float32Array(n), cols = new Float32Array(n);
  for (let i = 0; i < n; i++) { rows[i] = Math.floor(cells[i]! / grid); cols[i] = cells[i]! % grid; }
  return {
    vectors, n, dim, grid, radius, cells, sqNorms: rowSqNorms(vectors, n, dim), rows, cols,
    ...(folds ? { folds } : {}), ...(queryWeights ? { queryWeights } : {}), slotNorms: new Map(),
  };
}

function tileLayout(index: PositionalIndex): TileLayout {
  if (index.layout) return index.layout;
  const { n, dim: d, radius } = index;
  let r0 = Infinity, r1 = -1, c0 = Infinity, c1 = -1;
  const perCell = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    r0 = Math.min(r0, index.rows[i]!); r1 = Math.max(r1, index.rows[i]!); c0 = Math.min(c0, index.cols[i]!); c1 = Math.max(c1, index.cols[i]!);
    let list = perCell.get(index.cells[i]!);
    if (!list) { list = []; perCell.set(index.cells[i]!, list); }
    list.push(i);
  }
  let picks = 0;
  for (const list of perCell.values()) picks = Math.max(picks, list.length);
  const tileCols = Math.ceil((c1 - c0 + 1) / TILE), tiles = Math.ceil((r1 - r0 + 1) / TILE) * tileCols;
  const slots = TILE * TILE * picks, boxSide = TILE + 2 * radius, box = boxSide * boxSide;
  const slotRow = new Int32Array(tiles * slots).fill(-1);
  for (const list of perCell.values()) {
    const r = index.rows[list[0]!]! - r0, c = index.cols[list[0]!]! - c0;
    const first = (Math.floor(r / TILE) * tileCols + Math.floor(c / TILE)) * slots + ((r % TILE) * TILE + (c % TILE)) * picks;
    list.forEach((row, k) => { slotRow[first + k] = row; });
  }
  const weights = new Float32Array(tiles * slots * d);
  const w = index.queryWeights;
  slotRow.forEach((row, slot) => {
    if (row < 0) return;
    const v = index.vectors.subarray(row * d, (row + 1) * d);
    if (!w) weights.set(v, slot * d);
    else for (let c = 0, o = slot * d; c < d; c++) weights[o + c] = v[c]! * w[c]!;
  });
  const mask = new Float32Array(slots * box);
  for (let slot = 0; slot < slots; slot++) {
    const local = Math.floor(slot / picks), lr = Math.floor(local / TILE), lc = local % TILE;
    for (let p = 0; p < box; p++) {
      const br = Math.floor(p / boxSide) - radius, bc = (p % boxSide) - radius; // relative to the tile's first cell
      if (Math.max(Math.abs(lr - br), Math.abs(lc - bc)) > radius) mask[slot * box + p] = FAR;
    }
  }
  return (index.layout = { r0, c0, tileCols, tiles, slots, boxSide, box, weights, slotRow, mask });
}

function slotNorms(index: PositionalIndex, layout: TileLayout, skip: number): Float32Array {
  let out = index.slotNorms.get(skip);
  if (!out) {
    out = new Float32Array(layout.slotRow.length);
    layout.slotRow.forEach((row, i) => { out![i] = row < 0 || !kept(index, skip, row) ? FAR : index.sqNorms[row]!; });
    index.slotNorms.set(skip, out);
  }
  return out;
}

/** The index's rows outside fold `skip` (-1: every row). */
const kept = (index: PositionalIndex, skip: number, i: number) => skip < 0 || index.folds?.[i] !== skip;

/** Forgets what the search kept for fold `skip` left out (the out-of-sample pass is done with that fold). */
export function dropFold(index: PositionalIndex, skip: number): void {
  index.slotNorms.delete(skip);
}

/**
 * The rows outside fold `skip` as an exact 1-NN index over the layout's slots (padding and left-out rows at FAR). With
 * query weights its vectors are the rows times the weights: searched with the queries as they come and their weighted
 * norms, as the positional search is.
 */
function keptRows(index: PositionalIndex, layout: TileLayout, skip: number) {
  return { vectors: layout.weights, n: layout.slotRow.length, dim: index.dim, sqNorms: slotNorms(index, layout, skip), search: "exact" as const };
}

/**
 * Builds the search's layout now and lets go of the index's reference to the bank's rows, which the layout holds from
 * then on; returns the bytes the index keeps. A served bank can then drop its own copy (`serveBank` in pipeline.ts):
 * one copy of a registered ROI's rows in memory, not two.
 */
export function preparePositional(index: PositionalIndex): number {
  const L = tileLayout(index);
  index.vectors = new Float32Array(0);
  return L.weights.byteLength + L.mask.byteLength + L.slotRow.byteLength + index.sqNorms.byteLength + index.cells.byteLength;
}

/**
 * 1-NN Euclidean distance of each query patch to the bank rows within `radius` cells of its own cell (exact, fp32).
 * A query with no bank row that near (a crop larger than every training crop) gets its distance to the whole bank.
 * `skipFold` ≥ 0 leaves the rows of that fold out (index.folds): the same distances as an index of the other folds'
 * rows alone, without copying them. `feats` are weighted by the index itself where it has query weights.
 */
export async function positionalDistances(index: PositionalIndex, feats: Float32Array, cells: Uint32Array, nq: number, skipFold = -1): Promise<Float32Array> {
  const d = index.dim, g = index.grid;
  const out = new Float32Array(nq).fill(Infinity);
  if (!nq || !index.n) return out;
  const L = tileLayout(index);
  const search = await sessionFor("search", buildPositionalSearchModel);
  const Q = new ort.Tensor("float32", feats.length === nq * d ? feats : feats.subarray(0, nq * d), [nq, d]);
  const best = new Float32Array(nq).fill(Infinity);
  const norms = slotNorms(index, L, skipFold);
  // a crop has one query per cell; queries that share a cell (any caller's) are searched in further passes
  const layer = new Int32Array(nq), seen = new Map<number, number>();
  let layers = 1;
  for (let j = 0; j < nq; j++) {
    const k = seen.get(cells[j]!) ?? 0;
    seen.set(cells[j]!, k + 1);
    layer[j] = k;
    layers = Math.max(layers, k + 1);
  }
  for (let pass = 0; pass < layers; pass++) {
    // the query at each position of each tile's box (query 0 stands in for empty positions; their results are not read)
    const queryAt = new Int32Array(g * g).fill(-1);
    for (let j = 0; j < nq; j++) if (layer[j] === pass) queryAt[cells[j]!] = j;
    const QI = new BigInt64Array(L.tiles * L.box), who = new Int32Array(L.tiles * L.box).fill(-1);
    for (let t = 0; t < L.tiles; t++) {
      const top = L.r0 + Math.floor(t / L.tileCols) * TILE - index.radius, left = L.c0 + (t % L.tileCols) * TILE - index.radius;
      for (let p = 0; p < L.box; p++) {
        const r = top + Math.floor(p / L.boxSide), c = left + (p % L.boxSide);
        const j = r >= 0 && c >= 0 && r < g && c < g ? queryAt[r * g + c]! : -1;
        if (j >= 0) { QI[t * L.box + p] = BigInt(j); who[t * L.box + p] = j; }
      }
    }
    // a bounded number of tiles per run, so that the run's gathered queries (and onnxruntime's arena) stay small
    const per = Math.max(1, Math.floor(RUN_BOX_FLOATS / (L.box * d)));
    for (let t0 = 0; t0 < L.tiles; t0 += per) {
      const nt = Math.min(per, L.tiles - t0);
      const res = await search.run({
        Q, QI: new ort.Tensor("int64", QI.subarray(t0 * L.box, (t0 + nt) * L.box), [nt * L.box]),
        QSHAPE: new ort.Tensor("int64", BigInt64Array.of(BigInt(nt), BigInt(L.box), BigInt(d)), [3]),
        W: new ort.Tensor("float32", L.weights.subarray(t0 * L.slots * d, (t0 + nt) * L.slots * d), [nt, L.slots, d]),
        BN: new ort.Tensor("float32", norms.subarray(t0 * L.slots, (t0 + nt) * L.slots), [nt, L.slots, 1]),
        MASK: new ort.Tensor("float32", L.mask, [1, L.slots, L.box]),
      });
      const m = res.M!.data as Float32Array;
      for (let i = 0; i < nt * L.box; i++) {
        const j = who[t0 * L.box + i]!;
        if (j >= 0 && m[i]! < best[j]!) best[j] = m[i]!;
      }
    }
  }
  const w = index.queryWeights;
  const qn = (await (await sessionFor(w ? "qn-weighted" : "qn", () => buildQueryNormsModel(!!w))).run({
    Q, ...(w ? { W: new ort.Tensor("float32", w, [d]) } : {}),
  })).QN!.data as Float32Array;
  const orphans: number[] = [];
  for (let j = 0; j < nq; j++) {
    if (best[j]! >= FAR / 10) orphans.push(j);
    else out[j] = Math.sqrt(Math.max(0, best[j]! + qn[j]!));
  }
  if (orphans.length) {
    const q = new Float32Array(orphans.length * d);
    orphans.forEach((j, i) => q.set(feats.subarray(j * d, (j + 1) * d), i * d));
    const all = await nearestDistances(keptRows(index, L, skipFold), q, orphans.length, { queryNorms: Float32Array.from(orphans, (j) => qn[j]!) });
    orphans.forEach((j, i) => { out[j] = all[i]!; });
  }
  return out;
}

/** A crop's features as the registration probe keeps them: every cell, or an even share of a large crop's (probeCellStep). */
export type ProbeCrop = Pick<ImageFeatures, "feats" | "cells" | "nValid">;
export function probeSample(f: ProbeCrop, dim: number): ProbeCrop {
  const step = probeCellStep(f.nValid);
  if (step === 1) return f;
  const n = Math.ceil(f.nValid / step);
  const feats = new Float32Array(n * dim), cells = new Uint32Array(n);
  for (let k = 0, i = 0; i < f.nValid; i += step, k++) {
    feats.set(f.feats.subarray(i * dim, (i + 1) * dim), k * dim);
    cells[k] = f.cells[i]!;
  }
  return { feats, cells, nValid: n };
}

/**
 * The probe's distance block (query rows × bank rows, floats): onnxruntime's arena keeps its largest intermediates for
 * the fit process's life. 16 M floats put a fit of 100 square crops at 1,318 MiB peak RSS, 4 M at 1,207 (1,057
 * unprobed; `.lab`-style fit of the bench's crops, session 27).
 */
const PROBE_BLOCK_FLOATS = 4 * 1024 * 1024;

/**
 * The registration probe: each of the first REGISTRATION_PROBE_CROPS crops' patches (every `step`-th) against the
 * other probe crops' patches, and the share whose nearest patch lies within `radius` cells of their own (core's
 * registrationShare); crops pass through `probeSample` first. 6 crops: bsdata_pitting 0.94–0.97, kolektorsdd_crack
 * 0.06–0.08 (three draws each); cut square (9,216 cells at 768, every 3rd cell kept) bsdata's 208 × 208 middles /
 * right ends 0.705 / 0.766, kolektorsdd's w × w thirds 0.015.
 */
export async function probeRegistration(crops: ProbeCrop[], grid: number, dim: number, radius = POSITIONAL_RADIUS, step = 4): Promise<number> {
  const probe = crops.slice(0, REGISTRATION_PROBE_CROPS);
  if (probe.length < 2) return 0;
  const s = await sessionFor("argmin", buildArgNearestModel);
  const queryCells: number[] = [], nearestCells: number[] = [];
  for (let j = 0; j < probe.length; j++) {
    const others = probe.filter((_, i) => i !== j);
    const n = others.reduce((a, f) => a + f.nValid, 0);
    const B = new Float32Array(n * dim), BCell = new Uint32Array(n);
    let o = 0;
    for (const f of others) { B.set(f.feats.subarray(0, f.nValid * dim), o * dim); BCell.set(f.cells.subarray(0, f.nValid), o); o += f.nValid; }
    const bt = new ort.Tensor("float32", B, [n, dim]), bn = new ort.Tensor("float32", rowSqNorms(B, n, dim), [n]);
    const f = probe[j]!;
    const picks: number[] = [];
    for (let i = 0; i < f.nValid; i += step) picks.push(i);
    const chunk = Math.max(1, Math.floor(PROBE_BLOCK_FLOATS / n));
    for (let c = 0; c < picks.length; c += chunk) {
      const part = picks.slice(c, c + chunk);
      const Q = new Float32Array(part.length * dim);
      part.forEach((i, k) => Q.set(f.feats.subarray(i * dim, (i + 1) * dim), k * dim));
      const a = (await s.run({ Q: new ort.Tensor("float32", Q, [part.length, dim]), B: bt, BN: bn })).A!.data as BigInt64Array;
      part.forEach((i, k) => { queryCells.push(f.cells[i]!); nearestCells.push(BCell[Number(a[k]!)]!); });
    }
  }
  return registrationShare(queryCells, nearestCells, grid, radius);
}
