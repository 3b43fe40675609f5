// 1-NN (Euclidean) distances in onnxruntime: min_j ||q||² + ||b_j||² − 2 q·b_j, chunked so the distance matrix
// held at once stays bounded. Two searches:
//   exact — fp32 Gemm over the whole bank (the reference);
//   int8  — the bank, in its search basis (search-basis.ts: its principal directions, or a channel subset),
//           quantised per row to int8 once, baked into a per-bank session as a constant (onnxruntime pre-packs it),
//           queries projected and quantised on the fly (0…127: QUERY_LEVELS), MatMulInteger gives approximate
//           distances, the K nearest candidates of each query are re-ranked with exact fp32 distances. The returned
//           distance is always an exact distance to a bank vector; it is the nearest one unless the true nearest is
//           not among the K candidates (README: measured agreement). ~3× less time on AVX-512 VNNI CPUs.
import ort from "onnxruntime-node";
import { DataType, GraphBuilder, encodeModel, valueInfo } from "@bdi/models";
import { createSession, sessionOptions } from "./backbone.ts";
import { searchBasis, searchDims, type SearchBasis } from "./search-basis.ts";

import { KNN_SEARCHES, type KnnSearch } from "./knn-search.ts";

export { DEFAULT_KNN_SEARCH, KNN_SEARCHES, type KnnSearch } from "./knn-search.ts";
/**
 * Candidates re-ranked exactly per query in the int8 search. 12 missed the nearest vector of 4 patches in 61,440
 * (16 bsdata test crops at 768, capped bank of 16.4k; off by up to 4.4e-3); 16 missed none there nor on kolektorsdd.
 */
export const INT8_CANDIDATES = 16;
/**
 * Bank rows per candidate group of the two-stage top-K (buildInt8SearchModel): fewer groups to rank, more rows in each
 * chosen one; the same candidates whatever the size. One square crop's 9,216 queries against a 16.4k bank, sessions
 * alternating in one process (p50 of 12): groups of 16 / 32 / 64 rows 194.6 / 178.3 / 184.1 ms, 16 / 32 again 192.7 /
 * 181.6 ms; `npm run bench`'s 1-NN of that crop 198.4, 198.3 → 183.5, 188.6 ms (its `/infer` within the runs' spread).
 */
const CANDIDATE_GROUP = 32;
/** Below this many bank vectors the exact search is faster (TopK + gather cost more than they save): 1k 7 vs 12 ms. */
export const INT8_MIN_BANK = 4096;

export interface KnnOptions {
  device?: string; threads?: number; /** max floats of one distance block (default: exact 8M = 32 MB, int8 INT8_BLOCK_FLOATS) */ blockFloats?: number;
  /**
   * The queries' squared norms in the metric of the index's vectors (the exact search only), where that is not their
   * own: a positional index whose vectors are its rows times query weights (positional.ts). Default: their own.
   */
  queryNorms?: Float32Array;
}

let knnSession: Promise<{ session: ort.InferenceSession; device: string }> | null = null;
let knnKey = "";

/** Graph: Q [nq,d], B [nb,d], BN [nb] → min over j of (BN_j − 2 Q·B_jᵀ) [nq] (the ||q||² term is added outside). */
export function buildKnnModel(): Uint8Array {
  const g = new GraphBuilder("knn");
  const prod = g.op("Gemm", ["Q", "B"], { transB: 1, alpha: { float: -2 } });
  const s = g.op("Add", [prod, "BN"]);
  g.op("ReduceMin", [s], { axes: [1], keepdims: 0 }, "M");
  return encodeModel(g.build(
    [valueInfo("Q", DataType.FLOAT, ["nq", "d"]), valueInfo("B", DataType.FLOAT, ["nb", "d"]), valueInfo("BN", DataType.FLOAT, ["nb"])],
    [valueInfo("M", DataType.FLOAT, ["nq"])],
    "knn_min",
  ), { producer: "bdi-engine knn" });
}

async function session(opts: KnnOptions) {
  const key = `${opts.device ?? "cpu"}|${opts.threads ?? 0}`;
  if (!knnSession || knnKey !== key) {
    knnKey = key;
    knnSession = createSession(buildKnnModel(), opts.device ?? "cpu", opts.threads);
  }
  return (await knnSession).session;
}

