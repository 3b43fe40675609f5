import { test } from "node:test";
import assert from "node:assert/strict";
import { letterboxGeometry, gridToCrop, cropCellRect, cropInputWindow } from "./letterbox.ts";
import { gaussianBlur } from "../math/blur.ts";
import { seededRandom } from "../math/random.ts";
import { buildMask, parseShapeJson, parseShapeValue, shapeArea, fullShape, resolveShape } from "./shape.ts";
import { labelComponents } from "./components.ts";
import { RoiShapeSchema } from "../schemas/shape.ts";
import { ShapeError, InvalidInputError } from "../errors.ts";
import { resampleBilinear } from "../math/resize.ts";

test("letterboxGeometry: legacy numbers (512×208 into 448, square, tall)", () => {
  assert.deepEqual(letterboxGeometry(512, 208, 448), { size: 448, scale: 0.875, nw: 448, nh: 182, left: 0, top: 133 });
  assert.deepEqual(letterboxGeometry(300, 300, 448), { size: 448, scale: 448 / 300, nw: 448, nh: 448, left: 0, top: 0 });
  const tall = letterboxGeometry(100, 400, 448);
  assert.equal(tall.nw, 112);
  assert.equal(tall.nh, 448);
  assert.equal(tall.left, 168);
  assert.equal(tall.top, 0);
  // Python round: 301·(448/896) = 150.5 → 150 (half to even)
  assert.equal(letterboxGeometry(896, 301, 448).nh, 150);
  // extreme aspect ratios keep at least one pixel
  assert.equal(letterboxGeometry(10000, 1, 448).nh, 1);
  assert.throws(() => letterboxGeometry(0, 10, 448), InvalidInputError);
});

test("cropCellRect: the rectangle of cells the crop overlaps; cells over the letterbox bars are left out", () => {
  // content rows 133..314 of 448; cells are 14 px: rows 9..22
  assert.deepEqual(cropCellRect(32, 32, letterboxGeometry(512, 208, 448)), { row: 9, col: 0, rows: 14, cols: 32 });
  assert.deepEqual(cropCellRect(32, 32, letterboxGeometry(64, 64, 448)), { row: 0, col: 0, rows: 32, cols: 32 });
  // 204 × 512 at 768: content columns 231..536 → stride-8 cells 28..67 (231 / 8 = 28.9, 537 / 8 = 67.1)
  assert.deepEqual(cropCellRect(96, 96, letterboxGeometry(204, 512, 768)), { row: 0, col: 28, rows: 96, cols: 40 });
  assert.deepEqual(cropCellRect(96, 96, letterboxGeometry(300, 300, 768)), { row: 0, col: 0, rows: 96, cols: 96 });
  assert.deepEqual(cropCellRect(96, 96, letterboxGeometry(1000, 1, 768)), { row: 47, col: 0, rows: 1, cols: 96 });
  // every cell, one by one: inside the rectangle iff its footprint overlaps the crop
  for (const geom of [letterboxGeometry(512, 208, 768), letterboxGeometry(333, 517, 768), letterboxGeometry(1000, 3, 448)]) {
    const { row, col, rows, cols } = cropCellRect(96, 96, geom);
    const { size, nw, nh, left, top } = geom;
    const over = (k: number, from: number, len: number) => (k * size) / 96 < from + len && ((k + 1) * size) / 96 > from;
    for (let r = 0; r < 96; r++) {
      for (let c = 0; c < 96; c++) {
        const inside = r >= row && r < row + rows && c >= col && c < col + cols;
        assert.equal(inside, over(r, top, nh) && over(c, left, nw), `cell ${r},${c}`);
      }
    }
  }
});

