import { test } from "node:test";
import assert from "node:assert/strict";
import { bankMoments, orthonormalColumns, principalDirections, searchBasis, searchChannels, searchDims } from "./search-basis.ts";

function lcg(seed: number) { let s = seed >>> 0; return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296); }

/** A seeded random orthonormal basis of R^d (columns of a [d,d] row-major matrix). */
function rotation(d: number, seed: number): Float32Array {
  const rnd = lcg(seed);
  return orthonormalColumns(Float32Array.from({ length: d * d }, () => rnd() - 0.5), d, d);
}

test("searchChannels keeps the fewest channels, by variance, that hold the share", () => {
  // total 10: channels 0 (4) and 3 (3) hold 70 %; one more (channel 4, 2) for anything above
  assert.deepEqual([...searchChannels([4, 1, 0, 3, 2], 0.7)], [0, 3]);
  assert.deepEqual([...searchChannels([4, 1, 0, 3, 2], 0.71)], [0, 3, 4]);
  assert.deepEqual([...searchChannels([4, 1, 0, 3, 2], 1)], [0, 1, 3, 4]);
  // no variance at all (a bank of one vector) or NaN: every channel is kept, never none
  assert.deepEqual([...searchChannels([0, 0, 0], 0.99)], [0, 1, 2]);
  assert.deepEqual([...searchChannels([Number.NaN, 5, 0], 0.99)], [1]);
});

test("orthonormalColumns: Gram–Schmidt in column order, a dependent column becomes zero", () => {
  // columns (1,0,0), (1,1,0), (2,2,0) — the third is twice the second: rows of a [3,3] row-major matrix
  const q = orthonormalColumns(Float32Array.from([1, 1, 2, 0, 1, 2, 0, 0, 0]), 3, 3);
  assert.deepEqual([...q], [1, 0, 0, 0, 1, 0, 0, 0, 0]);
  // random columns come back orthonormal
  const rnd = lcg(3), d = 30, k = 7;
  const r = orthonormalColumns(Float32Array.from({ length: d * k }, () => rnd() - 0.5), d, k);
  for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) {
    let dot = 0;
    for (let i = 0; i < d; i++) dot += r[i * k + a]! * r[i * k + b]!;
    assert.ok(Math.abs(dot - (a === b ? 1 : 0)) < 1e-6, `columns ${a}, ${b}: ${dot}`);
  }
});

test("bankMoments: the mean and covariance of the rows, or of evenly spaced rows", async () => {
  // rows (0,0), (2,0), (0,4), (2,4): mean (1,2), variances 1 and 4, no covariance
  const x = Float32Array.from([0, 0, 2, 0, 0, 4, 2, 4]);
  const { mean, cov } = await bankMoments(x, 4, 2);
  assert.deepEqual([...mean], [1, 2]);
  assert.deepEqual([...cov], [1, 0, 0, 4]);
  // two of the four rows (0 and 2): (0,0) and (0,4)
  const half = await bankMoments(x, 4, 2, undefined, 2);
  assert.deepEqual([...half.mean], [0, 2]);
  assert.deepEqual([...half.cov], [0, 0, 0, 4]);
  const none = await bankMoments(new Float32Array(0), 0, 2);
  assert.deepEqual([...none.cov], [0, 0, 0, 0]);
});

test("principalDirections: the fewest directions holding the share span the top eigenvectors; null when maxDims cannot", async () => {
  const d = 20;
  const v = rotation(d, 5); // eigenvectors: its columns
  const eig = [9, 4, 1, ...Array.from({ length: d - 3 }, () => 0.01)]; // total 14.17: 2 directions hold 91.7 %
  const cov = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) {
    let s = 0;
    for (let e = 0; e < d; e++) s += v[i * d + e]! * eig[e]! * v[j * d + e]!;
    cov[i * d + j] = s;
  }
  const p = await principalDirections(cov, d, 0.9, d);
  assert.ok(p);
  assert.equal(p.dims, 2);
  // the first two eigenvectors lie in the span of P (their projections keep their unit length), the third does not
  // (nearly: without a Rayleigh–Ritz step the columns are the subspace iteration's, close to the eigenvectors)
  const inSpan = (e: number) => {
    let s = 0;
    for (let j = 0; j < p.dims; j++) { let dot = 0; for (let i = 0; i < d; i++) dot += p.matrix[i * p.dims + j]! * v[i * d + e]!; s += dot * dot; }
    return s;
  };
  assert.ok(inSpan(0) > 0.999 && inSpan(1) > 0.999, `${inSpan(0)}, ${inSpan(1)}`);
  assert.ok(inSpan(2) < 1e-3, `${inSpan(2)}`);
  assert.equal((await principalDirections(cov, d, 0.95, d))!.dims, 3);
  assert.equal(await principalDirections(cov, d, 0.95, 2), null, "3 directions needed, 2 allowed");
  assert.equal(await principalDirections(new Float64Array(d * d), d, 0.9, d), null, "no variance");
});

test("searchBasis: principal directions for a tilted low-rank bank, the channel subset for an axis-aligned one", async () => {
  const rnd = lcg(21), d = 48, n = 3000, rank = 5;
  const rot = rotation(d, 8);
  // rows = 5 latent factors along 5 tilted directions (every channel carries some) + a little noise
  const tilted = new Float32Array(n * d);
  for (let r = 0; r < n; r++) {
    const f = Array.from({ length: rank }, (_, k) => (rnd() - 0.5) * (rank - k));
    for (let i = 0; i < d; i++) {
      let s = 0.3 + (rnd() - 0.5) * 0.01;
      for (let k = 0; k < rank; k++) s += rot[i * d + k]! * f[k]!;
      tilted[r * d + i] = s;
    }
  }
  const b = await searchBasis(tilted, n, d);
  assert.equal(b.kind, "projection");
  assert.ok(searchDims(b) <= rank, `${searchDims(b)} directions`);
  if (b.kind === "projection") {
    // offset = mean · P: the bank's mean sits at the origin of the search coordinates
    const mean = new Float64Array(d);
    for (let r = 0; r < n; r++) for (let i = 0; i < d; i++) mean[i] += tilted[r * d + i]! / n;
    for (let j = 0; j < b.dims; j++) {
      let s = 0;
      for (let i = 0; i < d; i++) s += mean[i]! * b.matrix[i * b.dims + j]!;
      assert.ok(Math.abs(s - b.offset[j]!) < 1e-3, `offset ${j}: ${b.offset[j]} vs ${s}`);
    }
  }
  // 6 channels of structure, each alone, the rest near-constant: the directions would be no fewer, so channels
  const aligned = Float32Array.from({ length: n * d }, (_, x) => ((x % d) < 6 ? rnd() : 0.5 + rnd() * 1e-3));
  const c = await searchBasis(aligned, n, d);
  assert.equal(c.kind, "channels");
  if (c.kind === "channels") assert.deepEqual([...c.channels], [0, 1, 2, 3, 4, 5]);
});