/**
 * Squared norms of the rows of a [n,d] matrix, summed in float64 and rounded once. Four partial sums instead of one:
 * a crop's 3,840 × 1,104 features 12.4 → 5.6 ms (the positional search's query norms until session 30, which moved
 * them into onnxruntime: positional.ts), and the same float32 result
 * for every one of 90,432 rows of real features of both dev sets (the order changes the float64 sum by ~1e-16
 * relative, far under float32's rounding).
 */
export function rowSqNorms(x: Float32Array, n: number, d: number): Float32Array {
  const out = new Float32Array(n);
  const d4 = d - (d % 4);
  for (let i = 0; i < n; i++) {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    const o = i * d, e4 = o + d4, e = o + d;
    let k = o;
    for (; k < e4; k += 4) {
      const a = x[k]!, b = x[k + 1]!, c = x[k + 2]!, f = x[k + 3]!;
      s0 += a * a; s1 += b * b; s2 += c * c; s3 += f * f;
    }
    for (; k < e; k++) s0 += x[k]! * x[k]!;
    out[i] = s0 + s1 + (s2 + s3);
  }
  return out;
}

/** A bank prepared for repeated searches (norms precomputed once; the int8 session built on first use). */
export interface KnnIndex {
  vectors: Float32Array; n: number; dim: number; sqNorms: Float32Array; search: KnnSearch;
  int8?: Promise<ort.InferenceSession>;
}

export function makeIndex(vectors: Float32Array, n: number, dim: number, search: KnnSearch = "exact"): KnnIndex {
  if (vectors.length !== n * dim) throw new Error(`bank has ${vectors.length} floats, expected ${n}×${dim}`);
  if (!KNN_SEARCHES.includes(search)) throw new Error(`unknown 1-NN search ${search}`);
  return { vectors, n, dim, sqNorms: rowSqNorms(vectors, n, dim), search };
}

/** Rows of `input` [m,d] in the basis's search coordinates [m,ds], in graph `g` (the basis's constants baked in). */
function searchCoordinates(g: GraphBuilder, basis: SearchBasis, input: string, d: number): string {
  if (basis.kind === "channels") {
    return basis.channels.length === d ? input : g.op("Gather", [input, g.constI64(Array.from(basis.channels), "channels")], { axis: 1 });
  }
  return g.op("Sub", [g.op("MatMul", [input, g.constF32([d, basis.dims], basis.matrix, "basis")]), g.constF32([basis.dims], basis.offset, "basis_offset")]);
}

/**
 * Graph: B [nb,d] → its rows in the search coordinates of `basis`, quantised per row to symmetric int8: BQ int8
 * [nb,ds], scales BS [nb], and the squared norms of the coordinates SN [nb].
 */
export function buildQuantizeBankModel(basis: SearchBasis, d: number): Uint8Array {
  const g = new GraphBuilder("quant");
  const sub = searchCoordinates(g, basis, "B", d);
  const max = g.op("ReduceMax", [g.op("Abs", [sub])], { axes: [1], keepdims: 1 });
  const scale = g.op("Div", [g.op("Max", [max, g.constF32([], [1e-12], "tiny")]), g.constF32([], [127], "q")]);
  g.op("Cast", [g.op("Round", [g.op("Div", [sub, scale])])], { to: DataType.INT8 }, "BQ");
  g.op("Reshape", [scale, g.constI64([-1], "flat")], {}, "BS");
  g.op("ReduceSum", [g.op("Mul", [sub, sub]), g.constI64([1], "axis1")], { keepdims: 0 }, "SN");
  const ds = searchDims(basis);
  return encodeModel(g.build(
    [valueInfo("B", DataType.FLOAT, ["nb", d])],
    [valueInfo("BQ", DataType.INT8, ["nb", ds]), valueInfo("BS", DataType.FLOAT, ["nb"]), valueInfo("SN", DataType.FLOAT, ["nb"])],
    "knn_quantize_bank",
  ), { producer: "bdi-engine knn" });
}

/** Rows quantised per run: bounds the quantisation's intermediates (~4 × rows × d floats). */
const QUANT_ROWS = 4096;

/**
 * The int8 form of a bank: its search basis, its rows in it quantised (bq [n,ds], per-row scales), the norms the
 * candidate product ranks with (searchNorms) and the rows' exact fp32 squared norms (the re-rank's).
 */
