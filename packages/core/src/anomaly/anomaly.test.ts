import { test } from "node:test";
import assert from "node:assert/strict";
import { findExternalContours, polygonArea } from "./contours.ts";
import { extractRegions, defectBinary } from "./regions.ts";
import { heatmapToGray } from "./heatmap.ts";
import { imageScore } from "./score.ts";
import { maskedPercentiles } from "../math/percentile.ts";
import { RegionSchema, LegacyRegionSchema, toLegacyRegion } from "../schemas/region.ts";
import { InvalidInputError } from "../errors.ts";
import { reference } from "../test-helpers.ts";

/** Parse an ASCII drawing ('#' = 1) into a binary image. */
function draw(rows: string[]): { img: Uint8Array; w: number; h: number } {
  const h = rows.length;
  const w = rows[0]!.length;
  const img = new Uint8Array(w * h);
  rows.forEach((r, y) => [...r].forEach((ch, x) => (img[y * w + x] = ch === "#" ? 1 : 0)));
  return { img, w, h };
}

const SCENE = draw([
  "............",
  ".#####..###.",
  ".#####..#.#.",
  ".#####..###.",
  ".#####......",
  ".#####......",
  "........###.",
  "#...........",
]);

test("contours: equal cv2.findContours(RETR_EXTERNAL, CHAIN_APPROX_SIMPLE) point for point (fixture)", () => {
  for (const [i, c] of reference().contours.entries()) {
    const mine = findExternalContours(Uint8Array.from(c.data), c.w, c.h).map((k) => Array.from(k.points).join(","));
    const ref = (c.contours as number[][]).map((k) => k.join(","));
    assert.deepEqual([...mine].sort(), [...ref].sort(), `case ${i}`);
    for (const [j, k] of (c.contours as number[][]).entries()) {
      assert.equal(polygonArea(Int32Array.from(k)), c.areas[j], `case ${i} area ${j}`);
    }
  }
});

test("contours: hand-drawn scene (square, ring with a hole, line, single pixel)", () => {
  const cs = findExternalContours(SCENE.img, SCENE.w, SCENE.h);
  const byStart = new Map(cs.map((c) => [`${c.startX},${c.startY}`, Array.from(c.points)]));
  assert.equal(cs.length, 4);
  assert.deepEqual(byStart.get("1,1"), [1, 1, 1, 5, 5, 5, 5, 1]); // down the left side first, like cv2
  assert.deepEqual(byStart.get("8,1"), [8, 1, 8, 3, 10, 3, 10, 1]); // the hole is ignored
  assert.deepEqual(byStart.get("8,6"), [8, 6, 10, 6]);
  assert.deepEqual(byStart.get("0,7"), [0, 7]);
  const all = findExternalContours(SCENE.img, SCENE.w, SCENE.h, "none").find((c) => c.startX === 1)!;
  assert.equal(all.points.length / 2, 16); // every border pixel of the 5×5 square
});

test("contours: a component inside another one's hole is not a separate external contour", () => {
  const { img, w, h } = draw(["#######", "#.....#", "#.###.#", "#.###.#", "#.....#", "#######"]);
  // thick inner block inside a 1-px frame: cv2 reports only the frame
  const cs = findExternalContours(img, w, h);
  assert.equal(cs.length, 1);
  assert.deepEqual(Array.from(cs[0]!.points), [0, 0, 0, 5, 6, 5, 6, 0]);
});

test("polygonArea: shoelace, unsigned, degenerate polygons are 0", () => {
  assert.equal(polygonArea([0, 0, 0, 3, 4, 3, 4, 0]), 12);
  assert.equal(polygonArea([0, 0, 4, 0, 4, 3, 0, 3]), 12);
  assert.equal(polygonArea([1, 1]), 0);
  assert.equal(polygonArea([1, 1, 5, 1]), 0);
  assert.equal(polygonArea([0, 0, 2, 2, 4, 0]), 4);
});

function sceneMap(): Float32Array {
  const map = new Float32Array(SCENE.img.length);
  for (let i = 0; i < map.length; i++) map[i] = SCENE.img[i] ? 0.8 : 0.1;
  map[3 * SCENE.w + 3] = 0.95; // hottest pixel inside the square
  map[7 * SCENE.w + 0] = 0.5; // the single pixel sits exactly at the threshold: included (≥)
  return map;
}

