import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { maskPathFor, readMask } from "./masks.ts";

/** A 6 × 4 one-channel mask whose pixels (1, 1) and (2, 1) hold `on`, (4, 2) holds `other`, the rest 0. */
async function maskPng(on: number, other = 0, depth: "8" | "16" = "8"): Promise<Buffer> {
  const px = Buffer.alloc(6 * 4);
  px[1 * 6 + 1] = on;
  px[1 * 6 + 2] = on;
  px[2 * 6 + 4] = other;
  const img = sharp(px, { raw: { width: 6, height: 4, channels: 1 } });
  return depth === "16" ? img.toColourspace("grey16").png().toBuffer() : img.png().toBuffer();
}
const ones = (m: Uint8Array) => [...m.keys()].filter((i) => m[i] === 1);

test("readMask: 0/255, 0/1 and class-index masks all give their defect pixels; a faint value in a 0/255 mask does not", async () => {
  const dir = mkdtempSync(join(tmpdir(), "bdi-masks-"));
  try {
    const cases: Array<[string, Buffer, number[]]> = [
      ["0-255", await maskPng(255), [7, 8]],
      ["0-1", await maskPng(1), [7, 8]],
      ["class indices", await maskPng(1, 2), [7, 8, 16]],
      ["0-255 with a faint speck (a lossy save)", await maskPng(255, 20), [7, 8]],
      ["16-bit", await maskPng(255, 0, "16"), [7, 8]],
      ["empty", await maskPng(0), []],
    ];
    for (const [name, png, want] of cases) {
      const p = join(dir, `${name}.png`);
      writeFileSync(p, png);
      assert.deepEqual(ones(await readMask(p, 6, 4)), want, name);
    }
    // resized to the crop by nearest neighbour: twice the size, each defect pixel a 2 × 2 block
    const big = await readMask(join(dir, "0-1.png"), 12, 8);
    assert.deepEqual(ones(big), [26, 27, 28, 29, 38, 39, 40, 41]);
    assert.deepEqual(ones(await readMask(null, 6, 4)), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("maskPathFor: <stem>_mask first, then <stem>, in any lossless image format; null when there is none", () => {
  const dir = mkdtempSync(join(tmpdir(), "bdi-masks-"));
  try {
    mkdirSync(join(dir, "ground_truth", "crack"), { recursive: true });
    const at = (name: string) => join(dir, "ground_truth", "crack", name);
    for (const name of ["001_mask.png", "001.png", "002.bmp", "003_mask.tif"]) writeFileSync(at(name), "");
    assert.equal(maskPathFor(dir, "crack", "001"), at("001_mask.png"));
    assert.equal(maskPathFor(dir, "crack", "002"), at("002.bmp"));
    assert.equal(maskPathFor(dir, "crack", "003"), at("003_mask.tif"));
    assert.equal(maskPathFor(dir, "crack", "004"), null);
    assert.equal(maskPathFor(dir, "pit", "001"), null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
