// The positional memory (@bdi/core BankLayout "positional", for registered ROIs): per grid cell a few OK patches
// picked by k-center, and a 1-NN that matches a query patch only against the cells within `radius` of its own.
// Also the registration probe that tells a fit whether a ROI's crops are registered. All arithmetic in onnxruntime.
import ort from "onnxruntime-node";
import { DataType, GraphBuilder, encodeModel, valueInfo } from "@bdi/models";
import { POSITIONAL_RADIUS, REGISTRATION_PROBE_CROPS, registrationShare } from "@bdi/core";
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
 * Positional 1-NN of one tile of queries: B [n,d], BN [n] (||b||²), BR/BC [n] (bank cells' row and column), I [m]
 * (the bank rows near the tile), Q [q,d], QR/QC [q,1], RAD [1] → M [q] = min over the candidates within RAD cells
 * (Chebyshev) of ||b||² − 2 q·b; ≥ 1e29 where none is.
 */
function buildPositionalSearchModel(): Uint8Array {
  const g = new GraphBuilder("knn_pos");
  const cand = g.op("Gather", ["B", "I"], { axis: 0 });
  const at = (x: string) => g.op("Gather", [x, "I"], { axis: 0 });
  const s = g.op("Add", [g.op("Gemm", ["Q", cand], { transB: 1, alpha: { float: -2 } }), at("BN")]);
  const cheb = g.op("Max", [g.op("Abs", [g.op("Sub", ["QR", at("BR")])]), g.op("Abs", [g.op("Sub", ["QC", at("BC")])])]);
  const far = g.op("Mul", [g.op("Cast", [g.op("Greater", [cheb, "RAD"])], { to: DataType.FLOAT }), g.constF32([], [1e30], "far")]);
  g.op("ReduceMin", [g.op("Add", [s, far])], { axes: [1], keepdims: 0 }, "M");
  return encodeModel(g.build(
    [
      valueInfo("B", DataType.FLOAT, ["n", "d"]), valueInfo("BN", DataType.FLOAT, ["n"]), valueInfo("BR", DataType.FLOAT, ["n"]),
      valueInfo("BC", DataType.FLOAT, ["n"]), valueInfo("I", DataType.INT64, ["m"]), valueInfo("Q", DataType.FLOAT, ["q", "d"]),
      valueInfo("QR", DataType.FLOAT, ["q", 1]), valueInfo("QC", DataType.FLOAT, ["q", 1]), valueInfo("RAD", DataType.FLOAT, [1]),
    ],
    [valueInfo("M", DataType.FLOAT, ["q"])],
    "knn_positional",
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

/** Query cells per tile side: a tile's candidates are the bank rows within `radius` of its (tile + 2·radius)² cells. */
const TILE = 8;
const tileKey = (tileRow: number, tileCol: number) => tileRow * 65536 + tileCol;

export interface PositionalIndex {
  vectors: Float32Array; n: number; dim: number; grid: number; radius: number; cells: Uint32Array;
  sqNorms: Float32Array; rows: Float32Array; cols: Float32Array;
  /** the fit's fold of each row (the out-of-sample pass leaves one fold out of one index); absent in a served bank */
  folds?: Uint8Array;
  /** bank rows near each tile (by fold left out, then tile key), built on first use */
  tiles: Map<number, Map<number, BigInt64Array>>;
}

export function makePositionalIndex(
  vectors: Float32Array, cells: Uint32Array, n: number, dim: number, grid: number, radius = POSITIONAL_RADIUS, folds?: Uint8Array,
): PositionalIndex {
  if (vectors.length !== n * dim || cells.length !== n) throw new Error(`positional bank has ${vectors.length} floats and ${cells.length} cells, expected ${n}×${dim} and ${n}`);
  if (folds && folds.length !== n) throw new Error(`positional bank has ${folds.length} row folds for ${n} rows`);
  const rows = new Float32Array(n), cols = new Float32Array(n);
  for (let i = 0; i < n; i++) { rows[i] = Math.floor(cells[i]! / grid); cols[i] = cells[i]! % grid; }
  return { vectors, n, dim, grid, radius, cells, sqNorms: rowSqNorms(vectors, n, dim), rows, cols, ...(folds ? { folds } : {}), tiles: new Map() };
}

/** The index's rows outside fold `skip` (-1: every row). */
const kept = (index: PositionalIndex, skip: number, i: number) => skip < 0 || index.folds?.[i] !== skip;

function tileCandidates(index: PositionalIndex, tr: number, tc: number, skip: number): BigInt64Array {
  const key = tileKey(tr, tc);
  let byTile = index.tiles.get(skip);
  if (!byTile) { byTile = new Map(); index.tiles.set(skip, byTile); }
  let c = byTile.get(key);
  if (!c) {
    const r0 = tr * TILE - index.radius, r1 = tr * TILE + TILE - 1 + index.radius;
    const c0 = tc * TILE - index.radius, c1 = tc * TILE + TILE - 1 + index.radius;
    const list: bigint[] = [];
    for (let i = 0; i < index.n; i++) {
      if (index.rows[i]! >= r0 && index.rows[i]! <= r1 && index.cols[i]! >= c0 && index.cols[i]! <= c1 && kept(index, skip, i)) list.push(BigInt(i));
    }
    c = BigInt64Array.from(list);
    byTile.set(key, c);
  }
  return c;
}

/** Forgets the candidate lists built with fold `skip` left out (the out-of-sample pass is done with that fold). */
export function dropFoldTiles(index: PositionalIndex, skip: number): void {
  index.tiles.delete(skip);
}

/** The rows outside fold `skip` as an exact 1-NN index: the whole bank's arrays, or (rare: orphan queries of the
 * out-of-sample pass) a copy of the kept rows. */
function keptRows(index: PositionalIndex, skip: number) {
  const { dim: d } = index;
  if (skip < 0 || !index.folds) return { vectors: index.vectors, n: index.n, dim: d, sqNorms: index.sqNorms, search: "exact" as const };
  const rows: number[] = [];
  for (let i = 0; i < index.n; i++) if (kept(index, skip, i)) rows.push(i);
  const vectors = new Float32Array(rows.length * d), sqNorms = new Float32Array(rows.length);
  rows.forEach((r, k) => { vectors.set(index.vectors.subarray(r * d, (r + 1) * d), k * d); sqNorms[k] = index.sqNorms[r]!; });
  return { vectors, n: rows.length, dim: d, sqNorms, search: "exact" as const };
}

/**
 * 1-NN Euclidean distance of each query patch to the bank rows within `radius` cells of its own cell (exact, fp32).
 * A query with no bank row that near (a crop larger than every training crop) gets its distance to the whole bank.
 * `skipFold` ≥ 0 leaves the rows of that fold out (index.folds): the same distances as an index of the other folds'
 * rows alone, without copying them.
 */
export async function positionalDistances(index: PositionalIndex, feats: Float32Array, cells: Uint32Array, nq: number, skipFold = -1): Promise<Float32Array> {
  const d = index.dim, g = index.grid;
  const out = new Float32Array(nq).fill(Infinity);
  if (!nq || !index.n) return out;
  const byTile = new Map<number, number[]>();
  for (let j = 0; j < nq; j++) {
    const r = Math.floor(cells[j]! / g), c = cells[j]! % g;
    const key = tileKey(Math.floor(r / TILE), Math.floor(c / TILE));
    let t = byTile.get(key);
    if (!t) { t = []; byTile.set(key, t); }
    t.push(j);
  }
  const s = await sessionFor("search", buildPositionalSearchModel);
  const shared = {
    B: new ort.Tensor("float32", index.vectors, [index.n, d]), BN: new ort.Tensor("float32", index.sqNorms, [index.n]),
    BR: new ort.Tensor("float32", index.rows, [index.n]), BC: new ort.Tensor("float32", index.cols, [index.n]),
    RAD: new ort.Tensor("float32", Float32Array.of(index.radius), [1]),
  };
  const qn = rowSqNorms(feats, nq, d);
  const orphans: number[] = [];
  for (const [key, qs] of byTile) {
    const I = tileCandidates(index, Math.floor(key / 65536), key % 65536, skipFold);
    if (!I.length) { orphans.push(...qs); continue; }
    const Q = new Float32Array(qs.length * d), QR = new Float32Array(qs.length), QC = new Float32Array(qs.length);
    qs.forEach((j, i) => { Q.set(feats.subarray(j * d, (j + 1) * d), i * d); QR[i] = Math.floor(cells[j]! / g); QC[i] = cells[j]! % g; });
    const r = await s.run({
      ...shared, I: new ort.Tensor("int64", I, [I.length]), Q: new ort.Tensor("float32", Q, [qs.length, d]),
      QR: new ort.Tensor("float32", QR, [qs.length, 1]), QC: new ort.Tensor("float32", QC, [qs.length, 1]),
    });
    const m = r.M!.data as Float32Array;
    qs.forEach((j, i) => { if (m[i]! >= 1e29) orphans.push(j); else out[j] = Math.sqrt(Math.max(0, m[i]! + qn[j]!)); });
  }
  if (orphans.length) {
    const q = new Float32Array(orphans.length * d);
    orphans.forEach((j, i) => q.set(feats.subarray(j * d, (j + 1) * d), i * d));
    const all = await nearestDistances(keptRows(index, skipFold), q, orphans.length);
    orphans.forEach((j, i) => { out[j] = all[i]!; });
  }
  return out;
}

/**
 * The registration probe: each of the first REGISTRATION_PROBE_CROPS crops' patches (every `step`-th) against the
 * other probe crops' patches, and the share whose nearest patch lies within `radius` cells of their own
 * (core's registrationShare). 6 crops: bsdata_pitting 0.94–0.97, kolektorsdd_crack 0.06–0.08 (three draws each).
 */
export async function probeRegistration(crops: ImageFeatures[], grid: number, dim: number, radius = POSITIONAL_RADIUS, step = 4): Promise<number> {
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
    const chunk = Math.max(1, Math.floor((16 * 1024 * 1024) / n)); // a distance block of ≤ 16M floats
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