test("extractRegions: counts, bbox, areas, n_px, sort order", () => {
  const regions = extractRegions({ map: sceneMap(), mask: null, w: SCENE.w, h: SCENE.h, threshold: 0.5, mmPerPx: 1, areaMm2Thr: 0 });
  assert.equal(regions.length, 4);
  const [sq, ring, line, dot] = regions as [any, any, any, any];
  assert.deepEqual(sq.bbox, [1, 1, 5, 5]);
  assert.equal(sq.area_px, 16);
  assert.equal(sq.n_px, 25);
  assert.deepEqual(sq.contour, [[1, 1], [1, 5], [5, 5], [5, 1]]);
  assert.deepEqual([sq.x, sq.y, sq.w, sq.h], [1, 1, 5, 5]);
  assert.ok(Math.abs(sq.score_max - 0.95) < 1e-6);
  assert.ok(Math.abs(sq.score_mean - (24 * 0.8 + 0.95) / 25) < 1e-6);
  assert.deepEqual(ring.bbox, [8, 1, 3, 3]);
  assert.equal(ring.area_px, 4);
  assert.equal(ring.n_px, 8);
  // zero-area contours: ties broken by pixel count
  assert.deepEqual(line.bbox, [8, 6, 3, 1]);
  assert.equal(line.area_px, 0);
  assert.equal(line.n_px, 3);
  assert.deepEqual(dot.bbox, [0, 7, 1, 1]);
  assert.equal(dot.n_px, 1);
  for (const r of regions) {
    assert.ok(RegionSchema.safeParse(r).success);
    assert.ok(LegacyRegionSchema.safeParse(toLegacyRegion(r)).success);
    assert.deepEqual(Object.keys(toLegacyRegion(r)).sort(), ["area_mm2", "area_px", "bbox", "contour", "h", "w", "x", "y"]);
  }
});

test("extractRegions: area filter in mm² (px_thr = area_mm2_thr / mm_per_px²) and area_mm2", () => {
  const base = { map: sceneMap(), mask: null, w: SCENE.w, h: SCENE.h, threshold: 0.5 };
  assert.deepEqual(extractRegions({ ...base, mmPerPx: 1, areaMm2Thr: 1 }).map((r) => r.area_px), [16, 4]);
  // 0.5 mm/px → 0.25 mm² per px²: 1 mm² = 4 px² keeps the ring (area 4), 1.01 mm² drops it
  const r1 = extractRegions({ ...base, mmPerPx: 0.5, areaMm2Thr: 1 });
  assert.deepEqual(r1.map((r) => r.area_px), [16, 4]);
  assert.deepEqual(r1.map((r) => r.area_mm2), [4, 1]);
  assert.deepEqual(extractRegions({ ...base, mmPerPx: 0.5, areaMm2Thr: 1.01 }).map((r) => r.area_px), [16]);
  assert.deepEqual(extractRegions({ ...base, mmPerPx: 0.2, areaMm2Thr: 1 }).length, 0); // 25 px² needed
  assert.equal(extractRegions({ ...base, mmPerPx: 1, areaMm2Thr: 0, maxRegions: 2 }).length, 2);
});

test("extractRegions: the ROI mask removes pixels; higher threshold, fewer pixels", () => {
  const mask = new Uint8Array(SCENE.img.length).fill(1);
  for (let y = 0; y < SCENE.h; y++) for (let x = 0; x < 6; x++) mask[y * SCENE.w + x] = 0;
  const masked = extractRegions({ map: sceneMap(), mask, w: SCENE.w, h: SCENE.h, threshold: 0.5, mmPerPx: 1, areaMm2Thr: 0 });
  assert.deepEqual(masked.map((r) => r.bbox[0]), [8, 8]);
  const hot = extractRegions({ map: sceneMap(), mask: null, w: SCENE.w, h: SCENE.h, threshold: 0.9, mmPerPx: 1, areaMm2Thr: 0 });
  assert.equal(hot.length, 1);
  assert.deepEqual(hot[0]!.bbox, [3, 3, 1, 1]);
  assert.equal(extractRegions({ map: sceneMap(), mask: null, w: SCENE.w, h: SCENE.h, threshold: 2, mmPerPx: 1, areaMm2Thr: 0 }).length, 0);
  assert.deepEqual(Array.from(defectBinary(new Float32Array([0.1, 0.5, 0.7]), new Uint8Array([1, 1, 0]), 0.5)), [0, 1, 0]);
});

