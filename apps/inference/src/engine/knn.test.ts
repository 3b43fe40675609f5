import { test } from "node:test";
import assert from "node:assert/strict";
import ort from "onnxruntime-node";
import { createSession } from "./backbone.ts";
import { buildInt8ProductModel, INT8_MIN_BANK, makeIndex, nearestDistances, nearestDistancesReference, prepareIndex, quantizeBank, QUERY_LEVELS, releaseIndex, rowSqNorms } from "./knn.ts";
import { orthonormalColumns } from "./search-basis.ts";
import { DataType, GraphBuilder, encodeModel, valueInfo } from "@bdi/models";

function lcg(seed: number) { let s = seed >>> 0; return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296); }

test("1-NN distances in onnxruntime equal a brute-force JS reference", async () => {
  const rnd = lcg(7);
  const d = 37, n = 1500, nq = 300;
  const bank = new Float32Array(n * d).map(() => rnd() * 2 - 1);
  const q = new Float32Array(nq * d).map(() => rnd() * 2 - 1);
  // a few exact duplicates: distance 0
  q.set(bank.subarray(5 * d, 6 * d), 0);
  const ref = nearestDistancesReference(bank, n, q, nq, d);
  // small block size forces chunking over the bank and the queries
  const got = await nearestDistances(makeIndex(bank, n, d), q, nq, { blockFloats: 300 * 256 });
  assert.equal(got.length, nq);
  for (let i = 0; i < nq; i++) assert.ok(Math.abs(got[i] - ref[i]) < 2e-3, `row ${i}: ${got[i]} vs ${ref[i]}`);
  assert.ok(got[0] < 2e-3);
});

test("1-NN with an empty query set and a one-vector bank", async () => {
  const idx = makeIndex(new Float32Array([1, 0, 0]), 1, 3);
  assert.equal((await nearestDistances(idx, new Float32Array(0), 0)).length, 0);
  const r = await nearestDistances(idx, new Float32Array([0, 0, 0, 1, 0, 0]), 2);
  assert.ok(Math.abs(r[0] - 1) < 1e-6 && Math.abs(r[1]) < 1e-3);
});

test("int8 search: exact fp32 distances of re-ranked int8 candidates; equal to the exact search on clustered data", async () => {
  const rnd = lcg(11);
  const d = 96, n = 5000, nq = 500;
  // clustered, L2-normalised rows (like patch features): neighbours are close, so the candidates matter
  const centres = Array.from({ length: 40 }, () => Float32Array.from({ length: d }, () => rnd() - 0.5));
  const rows = (m: number) => {
    const x = new Float32Array(m * d);
    for (let i = 0; i < m; i++) {
      const c = centres[Math.floor(rnd() * centres.length)]!;
      let s = 0;
      for (let k = 0; k < d; k++) { const v = c[k]! + (rnd() - 0.5) * 0.5; x[i * d + k] = v; s += v * v; }
      for (let k = 0; k < d; k++) x[i * d + k]! /= Math.sqrt(s);
    }
    return x;
  };
  const bank = rows(n), q = rows(nq);
  q.set(bank.subarray(17 * d, 18 * d), 3 * d); // an exact duplicate: distance 0
  const exact = await nearestDistances(makeIndex(bank, n, d, "exact"), q, nq);
  const idx = makeIndex(bank, n, d, "int8");
  await prepareIndex(idx); // what the scoring process does when a version is activated
  assert.ok(idx.int8);
  // a small block forces several query chunks against the per-bank session
  const got = await nearestDistances(idx, q, nq, { blockFloats: 100 * n });
  let same = 0;
  for (let i = 0; i < nq; i++) {
    // never below the true nearest distance: every candidate is a real bank vector, measured in fp32
    assert.ok(got[i]! >= exact[i]! - 1e-4, `row ${i}: ${got[i]} < exact ${exact[i]}`);
    if (Math.abs(got[i]! - exact[i]!) < 1e-4) same++;
  }
  assert.equal(same, nq, `${nq - same} rows missed their nearest neighbour`);
  assert.ok(got[3]! < 2e-3);
  // the session is built once per index and reused
  const first = idx.int8;
  await nearestDistances(idx, q.subarray(0, 10 * d), 10);
  assert.equal(idx.int8, first);
  // released, the index builds a new session on its next search
  await releaseIndex(idx);
  assert.equal(idx.int8, undefined);
  assert.ok(Math.abs((await nearestDistances(idx, q.subarray(3 * d, 4 * d), 1))[0]!) < 2e-3);
  assert.throws(() => makeIndex(bank, n, d, "fast" as never), /unknown 1-NN search/);
  // a bank under INT8_MIN_BANK is searched exactly (no session built)
  const small = makeIndex(bank.subarray(0, (INT8_MIN_BANK - 1) * d), INT8_MIN_BANK - 1, d, "int8");
  await prepareIndex(small);
  await nearestDistances(small, q, nq);
  assert.equal(small.int8, undefined);
});