export interface Int8Bank { bq: Int8Array; scales: Float32Array; searchNorms: Float32Array; sqNorms: Float32Array; n: number; dim: number; basis: SearchBasis }

const bytes = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** Norms padded to `np` rows with +huge: a padding row is never a candidate. */
function paddedNorms(x: Float32Array, np: number): Float32Array {
  const out = new Float32Array(np).fill(3e38);
  out.set(x);
  return out;
}

/**
 * Levels of the queries' uint8 codes: 0…127, not DynamicQuantizeLinear's 0…255. On x86 CPUs with AVX2 but no VNNI
 * (AMD Zen 2/3, Intel before Ice Lake), onnxruntime's u8 × s8 kernel (VPMADDUBSW) adds each pair of byte products
 * into a saturating int16: a query code of 255 against bank levels of 127 gives 64,770, clipped to 32,767. On such a
 * CPU the candidates ranked by those products missed the nearest row of 96 in 500 clustered test queries
 * (knn.test.ts), and kolektorsdd's false-reject rate at 95 % recall read 48.4 % instead of 41.9 %. With codes ≤ 127
 * a pair is at most 2 · 127 · 127 = 32,258: exact on every kernel, so every CPU ranks the same candidates as a
 * VNNI one (whose VPDPBUSD never saturated). Against the exact search, every patch of both dev sets' test crops
 * (global banks of 100 crops): the same 4 of 614,400 bsdata patches missed as with 8-bit codes on a VNNI CPU (by up
 * to 1.4e-3), none of kolektorsdd's 411,072; halving the bank's levels instead (±63) missed 8, by up to 7.0e-3.
 */
export const QUERY_LEVELS = 127;

/**
 * Q's search coordinates X [m,ds] → QU uint8 (0…QUERY_LEVELS), QS (scale) and QZ (zero point), one scale for the run
 * as DynamicQuantizeLinear would give (its range holds 0), with QUERY_LEVELS steps instead of 255.
 */
function quantizeQueries(g: GraphBuilder, x: string): void {
  const zero = g.constF32([], [0], "q_zero"), top = g.constF32([], [QUERY_LEVELS], "q_levels");
  const lo = g.op("Min", [g.op("ReduceMin", [x], { keepdims: 0 }), zero]), hi = g.op("Max", [g.op("ReduceMax", [x], { keepdims: 0 }), zero]);
  const scale = g.op("Div", [g.op("Max", [g.op("Sub", [hi, lo]), g.constF32([], [1e-12], "q_tiny")]), top], {}, "QS");
  const zp = g.op("Clip", [g.op("Round", [g.op("Div", [g.op("Neg", [lo]), scale])]), zero, top]);
  g.op("Cast", [zp], { to: DataType.UINT8 }, "QZ");
  g.op("Cast", [g.op("Clip", [g.op("Add", [g.op("Round", [g.op("Div", [x, scale])]), zp]), zero, top])], { to: DataType.UINT8 }, "QU");
}

/**
 * The int8 candidate product in graph `g`: constants BQ int8 [np,ds] (the bank's rows in search coordinates, padded
 * to a whole number of groups of `group` rows; transposed by onnxruntime's constant folding at load), BS2 =
 * −2·scales and AN = the search norms (named BN when they are the exact ||b||²; padding: +huge, never a candidate);
 * input Q [nq,d], taken to the search coordinates (q_s) → approx [nq,np] ≈ AN − 2 q_s·b_s (fp32 out of MatMulInteger).
 */