test("extractRegions: agrees with cv2 boundingRect / contourArea on the fixture images", () => {
  for (const c of reference().contours) {
    const map = Float32Array.from(c.data as number[]);
    const regions = extractRegions({ map, mask: null, w: c.w, h: c.h, threshold: 0.5, mmPerPx: 1, areaMm2Thr: 0 });
    assert.equal(regions.length, c.contours.length);
    const got = regions.map((r) => `${r.bbox.join(",")}:${r.area_px}`).sort();
    const exp = (c.rects as number[][]).map((b, j) => `${b.join(",")}:${c.areas[j]}`).sort();
    assert.deepEqual(got, exp);
    for (let i = 1; i < regions.length; i++) assert.ok(regions[i - 1]!.area_px >= regions[i]!.area_px);
  }
});

test("extractRegions: input validation", () => {
  const map = new Float32Array(4);
  assert.throws(() => extractRegions({ map, mask: null, w: 3, h: 1, threshold: 0, mmPerPx: 1, areaMm2Thr: 0 }), InvalidInputError);
  assert.throws(() => extractRegions({ map, mask: null, w: 2, h: 2, threshold: 0, mmPerPx: 0, areaMm2Thr: 0 }), InvalidInputError);
  assert.throws(() => extractRegions({ map, mask: null, w: 2, h: 2, threshold: 0, mmPerPx: 1, areaMm2Thr: -1 }), InvalidInputError);
});

test("heatmapToGray: equals the legacy numpy/cv2 code (fixture)", () => {
  const ref = reference().heatmap;
  const out = heatmapToGray(Float32Array.from(ref.map), Uint8Array.from(ref.mask), ref.w, ref.h);
  assert.deepEqual(Array.from(out), ref.expected);
  // with p1/p99 computed once by the caller (shared with the image score): the same bytes
  const m = Float32Array.from(ref.map);
  const k = Uint8Array.from(ref.mask);
  const [score, p1, p99] = maskedPercentiles(m, k, [99, 1, 99]);
  assert.equal(score, imageScore(m, k));
  assert.deepEqual(Array.from(heatmapToGray(m, k, ref.w, ref.h, [p1!, p99!])), ref.expected);
});

test("heatmapToGray: p1..p99 stretch, clipping, zero outside the mask, flat map → zeros", () => {
  // 101 values 0..100 → p1 = 1, p99 = 99
  const map = Float32Array.from({ length: 101 }, (_, i) => i);
  const out = heatmapToGray(map, null, 101, 1);
  assert.equal(out[0], 0);
  assert.equal(out[1], 0);
  assert.equal(out[50], 128); // (49/98)·255 + 0.5 = 128
  assert.equal(out[99], 255);
  assert.equal(out[100], 255);
  const mask = new Uint8Array(101).fill(1);
  mask[50] = 0;
  assert.equal(heatmapToGray(map, mask, 101, 1)[50], 0);
  assert.deepEqual(Array.from(heatmapToGray(new Float32Array(6).fill(3), null, 3, 2)), [0, 0, 0, 0, 0, 0]);
  assert.deepEqual(Array.from(heatmapToGray(map, new Uint8Array(101), 101, 1)).every((v) => v === 0), true);
});

test("imageScore: p99 inside the mask; empty mask → 0", () => {
  const map = Float32Array.from({ length: 101 }, (_, i) => i);
  assert.equal(imageScore(map, null), 99);
  assert.equal(imageScore(map, null, 50), 50);
  const mask = new Uint8Array(101);
  mask.fill(1, 0, 11); // values 0..10
  assert.ok(Math.abs(imageScore(map, mask) - 9.9) < 1e-12);
  assert.equal(imageScore(map, new Uint8Array(101)), 0);
});

