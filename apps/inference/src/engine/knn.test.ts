import { test } from "node:test";
import assert from "node:assert/strict";
import { makeIndex, nearestDistances, nearestDistancesReference } from "./knn.ts";

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