function int8Product(g: GraphBuilder, bank: Int8Bank, group: number): { approx: string; np: number } {
  const { n, dim: d, basis } = bank;
  const ds = searchDims(basis);
  const np = Math.ceil(n / group) * group;
  const bq = new Int8Array(np * ds);
  bq.set(bank.bq);
  const bs2 = new Float32Array(np);
  for (let i = 0; i < n; i++) bs2[i] = -2 * bank.scales[i]!;
  g.inits.push({ name: "BQ", dims: [np, ds], data_type: DataType.INT8, raw_data: bytes(bq) });
  g.inits.push({ name: "BS2", dims: [np], data_type: DataType.FLOAT, raw_data: bytes(bs2) });
  // a channel subset ranks with the exact norms: one constant serves the product and the re-rank
  const an = bank.searchNorms === bank.sqNorms ? "BN" : "AN";
  g.inits.push({ name: an, dims: [np], data_type: DataType.FLOAT, raw_data: bytes(paddedNorms(bank.searchNorms, np)) });
  quantizeQueries(g, searchCoordinates(g, basis, "Q", d));
  const bqt = g.op("Transpose", ["BQ"], { perm: [1, 0] });
  const dots = g.op("Cast", [g.op("MatMulInteger", ["QU", bqt, "QZ"])], { to: DataType.FLOAT });
  return { approx: g.op("Add", [g.op("Mul", [dots, g.op("Mul", ["BS2", "QS"])]), an]), np };
}

/**
 * The int8 search's candidate product and one minimum per query, nothing else: no top-K, no exact re-rank (so not a
 * search; its minimum is approximate, and in a principal basis a distance in that basis less ||q_s||²). `npm run
 * bench` times it beside `/infer` as the part of the 1-NN this method cannot shed. Q [nq,d] → M [nq].
 */
export function buildInt8ProductModel(bank: Int8Bank): Uint8Array {
  const g = new GraphBuilder("knn8p");
  const { approx } = int8Product(g, bank, CANDIDATE_GROUP);
  g.op("ReduceMin", [approx], { axes: [1], keepdims: 0 }, "M");
  return encodeModel(g.build([valueInfo("Q", DataType.FLOAT, ["nq", bank.dim])], [valueInfo("M", DataType.FLOAT, ["nq"])], "knn_int8_product"), { producer: "bdi-engine knn" });
}

/**
 * Graph for one bank (int8 search): the candidate product (int8Product) of Q [nq,d], then the K candidates, re-ranked
 * with exact fp32 distances from input B [nb,d] (the bank, all d channels) → M [nq] = min over the K candidates of
 * ||b − q||².
 *
 * The K candidates are the K smallest approximate distances, found in two stages: the minimum of each group of
 * `group` rows (rows j, j + np/group, …), the K best groups, then the K best of their K·group rows. Any K smallest
 * values lie in at most K groups, each with a minimum no larger than the K-th value, so the result is the same set
 * as one TopK over all np values, which cost 30 % of the search (TopK over 16k values per query).
 */
export function buildInt8SearchModel(bank: Int8Bank, k: number, group: number): Uint8Array {
  const { n, dim: d } = bank;
  const g = new GraphBuilder("knn8");
  const { approx, np } = int8Product(g, bank, group);
  if (!g.inits.some((t) => t.name === "BN")) g.inits.push({ name: "BN", dims: [np], data_type: DataType.FLOAT, raw_data: bytes(paddedNorms(bank.sqNorms, np)) });
  const ng = np / group;
  const topK = (values: string, count: number, out: [string, string]) => g.nodes.push({
    input: [values, g.constI64([count], "k")], output: out, name: out[0], op_type: "TopK",
    attribute: [{ name: "largest", type: 2, i: 0 }, { name: "sorted", type: 2, i: 0 }],
  });
  // group j = rows {j + t·ng}: the minimum over t is a contiguous, vectorised pass
  const groupMin = g.op("ReduceMin", [g.op("Reshape", [approx, g.constI64([0, group, ng], "groups")])], { axes: [1], keepdims: 0 });
  const kGroups = Math.min(k, ng);
  topK(groupMin, kGroups, ["GV", "GI"]);
  const offsets = g.constI64(Array.from({ length: group }, (_, t) => t * ng), "offsets", [1, 1, group]);
  const members = g.op("Reshape", [g.op("Add", [g.op("Unsqueeze", ["GI", g.constI64([2], "axis")]), offsets]), g.constI64([0, -1], "flat")]); // [nq, K·group]
  topK(g.op("GatherElements", [approx, members], { axis: 1 }), Math.min(k, n), ["TV", "TL"]);
  const ti = g.op("GatherElements", [members, "TL"], { axis: 1 }); // [nq,K] bank rows
  // re-rank: ||q||² + ||b||² − 2 q·b with q·b from one batched MatMul over the gathered candidates (a Sub +
  // ReduceSumSquare over [nq,K,d] cost twice as much: 11 vs ~5 ms for 1024 queries)
  const cand = g.op("Gather", ["B", ti], { axis: 0 }); // [nq,K,d]
  const candDots = g.op("Squeeze", [g.op("MatMul", [cand, g.op("Unsqueeze", ["Q", g.constI64([2], "axis")])]), g.constI64([2], "axis")]); // [nq,K]
  const exact = g.op("Sub", [g.op("Gather", ["BN", ti], { axis: 0 }), g.op("Add", [candDots, candDots])]);
  const qn = g.op("ReduceSum", [g.op("Mul", ["Q", "Q"]), g.constI64([1], "axis1")], { keepdims: 0 }); // ReduceSumSquare's kernel is ~3× slower (features.ts)
  g.op("Add", [g.op("ReduceMin", [exact], { axes: [1], keepdims: 0 }), qn], {}, "M");
  return encodeModel(g.build(
    [valueInfo("Q", DataType.FLOAT, ["nq", d]), valueInfo("B", DataType.FLOAT, [n, d])],
    [valueInfo("M", DataType.FLOAT, ["nq"])],
    "knn_int8",
  ), { producer: "bdi-engine knn" });
}

