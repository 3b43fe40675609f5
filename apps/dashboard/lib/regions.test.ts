import { test } from "node:test";
import assert from "node:assert/strict";
import { ngRegionProblem } from "@bdi/core/dashboard/samples";
import { clampPoint, describeRegion, polygonArea, polygonFromPoints, polylinePath, rectFromPoints, regionAreaPx } from "./regions.ts";

test("rectangles are normalised, clamped into the crop and too-small ones dropped", () => {
  assert.deepEqual(rectFromPoints([50, 40], [10, 10], 100, 80), { kind: "rect", x: 10, y: 10, w: 40, h: 30 });
  assert.deepEqual(rectFromPoints([-5, -5], [120, 90], 100, 80), { kind: "rect", x: 0, y: 0, w: 100, h: 80 });
  assert.equal(rectFromPoints([10, 10], [11, 40], 100, 80), null);
  assert.deepEqual(clampPoint([3.14159, 200], 100, 80), [3.1, 80]);
});

test("polygons need three distinct points and an area; a closing repeat of the first point is dropped", () => {
  assert.equal(polygonFromPoints([[0, 0], [10, 0]], 100, 100), null);
  assert.equal(polygonFromPoints([[0, 0], [10, 0], [20, 0]], 100, 100), null, "collinear");
  const p = polygonFromPoints([[0, 0], [10, 0], [10, 0], [10, 10], [0, 0]], 100, 100);
  assert.deepEqual(p, { kind: "polygon", points: [[0, 0], [10, 0], [10, 10]] });
  assert.equal(polygonArea(p!.points), 50);
});

test("what the editor produces is accepted by the service's own check", () => {
  const regions = [rectFromPoints([-10, 5], [60, 300], 64, 48)!, polygonFromPoints([[1, 1], [70, 2], [30, 60]], 64, 48)!];
  assert.equal(ngRegionProblem(regions, 64, 48), null);
});

test("areas, paths and descriptions", () => {
  assert.equal(regionAreaPx({ kind: "rect", x: 0, y: 0, w: 4, h: 5 }), 20);
  assert.equal(polylinePath([[1, 2], [3, 4]], false), "M1,2 L3,4");
  assert.equal(polylinePath([[1, 2], [3, 4], [5, 0]], true), "M1,2 L3,4 L5,0 Z");
  assert.equal(polylinePath([], true), "");
  assert.match(describeRegion({ kind: "rect", x: 3, y: 4, w: 10, h: 10 }, 0.1), /10×10 px at \(3, 4\) · 1\.00 mm²/);
  assert.match(describeRegion({ kind: "polygon", points: [[0, 0], [10, 0], [10, 10]] }), /3 points · 50 px²/);
});
