import { test } from "node:test";
import assert from "node:assert/strict";
import sharp from "sharp";
import { applyViewChange, parseTurn, parseTurns, parseViewChange, turnImage } from "./view-change.ts";

test("parseViewChange: gain and blur within their ranges; anything else refused", () => {
  assert.deepEqual(parseViewChange("gain:1.1"), { kind: "gain", value: 1.1 });
  assert.deepEqual(parseViewChange("blur:1"), { kind: "blur", value: 1 });
  assert.deepEqual(parseViewChange(" gain:.8 "), { kind: "gain", value: 0.8 });
  for (const bad of ["gain:0", "gain:5", "blur:0.1", "blur:11", "gain", "gain:", "gain:-1", "gain:1e3", "tint:1", "gain:NaN", ""]) {
    assert.throws(() => parseViewChange(bad), /--view must be/, bad);
  }
});

test("applyViewChange: gain scales every pixel (clipped at white), blur spreads an edge and keeps a flat field", async () => {
  const raw = (png: Buffer) => sharp(png).raw().toBuffer({ resolveWithObject: true });
  // left half 100, right half 240
  const px = Buffer.alloc(8 * 4 * 3);
  for (let y = 0; y < 4; y++) for (let x = 0; x < 8; x++) px.fill(x < 4 ? 100 : 240, (y * 8 + x) * 3, (y * 8 + x) * 3 + 3);
  const png = await sharp(px, { raw: { width: 8, height: 4, channels: 3 } }).png().toBuffer();
  const brighter = await raw(await applyViewChange(png, { kind: "gain", value: 1.1 }));
  assert.deepEqual([brighter.info.width, brighter.info.height, brighter.info.channels], [8, 4, 3]);
  assert.equal(brighter.data[0], 110);
  assert.equal(brighter.data[7 * 3], 255); // 264 clipped
  const blurred = (await raw(await applyViewChange(png, { kind: "blur", value: 1 }))).data;
  const at = (x: number) => blurred[(1 * 8 + x) * 3]!;
  assert.equal(at(0), 100); // far from the edge: unchanged
  assert.ok(at(3) > 100 && at(3) < 170 && at(4) > 170 && at(4) < 240, `edge ${at(3)}, ${at(4)}`);
});

test("parseTurn: a quarter, half or three-quarter turn; anything else refused", () => {
  assert.equal(parseTurn("90"), 90);
  assert.equal(parseTurn(" 270 "), 270);
  for (const bad of ["0", "45", "360", "-90", "90.0", "1e2", "ninety", ""]) assert.throws(() => parseTurn(bad), /--turn must be one of 90, 180, 270/, bad);
});

test("parseTurns: distinct orientations, 0 for the set as it is; anything else refused", () => {
  assert.deepEqual(parseTurns("0,90,180,270"), [0, 90, 180, 270]);
  assert.deepEqual(parseTurns(" 90 , 0"), [90, 0]);
  for (const bad of ["0,0", "0,45", "", "0,", "90,360", "0,90.0", "-90"]) assert.throws(() => parseTurns(bad), /--turns takes distinct values of 0, 90, 180, 270/, bad);
});

test("turnImage: clockwise, sizes swapped, every pixel kept; a 0/255 mask keeps its values", async () => {
  // 3 wide × 2 high, pixel (x, y) = 10·(y·3 + x) + 10
  const px = Buffer.from([10, 20, 30, 40, 50, 60]);
  const png = await sharp(px, { raw: { width: 3, height: 2, channels: 1 } }).png().toBuffer();
  // the first channel of each pixel (sharp writes grey as grey in every channel)
  const grey = async (b: Buffer) => {
    const { data, info } = await sharp(b).raw().toBuffer({ resolveWithObject: true });
    return { w: info.width, h: info.height, v: Array.from({ length: info.width * info.height }, (_, i) => data[i * info.channels]!) };
  };
  const t = await grey(await turnImage(png, 90));
  assert.deepEqual([t.w, t.h], [2, 3]);
  // a clockwise quarter turn: the bottom-left pixel comes to the top left, the top-left to the top right
  assert.deepEqual(t.v, [40, 10, 50, 20, 60, 30]);
  assert.deepEqual((await grey(await turnImage(png, 180))).v, [60, 50, 40, 30, 20, 10]);
  const mask = await sharp(Buffer.from([0, 255, 0, 0, 0, 0]), { raw: { width: 3, height: 2, channels: 1 } }).png().toBuffer();
  const m = await grey(await turnImage(mask, 270));
  // counter-clockwise: the top row's middle pixel comes to the left column's middle, and stays the only one
  assert.deepEqual([m.w, m.h, m.v], [2, 3, [0, 0, 255, 0, 0, 0]]);
});