test("int8 search over a channel subset: low-variance channels left out of the candidates, distances still exact in all channels", async () => {
  const rnd = lcg(5);
  const d = 64, n = 6000, nq = 400;
  // like ReLU patch features: 16 channels carry the structure, 48 carry a little noise (under 1 % of the variance)
  const rows = (m: number) => {
    const x = new Float32Array(m * d);
    for (let i = 0; i < m; i++) {
      for (let k = 0; k < d; k++) x[i * d + k] = k < 16 ? rnd() : rnd() * 0.01;
    }
    return x;
  };
  const bank = rows(n), q = rows(nq);
  const idx = makeIndex(bank, n, d, "int8");
  const quant = await quantizeBank(idx);
  // the 16 are equally strong and axis-aligned: no fewer principal directions would hold the variance, so channels
  assert.equal(quant.basis.kind, "channels");
  assert.equal(quant.basis.kind === "channels" && quant.basis.channels.length, 16);
  assert.equal(quant.bq.length, n * 16);
  const exact = await nearestDistances(makeIndex(bank, n, d, "exact"), q, nq);
  const got = await nearestDistances(idx, q, nq);
  for (let i = 0; i < nq; i++) assert.ok(Math.abs(got[i]! - exact[i]!) < 1e-4, `row ${i}: ${got[i]} vs exact ${exact[i]}`);
});

test("int8 search in a bank's principal directions: a tilted low-rank bank searched in a few coordinates, distances exact in all channels", async () => {
  const rnd = lcg(13);
  const d = 64, n = 6000, nq = 400, rank = 6;
  const rot = orthonormalColumns(Float32Array.from({ length: d * d }, () => rnd() - 0.5), d, d);
  // like patch features: a few latent factors (clusters in them) seen through every channel, plus a little noise
  const centres = Array.from({ length: 30 }, () => Array.from({ length: rank }, () => rnd() - 0.5));
  const rows = (m: number) => {
    const x = new Float32Array(m * d);
    for (let r = 0; r < m; r++) {
      const c = centres[Math.floor(rnd() * centres.length)]!;
      const f = c.map((v) => v + (rnd() - 0.5) * 0.2);
      for (let i = 0; i < d; i++) {
        let s = (rnd() - 0.5) * 0.01;
        for (let k = 0; k < rank; k++) s += rot[i * d + k]! * f[k]!;
        x[r * d + i] = s;
      }
    }
    return x;
  };
  const bank = rows(n), q = rows(nq);
  const idx = makeIndex(bank, n, d, "int8");
  const quant = await quantizeBank(idx);
  assert.equal(quant.basis.kind, "projection");
  const dims = quant.basis.kind === "projection" ? quant.basis.dims : d;
  assert.ok(dims <= rank, `${dims} directions`);
  assert.equal(quant.bq.length, n * dims);
  const exact = await nearestDistances(makeIndex(bank, n, d, "exact"), q, nq);
  const got = await nearestDistances(idx, q, nq);
  for (let i = 0; i < nq; i++) assert.ok(Math.abs(got[i]! - exact[i]!) < 1e-4, `row ${i}: ${got[i]} vs exact ${exact[i]}`);
});