test("cropInputWindow: the crop's extent plus a margin, rounded out to the alignment, holding every valid stride-8 cell", () => {
  // 512×208 at 768: scale 1.5, content rows 228..539 → rows 224..543 (320 of 768), every column
  const wide = letterboxGeometry(512, 208, 768);
  assert.deepEqual(cropInputWindow(wide, 16), { x: 0, y: 224, w: 768, h: 320 });
  // tall (204×512, kolektorsdd): content columns 231..536 → 224..543
  const tall = letterboxGeometry(204, 512, 768);
  assert.deepEqual([tall.left, tall.nw], [231, 306]);
  assert.deepEqual(cropInputWindow(tall, 16), { x: 224, y: 0, w: 320, h: 768 });
  // a square crop needs the whole input; a 1-pixel-high crop one aligned band
  assert.deepEqual(cropInputWindow(letterboxGeometry(300, 300, 768), 16), { x: 0, y: 0, w: 768, h: 768 });
  assert.deepEqual(cropInputWindow(letterboxGeometry(1000, 1, 768), 16), { x: 0, y: 368, w: 768, h: 16 });
  // with a margin of letterbox kept around the crop, clipped to the square
  assert.deepEqual(cropInputWindow(wide, 16, 64), { x: 0, y: 160, w: 768, h: 448 });
  assert.deepEqual(cropInputWindow(tall, 16, 64), { x: 160, y: 0, w: 448, h: 768 });
  assert.deepEqual(cropInputWindow(letterboxGeometry(1000, 1, 768), 16, 64), { x: 0, y: 304, w: 768, h: 144 });
  assert.deepEqual(cropInputWindow(wide, 16, 400), { x: 0, y: 0, w: 768, h: 768 });
  // an alignment that does not divide the side: the whole square
  assert.deepEqual(cropInputWindow(wide, 14), { x: 0, y: 0, w: 768, h: 768 });
  assert.throws(() => cropInputWindow(wide, 0), InvalidInputError);
  assert.throws(() => cropInputWindow(wide, 16, -1), InvalidInputError);
  assert.throws(() => cropInputWindow(wide, 16, 1.5), InvalidInputError);
  // every valid cell of the 96×96 stride-8 grid lies inside the window
  for (const [geom, margin] of [wide, tall, letterboxGeometry(1000, 1, 768), letterboxGeometry(333, 517, 768)].flatMap((g) => [[g, 0], [g, 64]] as const)) {
    const w = cropInputWindow(geom, 16, margin);
    const { row, col, rows, cols } = cropCellRect(96, 96, geom);
    assert.ok(row * 8 >= w.y && (row + rows) * 8 <= w.y + w.h && col * 8 >= w.x && (col + cols) * 8 <= w.x + w.w, `cells ${row},${col} +${rows}×${cols} outside ${JSON.stringify(w)}`);
  }
});

test("gridToCrop: a map drawn in crop coordinates survives letterbox → grid → crop", () => {
  const cropW = 300;
  const cropH = 120;
  const size = 448;
  const gw = 64;
  const geom = letterboxGeometry(cropW, cropH, size);
  // smooth field in crop coordinates (pixel centres at integers)
  const f = (x: number, y: number) => Math.sin(x / 40) + Math.cos(y / 25) + x / 300;
  // forward: value of every grid cell = field at the cell centre mapped back into the crop (padding: clamp)
  const grid = new Float32Array(gw * gw);
  for (let j = 0; j < gw; j++) {
    for (let i = 0; i < gw; i++) {
      const u = ((i + 0.5) * size) / gw; // input-space coordinate (pixel edges at integers)
      const v = ((j + 0.5) * size) / gw;
      const cx = Math.min(cropW - 0.5, Math.max(0.5, ((u - geom.left) * cropW) / geom.nw)) - 0.5;
      const cy = Math.min(cropH - 0.5, Math.max(0.5, ((v - geom.top) * cropH) / geom.nh)) - 0.5;
      grid[j * gw + i] = f(cx, cy);
    }
  }
  const back = gridToCrop(grid, gw, gw, geom, cropW, cropH);
  assert.equal(back.length, cropW * cropH);
  let worst = 0;
  for (let y = 3; y < cropH - 3; y++) {
    for (let x = 3; x < cropW - 3; x++) worst = Math.max(worst, Math.abs(back[y * cropW + x]! - f(x, y)));
  }
  assert.ok(worst < 0.01, `max error ${worst}`);
  // the naive legacy stretch (no un-letterbox) is far off for this non-square crop
  const sx = gw / cropW;
  const sy = gw / cropH;
  const naive = resampleBilinear(grid, gw, gw, cropW, cropH, { scale: sx, offset: 0.5 * sx - 0.5 }, { scale: sy, offset: 0.5 * sy - 0.5 });
  let naiveWorst = 0;
  for (let y = 3; y < cropH - 3; y++) naiveWorst = Math.max(naiveWorst, Math.abs(naive[y * cropW + 150]! - f(150, y)));
  assert.ok(naiveWorst > 0.2, `naive error ${naiveWorst}`);
});

test("gridToCrop: equals 'upsample to input size, cut the content, resize to the crop' for a square crop", () => {
  const geom = letterboxGeometry(448, 448, 448);
  const grid = Float32Array.from({ length: 32 * 32 }, (_, i) => (i * 7919) % 101);
  const direct = gridToCrop(grid, 32, 32, geom, 448, 448);
  const sx = 32 / 448;
  const viaResize = resampleBilinear(grid, 32, 32, 448, 448, { scale: sx, offset: 0.5 * sx - 0.5 }, { scale: sx, offset: 0.5 * sx - 0.5 });
  for (let i = 0; i < direct.length; i++) assert.ok(Math.abs(direct[i]! - viaResize[i]!) < 1e-4);
});