/**
 * The bank quantised for the int8 search: its search basis (searchBasis), then its rows in that basis quantised, in
 * onnxruntime. A principal basis ranks the candidates by their distance in it (searchNorms: the coordinates' norms);
 * a channel subset by ||b||² − 2 q_s·b_s, as it did before principal bases (measured exact with that).
 */
export async function quantizeBank(index: Pick<KnnIndex, "vectors" | "n" | "dim" | "sqNorms">, threads?: number): Promise<Int8Bank> {
  const { n, dim, vectors } = index;
  const basis = await searchBasis(vectors, n, dim, threads);
  const ds = searchDims(basis);
  // its own session (the basis is baked in), without a memory arena: it runs once per bank
  const session = await ort.InferenceSession.create(buildQuantizeBankModel(basis, dim), { ...sessionOptions(threads), enableCpuMemArena: false });
  const bq = new Int8Array(n * ds);
  const scales = new Float32Array(n), norms = new Float32Array(n);
  try {
    for (let r0 = 0; r0 < n; r0 += QUANT_ROWS) {
      const m = Math.min(QUANT_ROWS, n - r0);
      const q = await session.run({ B: new ort.Tensor("float32", vectors.subarray(r0 * dim, (r0 + m) * dim), [m, dim]) });
      bq.set(q.BQ!.data as Int8Array, r0 * ds);
      scales.set(q.BS!.data as Float32Array, r0);
      norms.set(q.SN!.data as Float32Array, r0);
    }
  } finally {
    await session.release();
  }
  return { bq, scales, searchNorms: basis.kind === "projection" ? norms : index.sqNorms, sqNorms: index.sqNorms, n, dim, basis };
}

function int8Session(index: KnnIndex, opts: KnnOptions): Promise<ort.InferenceSession> {
  index.int8 ??= (async () => {
    const model = buildInt8SearchModel(await quantizeBank(index, opts.threads), INT8_CANDIDATES, CANDIDATE_GROUP);
    return (await createSession(model, opts.device ?? "cpu", opts.threads)).session;
  })();
  index.int8.catch(() => { index.int8 = undefined; });
  return index.int8;
}

/** Frees the index's native memory now (the per-bank int8 session) instead of whenever the GC gets to it. */
export async function releaseIndex(index: KnnIndex): Promise<void> {
  const s = index.int8;
  index.int8 = undefined;
  if (s) await (await s.catch(() => null))?.release();
}

/** Builds what the index's search needs (the per-bank int8 session) ahead of the first query. */
export async function prepareIndex(index: KnnIndex, opts: KnnOptions = {}): Promise<void> {
  if (index.search === "int8" && index.n >= INT8_MIN_BANK) await int8Session(index, opts);
}

/**
 * Floats of one int8 run's approximate distance block (4M = 16 MB). The block also sets how many candidate rows a run
 * gathers (queries × K × d): with 8M blocks (a 16.4k bank's 511 queries, 36 MB gathered) the candidates' Gather took
 * 3.35 ms of each ~12 ms run (onnxruntime's profile; 1.05 ms with 12 candidates, 27 MB), and a square crop's 1-NN
 * (9,216 queries) 230.1 / 228.5 ms against 205.9 / 191.5 ms with 4M (`npm run bench`, alternating, Intel Xeon; 2M
 * and 3M within the runs' spread of 4M, smaller blocks slower: each run has its fixed cost). The distances are the same.
 * With candidate groups of 32 rows 4M and 8M measured alike (181.6 / 180.4 ms); 4M holds half the memory.
 */
