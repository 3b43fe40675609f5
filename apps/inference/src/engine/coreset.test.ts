import { test } from "node:test";
import assert from "node:assert/strict";
import { greedyKCenterBruteForce } from "@bdi/core";
import { greedyKCenterSteps, project, selectCoreset } from "./coreset.ts";
import { randomProjectionMatrix } from "./matmul.ts";
import { npyFloat32, readNpyFloat32 } from "./npy.ts";

function data(n: number, d: number, seed = 3) {
  let s = seed;
  const r = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
  return new Float32Array(n * d).map(() => r() - 0.5);
}

test("random projection in onnxruntime equals X·R computed in JS; the matrix is seeded", async () => {
  const n = 50, d = 40, k = 16;
  const x = data(n, d);
  const R = randomProjectionMatrix(d, k, 0);
  assert.deepEqual(R, randomProjectionMatrix(d, k, 0));
  assert.notDeepEqual(R, randomProjectionMatrix(d, k, 1));
  const y = await project(x, n, d, k, { seed: 0 });
  for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) {
    let s = 0;
    for (let t = 0; t < d; t++) s += x[i * d + t] * R[t * k + j];
    assert.ok(Math.abs(s - y[i * k + j]) < 1e-4);
  }
});

test("coreset: ceil(n·rate) distinct indices, deterministic, = brute-force k-center on the projection; rate 1 keeps all", async () => {
  const n = 600, d = 200;
  const x = data(n, d);
  const a = await selectCoreset(x, n, d, 0.1);
  const b = await selectCoreset(x, n, d, 0.1);
  assert.equal(a.m, 60);
  assert.deepEqual(a.indices, b.indices);
  assert.equal(new Set(a.indices).size, 60);
  const p = await project(x, n, d, 128);
  const ref = greedyKCenterBruteForce(p, n, 128, 60, { firstIndex: a.indices[0] });
  assert.deepEqual([...a.indices], [...ref]);
  const all = await selectCoreset(x, n, d, 1);
  assert.equal(all.m, n);
  assert.equal(all.indices[n - 1], n - 1);
});

test("greedyKCenterSteps picks the brute force's centres; rows that repeat give distinct picks, every distinct vector first", async () => {
  const n = 3000, k = 128, m = 250;
  const p = data(n, k, 11);
  assert.deepEqual([...(await greedyKCenterSteps(p, n, k, m, 17))], [...greedyKCenterBruteForce(p, n, k, m, { firstIndex: 17 })]);
  // 40 rows, 4 distinct vectors: after the 4, every point is at distance 0 from a centre
  const base = data(4, 8, 5);
  const dup = new Float32Array(40 * 8);
  for (let i = 0; i < 40; i++) dup.set(base.subarray((i % 4) * 8, (i % 4 + 1) * 8), i * 8);
  const picks = [...(await greedyKCenterSteps(dup, 40, 8, 10, 6))];
  assert.deepEqual(picks.slice(0, 4), [...greedyKCenterBruteForce(dup, 40, 8, 10, { firstIndex: 6 })].slice(0, 4));
  assert.deepEqual(new Set(picks.slice(0, 4).map((i) => i % 4)), new Set([0, 1, 2, 3]), "the 4 distinct vectors first");
  assert.equal(new Set(picks).size, 10, "then other rows, never a chosen one again");
});

test("npy writer: header is valid v1.0, 64-byte aligned, float32 little-endian", () => {
  const m = new Float32Array([0, 1.5, -2, 3.25, 4, 5]);
  const buf = npyFloat32(m, [2, 3]);
  assert.equal(buf.toString("latin1", 0, 6), "\x93NUMPY");
  const hl = buf.readUInt16LE(8);
  assert.equal((10 + hl) % 64, 0);
  assert.match(buf.toString("latin1", 10, 10 + hl), /^\{'descr': '<f4', 'fortran_order': False, 'shape': \(2, 3\), \} *\n$/);
  const back = readNpyFloat32(buf);
  assert.deepEqual(back.shape, [2, 3]);
  assert.deepEqual(back.data, m);
});