test("the int8 candidate product alone (the bench's floor): its per-query minimum is the search's, up to the quantisation", async () => {
  const rnd = lcg(9);
  const d = 48, n = 5000, nq = 300;
  const bank = Float32Array.from({ length: n * d }, () => Math.abs(rnd())), q = Float32Array.from({ length: nq * d }, () => Math.abs(rnd()));
  const idx = makeIndex(bank, n, d, "int8");
  const { session } = await createSession(buildInt8ProductModel(await quantizeBank(idx)), "cpu");
  const approx = (await session.run({ Q: new ort.Tensor("float32", q, [nq, d]) })).M!.data as Float32Array;
  await session.release();
  const exact = await nearestDistances(makeIndex(bank, n, d, "exact"), q, nq);
  const qn = rowSqNorms(q, nq, d);
  let off = 0;
  for (let i = 0; i < nq; i++) {
    const e = exact[i]! ** 2 - qn[i]!; // the model's minimum leaves ||q||² out, like the search's graph
    assert.ok(Number.isFinite(approx[i]!));
    off = Math.max(off, Math.abs(approx[i]! - e) / Math.max(1, Math.abs(e)));
  }
  assert.ok(off < 0.05, `approximate minimum within 5 % of the exact one (worst ${off})`);
  assert.ok(off > 0, "and not the exact one: no re-rank");
});

test("int8 codes: bank rows reach ±127, and a query code of QUERY_LEVELS against them is exact on this CPU's kernel", async () => {
  const rnd = lcg(5);
  const d = 40, n = 300;
  const bank = Float32Array.from({ length: n * d }, () => rnd() * 2 - 1);
  const { bq, n: rows } = await quantizeBank(makeIndex(bank, n, d, "int8"));
  const ds = bq.length / rows;
  for (let i = 0; i < rows; i++) {
    let m = 0;
    for (let k = 0; k < ds; k++) m = Math.max(m, Math.abs(bq[i * ds + k]!));
    assert.equal(m, 127, `row ${i}'s largest level`);
  }
  // the worst pair: 2 · 127 · 127 = 32,258 fits the int16 into which AVX2's VPMADDUBSW adds pairs of byte products
  // (a code of 255 against 127 read 1,048,544 instead of 2,072,640 over 64 terms on an AMD EPYC without VNNI)
  const g = new GraphBuilder("mmi");
  g.op("MatMulInteger", ["A", "B"], {}, "Y");
  const model = encodeModel(g.build([valueInfo("A", DataType.UINT8, ["m", "k"]), valueInfo("B", DataType.INT8, ["k", "n"])], [valueInfo("Y", DataType.INT32, ["m", "n"])], "mmi"), { producer: "test" });
  const { session } = await createSession(model, "cpu");
  const K = 64;
  for (const level of [127, -127]) {
    const y = await session.run({ A: new ort.Tensor("uint8", new Uint8Array(16 * K).fill(QUERY_LEVELS), [16, K]), B: new ort.Tensor("int8", new Int8Array(K * 16).fill(level), [K, 16]) });
    assert.ok((y.Y!.data as Int32Array).every((v) => v === QUERY_LEVELS * level * K), `${QUERY_LEVELS} × ${level} over ${K} terms`);
  }
  await session.release();
});

test("row squared norms: known answers, every tail length, and the one-sum float64 result on random rows", () => {
  assert.deepEqual([...rowSqNorms(Float32Array.of(3, 4, 0, 0, 0, 1, 1, 1, 1, 2), 2, 5)], [25, 8]);
  assert.deepEqual([...rowSqNorms(new Float32Array(0), 0, 7)], []);
  const rnd = lcg(11);
  for (const d of [1, 2, 3, 4, 5, 6, 7, 37, 1104]) {
    const n = 50, x = new Float32Array(n * d).map(() => (rnd() * 2 - 1) * 0.1);
    const got = rowSqNorms(x, n, d);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += x[i * d + k]! * x[i * d + k]!;
      // four partial float64 sums against one: the same float32 after rounding (at most 1 ulp apart in principle)
      assert.ok(Math.abs(got[i]! - s) <= 1.2e-7 * s, `d ${d} row ${i}: ${got[i]} vs ${s}`);
    }
  }
});