export const INT8_BLOCK_FLOATS = 4 * 1024 * 1024;

/** Queries per run of an int8 session: its approximate distance block is that many × n floats. */
export function int8QueryChunk(n: number, nq: number, blockFloats = INT8_BLOCK_FLOATS): number {
  return Math.max(1, Math.min(nq, Math.floor(blockFloats / n)));
}

async function nearestInt8(index: KnnIndex, queries: Float32Array, nq: number, opts: KnnOptions): Promise<Float32Array> {
  const d = index.dim;
  const s = await int8Session(index, opts);
  const out = new Float32Array(nq);
  const qChunk = int8QueryChunk(index.n, nq, opts.blockFloats);
  const B = new ort.Tensor("float32", index.vectors, [index.n, d]);
  for (let q0 = 0; q0 < nq; q0 += qChunk) {
    const m = Math.min(qChunk, nq - q0);
    const r = await s.run({ Q: new ort.Tensor("float32", queries.subarray(q0 * d, (q0 + m) * d), [m, d]), B });
    const md = r.M!.data as Float32Array;
    for (let i = 0; i < m; i++) out[q0 + i] = Math.sqrt(Math.max(0, md[i]!));
  }
  return out;
}

/** 1-NN Euclidean distance of each query row to the bank (the index's search: exact, or int8 + exact re-rank). */
export async function nearestDistances(index: KnnIndex, queries: Float32Array, nq: number, opts: KnnOptions = {}): Promise<Float32Array> {
  const d = index.dim;
  if (queries.length !== nq * d) throw new Error(`queries have ${queries.length} floats, expected ${nq}×${d}`);
  const out = new Float32Array(nq).fill(Infinity);
  if (nq === 0 || index.n === 0) return out;
  if (index.search === "int8" && index.n >= INT8_MIN_BANK) {
    if (opts.queryNorms) throw new Error("query norms are for the exact search only");
    return nearestInt8(index, queries, nq, opts);
  }
  const s = await session(opts);
  const block = opts.blockFloats ?? 8 * 1024 * 1024;
  const qChunk = Math.max(1, Math.min(nq, 4096));
  const bChunk = Math.max(256, Math.min(index.n, Math.floor(block / qChunk)));
  const qn = opts.queryNorms ?? rowSqNorms(queries, nq, d);
  if (qn.length !== nq) throw new Error(`${qn.length} query norms for ${nq} queries`);
  for (let q0 = 0; q0 < nq; q0 += qChunk) {
    const qn_ = Math.min(qChunk, nq - q0);
    const Q = new ort.Tensor("float32", queries.subarray(q0 * d, (q0 + qn_) * d), [qn_, d]);
    for (let b0 = 0; b0 < index.n; b0 += bChunk) {
      const bn = Math.min(bChunk, index.n - b0);
      const B = new ort.Tensor("float32", index.vectors.subarray(b0 * d, (b0 + bn) * d), [bn, d]);
      const BN = new ort.Tensor("float32", index.sqNorms.subarray(b0, b0 + bn), [bn]);
      const r = await s.run({ Q, B, BN });
      const m = r.M.data as Float32Array;
      for (let i = 0; i < qn_; i++) if (m[i] < out[q0 + i]) out[q0 + i] = m[i];
    }
  }
  for (let i = 0; i < nq; i++) out[i] = Math.sqrt(Math.max(0, out[i] + qn[i]));
  return out;
}

/** Brute-force JS reference (tests only). */
export function nearestDistancesReference(bank: Float32Array, n: number, queries: Float32Array, nq: number, d: number): Float32Array {
  const out = new Float32Array(nq);
  for (let i = 0; i < nq; i++) {
    let best = Infinity;
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) { const t = queries[i * d + k] - bank[j * d + k]; s += t * t; }
      if (s < best) best = s;
    }
    out[i] = Math.sqrt(best);
  }
  return out;
}
