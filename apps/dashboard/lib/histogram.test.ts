import { test } from "node:test";
import assert from "node:assert/strict";
import { binSeries } from "./histogram.ts";

test("series share edges and every finite value is counted once", () => {
  const ok = [0, 1, 1, 2];
  const ng = [7, 8, 9];
  const h = binSeries([ok, ng], 9);
  assert.equal(h.edges.length, 10);
  assert.equal(h.edges[0], 0);
  assert.equal(h.edges[9], 9);
  assert.deepEqual(h.counts[0], [1, 2, 1, 0, 0, 0, 0, 0, 0]);
  assert.equal(h.counts[0]!.reduce((a, b) => a + b, 0), 4);
  assert.equal(h.counts[1]!.reduce((a, b) => a + b, 0), 3);
  assert.equal(h.counts[1]![8], 2, "the maximum lands in the last bin");
  assert.equal(h.maxCount, 2);
});

test("the range includes extra markers such as a threshold", () => {
  const h = binSeries([[1, 2]], 4, [5]);
  assert.equal(h.edges[0], 1);
  assert.equal(h.edges[4], 5);
});

test("a single repeated value gets a non-empty range", () => {
  const h = binSeries([[2, 2, 2]], 5);
  assert.ok(h.edges[0]! < 2 && h.edges[5]! > 2);
  assert.equal(h.maxCount, 3);
});

test("empty and non-finite input gives empty bins", () => {
  const h = binSeries([[], [Number.NaN, Infinity]], 3);
  assert.deepEqual(h.edges, []);
  assert.deepEqual(h.counts, [
    [0, 0, 0],
    [0, 0, 0],
  ]);
  assert.throws(() => binSeries([[1]], 0), RangeError);
});
