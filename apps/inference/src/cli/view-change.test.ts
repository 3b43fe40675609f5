import { test } from "node:test";
import assert from "node:assert/strict";
import sharp from "sharp";
import { applyViewChange, parseViewChange } from "./view-change.ts";

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
