import { test } from "node:test";
import assert from "node:assert/strict";
import { baselineFor, subtractBaseline } from "./baseline.ts";
import { imageScore } from "./score.ts";
import { InvalidInputError } from "../errors.ts";

test("baselineFor: only crops the probe found to be a texture are measured against their own median", () => {
  assert.equal(baselineFor("texture"), "crop-median");
  assert.equal(baselineFor("registered"), "none");
  assert.equal(baselineFor(undefined), "none"); // not probed: the map as it is
});

test("subtractBaseline: the median inside the mask, subtracted in place; none leaves the map", () => {
  const map = Float32Array.from([1, 2, 3, 4, 100]);
  assert.equal(subtractBaseline(map, null, "crop-median"), 3);
  assert.deepEqual([...map], [-2, -1, 0, 1, 97]);
  const masked = Float32Array.from([10, 1, 2, 3, 10]);
  assert.equal(subtractBaseline(masked, Uint8Array.from([0, 1, 1, 1, 0]), "crop-median"), 2); // outside values ignored
  assert.deepEqual([...masked], [8, -1, 0, 1, 8]);
  const even = Float32Array.from([1, 2, 3, 4]);
  assert.equal(subtractBaseline(even, null, "crop-median"), 2.5); // numpy's linear median
  const same = Float32Array.from([5, 6]);
  assert.equal(subtractBaseline(same, null, "none"), 0);
  assert.deepEqual([...same], [5, 6]);
  const empty = Float32Array.from([5, 6]);
  assert.equal(subtractBaseline(empty, Uint8Array.from([0, 0]), "crop-median"), 0);
  assert.deepEqual([...empty], [5, 6]);
  // a NaN inside the mask makes the median NaN (numpy's, like every percentile here): the map is left as it is
  const holes = Float32Array.from([NaN, 1, 3, NaN, 2]);
  assert.equal(subtractBaseline(holes, null, "crop-median"), 0);
  assert.deepEqual([...holes].map((v) => (Number.isNaN(v) ? "NaN" : v)), ["NaN", 1, 3, "NaN", 2]);
  assert.throws(() => subtractBaseline(same, null, "mean" as never), InvalidInputError);
});

test("subtractBaseline: a crop-wide shift no longer moves the score; a local excess still does", () => {
  const n = 10_000;
  const base = new Float32Array(n).fill(0.5);
  for (let i = 0; i < 50; i++) base[i] = 6; // a small defect: 0.5 % of the crop
  const shifted = base.map((v) => v + 2);
  const score = (m: Float32Array) => { const c = m.slice(); subtractBaseline(c, null, "crop-median"); return imageScore(c, null, 99, "tail-mean"); };
  assert.ok(Math.abs(score(base) - score(shifted)) < 1e-5);
  assert.ok(score(base) > 2); // (50 × 5.5 + 50 × 0) / 100 over the median
  assert.ok(Math.abs(score(new Float32Array(n).fill(3))) < 1e-6);
});