test("shapes: pixel counts of rect, circle and annulus (pixel-centre test, legacy rounding)", () => {
  assert.equal(shapeArea({ kind: "rect", x: 2, y: 3, w: 5, h: 4 }, 20, 20), 20);
  assert.equal(shapeArea({ kind: "rect", x: 2.9, y: 3.9, w: 5.9, h: 4.9 }, 20, 20), 20); // int() truncates
  assert.equal(shapeArea({ kind: "rect", x: -3, y: -3, w: 6, h: 6 }, 20, 20), 9); // clipped
  assert.equal(shapeArea({ kind: "rect", x: 15, y: 15, w: 10, h: 10 }, 20, 20), 25);
  // d² ≤ r²: r=10 → 317 pixels (what cv2.circle(…, −1, LINE_8) fills)
  assert.equal(shapeArea({ kind: "circle", cx: 32, cy: 32, r: 10 }, 64, 64), 317);
  assert.equal(shapeArea({ kind: "circle", cx: 32, cy: 32, r: 5 }, 64, 64), 81);
  assert.equal(shapeArea({ kind: "circle", cx: 32, cy: 32, r: 1 }, 64, 64), 5);
  assert.equal(shapeArea({ kind: "annulus", cx: 32, cy: 32, r: 10, r_inner: 5 }, 64, 64), 317 - 81);
  // round(): cx 31.5 → 32 (half to even), r 9.6 → 10
  assert.equal(shapeArea({ kind: "circle", cx: 31.5, cy: 32.4, r: 9.6 }, 64, 64), 317);
  // a circle cut by the crop corner: Σ_{y=0..10} (⌊√(100 − y²)⌋ + 1) = 11+10+10+10+10+9+9+8+7+5+1 = 90
  assert.equal(shapeArea({ kind: "circle", cx: 0, cy: 0, r: 10 }, 64, 64), 90);
  for (const s of [
    { kind: "rect", x: 1, y: 2, w: 7, h: 3 },
    { kind: "circle", cx: 5, cy: 6, r: 4 },
    { kind: "annulus", cx: 7, cy: 5, r: 6, r_inner: 2 },
  ] as const) {
    const m = buildMask(s, 13, 11);
    assert.equal(m.reduce((a, b) => a + b, 0), shapeArea(s, 13, 11));
  }
  const m = buildMask({ kind: "circle", cx: 2, cy: 2, r: 1 }, 5, 5);
  assert.deepEqual(Array.from(m), [0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
  const a = buildMask({ kind: "annulus", cx: 2, cy: 2, r: 2, r_inner: 1 }, 5, 5);
  assert.deepEqual(Array.from(a), [0, 0, 1, 0, 0, 0, 1, 0, 1, 0, 1, 0, 0, 0, 1, 0, 1, 0, 1, 0, 0, 0, 1, 0, 0]);
});

test("parseShapeJson: missing → full crop, an unknown or absent kind refused naming the kinds; defaults from the crop size", () => {
  assert.deepEqual(parseShapeJson(undefined, 40, 30), fullShape(40, 30));
  assert.deepEqual(parseShapeJson(null, 40, 30), fullShape(40, 30));
  assert.deepEqual(parseShapeJson("  ", 40, 30), fullShape(40, 30));
  assert.deepEqual(parseShapeJson("null", 40, 30), fullShape(40, 30));
  assert.throws(() => parseShapeJson('{"kind":"polygon","pts":[]}', 40, 30), /unknown shape kind: must be one of rect, circle, annulus \(got "polygon"\)/);
  assert.throws(() => parseShapeJson('{"x":1}', 40, 30), /unknown shape kind: must be one of rect, circle, annulus \(got none\)/);
  assert.deepEqual(parseShapeJson('{"kind":"rect"}', 40, 30), { kind: "rect", x: 0, y: 0, w: 40, h: 30 });
  assert.deepEqual(parseShapeJson('{"kind":"circle"}', 40, 30), { kind: "circle", cx: 20, cy: 15, r: 15 });
  assert.deepEqual(parseShapeJson('{"kind":"annulus","r":12,"r_inner":null}', 40, 30), { kind: "annulus", cx: 20, cy: 15, r: 12, r_inner: 0 });
  // what the GUI sends
  assert.deepEqual(parseShapeJson('{"kind":"annulus","cx":50,"cy":50,"r":50,"r_inner":20,"extra":true}', 100, 100), {
    kind: "annulus",
    cx: 50,
    cy: 50,
    r: 50,
    r_inner: 20,
  });
  assert.deepEqual(resolveShape({ kind: "rect", w: 5 }, 8, 9), { kind: "rect", x: 0, y: 0, w: 5, h: 9 });
});

test("parseShapeJson: bad JSON, wrong types, zero area and shapes outside the crop are ShapeErrors", () => {
  const bad: Array<[string, RegExp]> = [
    ["{kind:rect}", /not valid JSON/],
    ["[1,2]", /must be a JSON object/],
    ["42", /must be a JSON object/],
    ['{"kind":"rect","w":"10"}', /field 'w'/],
    ['{"kind":"circle","r":1e999}', /field 'r'/],
    ['{"kind":"rect","w":0}', /zero area/],
    ['{"kind":"rect","w":0.9}', /zero area/],
    ['{"kind":"rect","h":-5}', /zero area/],
    ['{"kind":"circle","r":0.4}', /zero area/],
    ['{"kind":"annulus","r":5,"r_inner":5}', /zero area/],
    ['{"kind":"annulus","r":5,"r_inner":-1}', /r_inner/],
    ['{"kind":"rect","x":100,"y":0,"w":10,"h":10}', /outside/],
    ['{"kind":"circle","cx":-50,"cy":-50,"r":10}', /outside/],
  ];
  for (const [json, re] of bad) {
    assert.throws(() => parseShapeJson(json, 40, 30), (e: unknown) => e instanceof ShapeError && e.code === "invalid_shape" && re.test(e.message), json);
  }
  assert.throws(() => parseShapeValue({ kind: "rect" }, 0, 10), InvalidInputError);
});

test("RoiShapeSchema: discriminated on kind, finite numbers only", () => {
  assert.ok(RoiShapeSchema.safeParse({ kind: "circle", cx: 1, cy: 2, r: 3 }).success);
  assert.ok(!RoiShapeSchema.safeParse({ kind: "circle", cx: 1, cy: 2 }).success);
  assert.ok(!RoiShapeSchema.safeParse({ kind: "rect", x: 0, y: 0, w: Infinity, h: 1 }).success);
  assert.ok(!RoiShapeSchema.safeParse({ kind: "hexagon" }).success);
});

test("labelComponents: 8- and 4-connectivity, sizes", () => {
  // 1 1 0 0
  // 0 0 1 0
  // 1 0 0 0
  const img = new Uint8Array([1, 1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0]);
  const c8 = labelComponents(img, 4, 3, 8);
  assert.equal(c8.count, 2);
  assert.deepEqual(Array.from(c8.sizes), [8, 3, 1]);
  assert.equal(c8.labels[6], c8.labels[0]);
  const c4 = labelComponents(img, 4, 3, 4);
  assert.equal(c4.count, 3);
});

test("gridToCrop with σ equals gaussianBlur of the plain bilinear un-letterbox (letterboxed, square, tiny and upscaled crops; σ 0, 1, 2)", () => {
  const rnd = seededRandom(5);
  const cases: Array<[number, number, number, number]> = [
    // [cropW, cropH, input size, grid]
    [448, 448, 448, 32], [512, 208, 448, 32], [208, 512, 768, 96], [97, 301, 320, 40], [1, 7, 448, 32], [3, 2, 448, 32],
    [20, 11, 448, 32], [640, 480, 224, 16], [5, 5, 64, 8],
  ];
  for (const [w, h, size, g] of cases) {
    const geom = letterboxGeometry(w, h, size);
    const grid = Float32Array.from({ length: g * g }, () => rnd() * 2);
    // the two-step reference: bilinear through the letterbox (crop pixel centre → input → grid), then the blur
    const k = g / size;
    const bilinear = resampleBilinear(grid, g, g, w, h,
      { scale: (geom.nw / w) * k, offset: (geom.left + (0.5 * geom.nw) / w) * k - 0.5 },
      { scale: (geom.nh / h) * k, offset: (geom.top + (0.5 * geom.nh) / h) * k - 0.5 });
    for (const sigma of [0, 1, 2]) {
      const want = sigma > 0 ? gaussianBlur(bilinear, w, h, sigma) : bilinear;
      const got = gridToCrop(grid, g, g, geom, w, h, sigma);
      assert.equal(got.length, want.length);
      let max = 0;
      for (let i = 0; i < got.length; i++) max = Math.max(max, Math.abs(got[i]! - want[i]!));
      assert.ok(max < 1e-6, `${w}×${h} in ${size}, grid ${g}, σ ${sigma}: max diff ${max}`);
    }
  }
});
