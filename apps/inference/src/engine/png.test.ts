import { test } from "node:test";
import assert from "node:assert/strict";
import sharp from "sharp";
import { encodeGrayPng } from "./png.ts";

test("encodeGrayPng: a PNG that decoders read back pixel for pixel, at about sharp's size", async () => {
  for (const [w, h] of [[1, 1], [7, 3], [448, 449], [512, 208]] as const) {
    const gray = new Uint8Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) gray[y * w + x] = Math.round(127.5 + 127.5 * Math.sin(x / 17) * Math.cos(y / 23)) ^ ((x * y) % 7 === 0 ? 1 : 0);
    const png = encodeGrayPng(gray, w, h);
    const meta = await sharp(png).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height, meta.channels, meta.depth], ["png", w, h, 1, "uchar"]);
    const data = await sharp(png).extractChannel(0).raw().toBuffer();
    assert.ok(Buffer.from(gray).equals(data), `${w}×${h}: pixels differ`);
    if (w * h > 10_000) {
      const ref = await sharp(Buffer.from(gray), { raw: { width: w, height: h, channels: 1 } }).toColourspace("b-w").png({ compressionLevel: 3 }).toBuffer();
      assert.ok(png.length < ref.length * 1.5, `${png.length} bytes vs sharp's ${ref.length}`);
    }
  }
  assert.throws(() => encodeGrayPng(new Uint8Array(5), 2, 2), /2×2/);
});
