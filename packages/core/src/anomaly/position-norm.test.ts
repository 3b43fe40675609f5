import { test } from "node:test";
import assert from "node:assert/strict";
import { PositionStats, normaliseGrid, scaleFloorQuantile } from "./position-norm.ts";
import { InvalidInputError } from "../errors.ts";

test("position stats: per-cell mean, sample deviation, scale floored at the median deviation", () => {
  // 2×2 grid, 3 maps. cell 0: 1,2,3 (mean 2, sd 1); cell 1: 5,5,5 (sd 0); cell 2: 0,4,8 (mean 4, sd 4);
  // cell 3: 1,1,4 (mean 2, sd √3). Sorted sds 0, 1, 1.732, 4 → median (index 2) 1.732.
  const s = new PositionStats(2);
  s.add([1, 5, 0, 1]);
  s.add([2, 5, 4, 1]);
  s.add([3, 5, 8, 4]);
  const n = s.finish();
  assert.equal(n.samples, 3);
  assert.deepEqual(Array.from(n.mean), [2, 5, 4, 2]);
  const med = Math.sqrt(3);
  assert.ok(Math.abs(n.scale[0]! - med) < 1e-6, "sd 1 raised to the median");
  assert.ok(Math.abs(n.scale[1]! - med) < 1e-6, "sd 0 raised to the median");
  assert.ok(Math.abs(n.scale[2]! - 4) < 1e-6);
  assert.ok(Math.abs(n.scale[3]! - med) < 1e-6);
  const z = normaliseGrid(new Float32Array([2 + med, 5, 12, 2]), n);
  assert.ok(Math.abs(z[0]! - 1) < 1e-6);
  assert.equal(z[1], 0);
  assert.ok(Math.abs(z[2]! - 2) < 1e-6);
  assert.equal(z[3], 0);
});

test("position stats: without() removes a fold exactly (leave-fold-out statistics)", () => {
  const all = new PositionStats(1);
  const fold = new PositionStats(1);
  for (const v of [1, 2, 3, 10]) all.add([v]);
  for (const v of [10]) fold.add([v]);
  const rest = all.without(fold).finish();
  assert.equal(rest.samples, 3);
  assert.ok(Math.abs(rest.mean[0]! - 2) < 1e-9);
  assert.ok(Math.abs(rest.scale[0]! - 1) < 1e-6);
});

test("position stats: refuses too few maps and mismatched grids", () => {
  const s = new PositionStats(2);
  s.add([0, 0, 0, 0]);
  assert.throws(() => s.finish(), InvalidInputError);
  assert.throws(() => s.add([0, 0, 0]), InvalidInputError);
  assert.throws(() => new PositionStats(0), InvalidInputError);
  s.add([1, 1, 1, 1]);
  assert.throws(() => normaliseGrid(new Float32Array(9), s.finish()), InvalidInputError);
});

test("position stats: constant maps give a finite scale (no division by zero)", () => {
  const s = new PositionStats(2);
  s.add([1, 1, 1, 1]);
  s.add([1, 1, 1, 1]);
  const z = normaliseGrid(new Float32Array([1, 1, 1, 2]), s.finish());
  assert.deepEqual(Array.from(z.slice(0, 3)), [0, 0, 0]);
  assert.ok(z[3]! > 0 && Number.isFinite(z[3]!), "a change from a constant cell is a large, finite z");
});

test("position stats: the scale floor is a quantile of the deviations of the cells the crops cover, not of the grid's border copies", () => {
  // A 3 × 3 grid whose crops cover the left column only (cells 0, 3, 6); gridMap repeats that column into the other
  // two. Covered cells' deviations: 1, 2, 4 (maps m, m ± sd); the copies repeat them, so the whole grid holds 1, 1, 1,
  // 2, 2, 2, 4, 4, 4 — here the same quantiles, so make the copies louder, as kolektorsdd's long sides are: the copies
  // hold the bottom-left cell's spread (4) everywhere.
  const maps = [-1, 1].map((sign) => {
    const m = new Float32Array(9);
    const col = [10 + sign * 1, 10 + sign * 2, 10 + sign * 4];
    for (let r = 0; r < 3; r++) { m[r * 3] = col[r]!; m[r * 3 + 1] = 10 + sign * 4; m[r * 3 + 2] = 10 + sign * 4; }
    return m;
  });
  const covered = [0, 3, 6];
  const s = new PositionStats(3);
  for (const m of maps) s.add(m, covered);
  // sample deviation of (m − d, m + d) is d·√2; the covered cells' sorted: √2·(1, 2, 4)
  const r2 = Math.SQRT2;
  assert.ok(Math.abs(s.finish(0.5).scale[0]! - 2 * r2) < 1e-6, "the median of the covered cells, not the grid's (4·√2)");
  assert.ok(Math.abs(s.finish(0).scale[0]! - r2) < 1e-6, "quantile 0: each covered cell keeps its own");
  assert.ok(Math.abs(s.finish(0).scale[3]! - 2 * r2) < 1e-6);
  assert.ok(Math.abs(s.finish(1).scale[0]! - 4 * r2) < 1e-6, "quantile 1: one scale, the loudest covered cell's");
  // without coverage every cell counts (the code before session 26): the copies set the median
  const all = new PositionStats(3);
  for (const m of maps) all.add(m);
  assert.ok(Math.abs(all.finish(0.5).scale[0]! - 4 * r2) < 1e-6);
  // leave-fold-out keeps the coverage of the maps left
  const fold = new PositionStats(3);
  fold.add(maps[0]!, covered);
  const both = new PositionStats(3);
  for (const m of [...maps, maps[0]!]) both.add(m, covered);
  const rest = both.without(fold);
  assert.deepEqual(Array.from(rest.covered), [2, 0, 0, 2, 0, 0, 2, 0, 0]);
  assert.ok(Math.abs(rest.finish(0.5).scale[0]! - 2 * r2) < 1e-6);
});

test("position stats: the floor by layout, and its arguments checked", () => {
  assert.equal(scaleFloorQuantile("registered"), 0.15);
  assert.equal(scaleFloorQuantile("texture"), 0.95);
  assert.equal(scaleFloorQuantile(undefined), 0.95); // not known to be registered
  const s = new PositionStats(2);
  s.add([1, 2, 3, 4], [0, 1]);
  s.add([2, 3, 4, 5], [0, 1]);
  for (const q of [Number.NaN, -0.1, 1.5]) assert.throws(() => s.finish(q), InvalidInputError);
  assert.throws(() => s.add([1, 2, 3, 4], [4]), InvalidInputError);
  assert.throws(() => s.add([1, 2, 3, 4], [0.5]), InvalidInputError);
});
