import { test } from "node:test";
import assert from "node:assert/strict";
import { greedyKCenterBruteForce } from "./kcenter.ts";
import { sqDistRows, sqDistRowsBounded } from "./distance.ts";
import { clusteredPoints, gaussianPoints } from "./synthetic.ts";
import { InvalidInputError } from "../errors.ts";

test("sqDistRows: exact squared distance; the bounded form is identical below the bound and ≥ it otherwise", () => {
  const d = 37;
  const x = gaussianPoints(2, d, 9);
  let ref = 0;
  for (let j = 0; j < d; j++) ref += (x[j]! - x[d + j]!) ** 2;
  const full = sqDistRows(x, 0, 1, d);
  assert.ok(Math.abs(full - ref) < 1e-9);
  assert.equal(sqDistRowsBounded(x, 0, 1, d, full * 2), full);
  assert.ok(sqDistRowsBounded(x, 0, 1, d, full / 10) >= full / 10);
  assert.equal(sqDistRows(x, 1, 1, d), 0);
});

test("greedyKCenterBruteForce: each pick is the point farthest from the chosen set, lowest index on ties", () => {
  // points 0, 1, 3, 10 on a line, from index 1: 10 is farthest; then 3 (2 from its nearest centre) before 0 (1 from it)
  const x = Float32Array.of(0, 1, 3, 10);
  assert.deepEqual(Array.from(greedyKCenterBruteForce(x, 4, 1, 3, { firstIndex: 1 })), [1, 3, 2]);
  // ties: 2 and 0 are both 2 from 1 → the lower index
  const t = Float32Array.of(0, 2, 4);
  assert.deepEqual(Array.from(greedyKCenterBruteForce(t, 3, 1, 2, { firstIndex: 1 })), [1, 0]);
  const x2 = gaussianPoints(200, 16, 3);
  const picks = greedyKCenterBruteForce(x2, 200, 16, 30, { firstIndex: 5 });
  assert.equal(picks[0], 5);
  assert.equal(new Set(picks).size, 30);
});

test("greedyKCenterBruteForce: duplicates — distinct indices, lowest unchosen once everything is covered", () => {
  const distinct = clusteredPoints(40, 24, 17, 4, 2);
  const n = 400;
  const d = 24;
  const x = new Float32Array(n * d);
  for (let i = 0; i < n; i++) x.set(distinct.subarray((i % 40) * d, (i % 40 + 1) * d), i * d);
  const picks = greedyKCenterBruteForce(x, n, d, 60);
  assert.equal(new Set(picks).size, 60);
  assert.deepEqual(new Set(Array.from(picks.subarray(0, 40), (i) => i % 40)).size, 40, "the 40 distinct points first");
  const rest = Array.from(picks.subarray(40));
  assert.deepEqual(rest, [...rest].sort((a, b) => a - b));
  const constant = new Float32Array(600 * 32).fill(0.5);
  assert.deepEqual(Array.from(greedyKCenterBruteForce(constant, 600, 32, 5, { firstIndex: 3 })), [3, 0, 1, 2, 4]);
});

test("greedyKCenterBruteForce: m ≥ n keeps everything; argument validation", () => {
  const x = gaussianPoints(10, 4, 1);
  assert.deepEqual(Array.from(greedyKCenterBruteForce(x, 10, 4, 10)), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal(greedyKCenterBruteForce(x, 10, 4, 99).length, 10);
  assert.throws(() => greedyKCenterBruteForce(x, 10, 4, 0), InvalidInputError);
  assert.throws(() => greedyKCenterBruteForce(x, 11, 4, 3), InvalidInputError);
  assert.throws(() => greedyKCenterBruteForce(x, 10, 4, 3, { firstIndex: 10 }), InvalidInputError);
});
