import { test } from "node:test";
import assert from "node:assert/strict";
import sharp from "sharp";
import { preprocess, probeImage, toInputPlanes, MAX_SIDE } from "./preprocess.ts";
import { BadImageError, ImageTooLargeError, EngineError } from "./errors.ts";
import { getBackboneEntry } from "@bdi/models";
import { brightnessTable } from "@bdi/core";

const entry = getBackboneEntry("mobilenetv2-1.4-mid");
const bb = { inputSize: 64, entry };

test("preprocess rejects empty, undecodable and truncated images with typed errors", async () => {
  await assert.rejects(preprocess(Buffer.alloc(0), bb), BadImageError);
  await assert.rejects(preprocess(Buffer.from("definitely not an image"), bb), BadImageError);
  const png = await sharp({ create: { width: 40, height: 20, channels: 3, background: "#808080" } }).png().toBuffer();
  await assert.rejects(preprocess(png.subarray(0, 30), bb), (e: unknown) => e instanceof EngineError && e.code === "bad_image");
});

test("preprocess rejects huge images (side > 16384 or > 40 MP) before decoding them", async () => {
  // a PNG header claiming 20000×10 pixels is enough to be refused by the size check
  const wide = await sharp({ create: { width: MAX_SIDE + 1, height: 2, channels: 3, background: "#000" } }).png().toBuffer();
  await assert.rejects(probeImage(wide), ImageTooLargeError);
  await assert.rejects(preprocess(wide, bb), ImageTooLargeError, "the PNG header path applies the same limits");
  const noPixels = Buffer.from(await sharp({ create: { width: 4, height: 4, channels: 3, background: "#000" } }).png().toBuffer());
  noPixels.writeUInt32BE(0, 16); // IHDR width 0
  await assert.rejects(preprocess(noPixels, bb), BadImageError);
  const big = await sharp({ create: { width: 7000, height: 6000, channels: 3, background: "#000" } }).png({ compressionLevel: 1 }).toBuffer();
  await assert.rejects(preprocess(big, bb), (e: unknown) => e instanceof ImageTooLargeError && e.httpStatus === 413);
});

test("letterbox: aspect kept, centred, black padding, RGB in [0,1], alpha dropped", async () => {
  // 40×20 white RGBA crop with half-transparent alpha → 64×32 centred in 64×64 (rows 16..47)
  const raw = Buffer.alloc(40 * 20 * 4, 255);
  for (let i = 3; i < raw.length; i += 4) raw[i] = 128;
  const png = await sharp(raw, { raw: { width: 40, height: 20, channels: 4 } }).png().toBuffer();
  const p = await preprocess(png, bb);
  assert.deepEqual([p.width, p.height], [40, 20]);
  assert.deepEqual([p.geometry.nw, p.geometry.nh, p.geometry.left, p.geometry.top], [64, 32, 0, 16]);
  const S = 64, plane = S * S;
  assert.equal(p.input.length, 3 * plane);
  assert.equal(p.input[0], 0, "top padding is black");
  assert.equal(p.input[2 * plane + 63 * S + 5], 0, "bottom padding is black");
  assert.ok(Math.abs(p.input[32 * S + 32] - 1) < 1e-6, "inside is white (alpha ignored like the legacy decode)");
});

test("imagenet normalisation for DINOv2-style entries", async () => {
  const dino = getBackboneEntry("dinov2-vits14");
  const png = await sharp({ create: { width: 10, height: 10, channels: 3, background: { r: 255, g: 0, b: 0 } } }).png().toBuffer();
  const p = await preprocess(png, { inputSize: 28, entry: dino });
  const plane = 28 * 28;
  assert.ok(Math.abs(p.input[14 * 28 + 14] - (1 - 0.485) / 0.229) < 1e-5);
  assert.ok(Math.abs(p.input[plane + 14 * 28 + 14] - (0 - 0.456) / 0.224) < 1e-5);
});

test("toInputPlanes: the image's bytes at their place in NCHW planes, the rest black in the manifest's units", () => {
  // a 2 × 1 image (RGB 255,0,0 then 0,0,255) at (1, 1) of a 3 × 2 canvas
  const rgb = Uint8Array.of(255, 0, 0, 0, 0, 255);
  const unit = toInputPlanes(rgb, 2, 1, 1, 1, 3, 2, entry.input);
  assert.deepEqual(Array.from(unit), [0, 0, 0, 0, 1, 0, /* G */ 0, 0, 0, 0, 0, 0, /* B */ 0, 0, 0, 0, 0, 1]);
  const dino = getBackboneEntry("dinov2-vits14").input;
  const n = toInputPlanes(rgb, 2, 1, 1, 1, 3, 2, dino);
  const black = [0, 1, 2].map((c) => -dino.mean![c]! / dino.std![c]!);
  assert.ok(Math.abs(n[0]! - black[0]!) < 1e-6 && Math.abs(n[6 + 5]! - black[1]!) < 1e-6, "black is −mean/std, not 0");
  assert.ok(Math.abs(n[4]! - (1 - 0.485) / 0.229) < 1e-5 && Math.abs(n[12 + 5]! - (1 - 0.406) / 0.225) < 1e-5);
  assert.throws(() => toInputPlanes(rgb, 2, 1, 2, 1, 3, 2, entry.input), /does not fit/);
  // a brightness gain's table folded in: the same floats as the bytes mapped first, the letterbox black as it was
  const img = Uint8Array.from({ length: 4 * 3 * 3 }, (_, i) => (i * 37) % 256);
  for (const spec of [entry.input, dino]) for (const gain of [0.8, 1.3]) {
    const table = brightnessTable(gain);
    const mapped = img.map((v) => table[v]!);
    assert.deepEqual(toInputPlanes(img, 4, 3, 1, 2, 6, 5, spec, table), toInputPlanes(mapped, 4, 3, 1, 2, 6, 5, spec));
  }
  assert.throws(() => toInputPlanes(img, 4, 3, 1, 2, 6, 5, entry.input, new Uint8Array(255)), /256 entries/);
});