test("imageScore tail-mean: mean of the top (100 − p) % inside the mask; ties, NaN, p = 100 / 0, empty mask", () => {
  // 200 values 0..199 shuffled: p99 → top ⌈200·0.01⌉ = 2 values (198, 199) → 198.5
  const vals = Array.from({ length: 200 }, (_, i) => (i * 37) % 200);
  const map = Float32Array.from(vals);
  assert.equal(imageScore(map, null, 99, "tail-mean"), 198.5);
  assert.equal(imageScore(map, null, 100, "tail-mean"), 199); // the maximum
  assert.equal(imageScore(map, null, 0, "tail-mean"), 99.5); // the mean
  assert.equal(imageScore(map, null, 97.5, "tail-mean"), (199 + 198 + 197 + 196 + 195) / 5);
  // at least one value: 101 values at p99 → ⌈1.01⌉ = 2 largest
  assert.equal(imageScore(Float32Array.from({ length: 101 }, (_, i) => i), null, 99, "tail-mean"), 99.5);
  assert.equal(imageScore(Float32Array.from({ length: 50 }, (_, i) => i), null, 99, "tail-mean"), 49);
  // ties at the cut count once each, up to k
  assert.equal(imageScore(Float32Array.from([5, 5, 5, 5, 1, 0, 0, 0, 0, 0]), null, 80, "tail-mean"), 5);
  // the mask selects; NaN left out
  const mask = new Uint8Array(200);
  mask.fill(1, 0, 100); // values (i·37) mod 200 for i < 100
  const inside = vals.slice(0, 100).sort((a, b) => b - a);
  assert.equal(imageScore(map, mask, 98, "tail-mean"), (inside[0]! + inside[1]!) / 2);
  assert.equal(imageScore(Float32Array.from([NaN, 3, 1, NaN]), null, 50, "tail-mean"), 3);
  assert.equal(imageScore(map, new Uint8Array(200), 99, "tail-mean"), 0);
  // a large map (the bracket path, no copy) agrees with the sorted definition, with and without a mask and with ties
  const smooth = Float32Array.from({ length: 300 * 200 }, (_, i) => Math.sin(i * 7.31) * 1000);
  const top = Array.from(smooth).sort((a, b) => b - a).slice(0, 600);
  assert.ok(Math.abs(imageScore(smooth, null, 99, "tail-mean") - top.reduce((a, b) => a + b, 0) / 600) < 1e-9 * 1000);
  const big = Float32Array.from({ length: 300 * 200 }, (_, i) => Math.round((Math.sin(i * 7.31) * 1000) % 97));
  const bigMask = Uint8Array.from({ length: big.length }, (_, i) => (i % 3 ? 1 : 0));
  for (const [m, p] of [[null, 99], [null, 99.9], [bigMask, 99], [bigMask, 50]] as const) {
    const inside = Array.from(big).filter((_, i) => !m || m[i]).sort((a, b) => b - a);
    const k = Math.max(1, Math.ceil((inside.length * (100 - p)) / 100 - 1e-9));
    const want = inside.slice(0, k).reduce((a, b) => a + b, 0) / k;
    assert.ok(Math.abs(imageScore(big, m, p, "tail-mean") - want) < 1e-9 * Math.max(1, Math.abs(want)), `p${p} mask ${!!m}`);
  }
  // never below the percentile rule's score
  const rnd = Float32Array.from({ length: 5000 }, (_, i) => Math.sin(i * 12.9898) * 43758.5453 % 1);
  assert.ok(imageScore(rnd, null, 99, "tail-mean") >= imageScore(rnd, null, 99, "percentile"));
  assert.throws(() => imageScore(map, new Uint8Array(3), 99, "tail-mean"), InvalidInputError);
});

test("heatmapGrayAt: the gray level of a threshold inside, below and above the stretch", async () => {
  const { heatmapGrayAt } = await import("./heatmap.ts");
  assert.equal(heatmapGrayAt(1.5, [1, 2]), 128);
  assert.equal(heatmapGrayAt(0.5, [1, 2]), 0);
  assert.equal(heatmapGrayAt(2, [1, 2]), 255);
  assert.equal(heatmapGrayAt(2.01, [1, 2]), 256);
  assert.equal(heatmapGrayAt(1, [1, 1]), 0);
  // a map value at the threshold lands on that very gray level in heatmapToGray
  const thr = 1.37;
  const gray = heatmapToGray(Float32Array.from([1, thr, 2]), null, 3, 1, [1, 2]);
  assert.equal(gray[1], heatmapGrayAt(thr, [1, 2]));
});
