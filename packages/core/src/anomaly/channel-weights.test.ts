import { test } from "node:test";
import assert from "node:assert/strict";
import { applyChannelWeights, ChannelMoments, CHANNEL_WEIGHT_SHRINK, validChannelWeights, weighsChannels } from "./channel-weights.ts";
import { InvalidInputError } from "../errors.ts";

test("ChannelMoments.weights: sqrt(m / (v + s·m)) from known variances", () => {
  // channel 0 alternates 0 / 2 (variance 1), channel 1 alternates 1 / 1 (variance 0), channel 2 alternates -3 / 3 (variance 9)
  const m = new ChannelMoments(3);
  m.add(Float32Array.from([0, 1, -3, 2, 1, 3]), 2);
  m.add(Float32Array.from([0, 1, -3, 2, 1, 3, 99, 99, 99]), 2); // rows beyond `rows` are not read
  const mean = (1 + 0 + 9) / 3;
  const expect = (v: number, s: number) => Math.fround(Math.sqrt(mean / (v + s * mean)));
  assert.deepEqual([...m.weights(1)], [expect(1, 1), expect(0, 1), expect(9, 1)]);
  assert.deepEqual([...m.weights(0.5)], [expect(1, 0.5), expect(0, 0.5), expect(9, 0.5)]);
  assert.equal(CHANNEL_WEIGHT_SHRINK, 1);
  const w = m.weights();
  assert.ok(w[1]! > w[0]! && w[0]! > w[2]!, "the quiet channel gains, the loud one loses");
  assert.ok(w[1]! <= 1 / Math.sqrt(CHANNEL_WEIGHT_SHRINK) + 1e-7, "a constant channel is bounded by the shrink");
});

test("ChannelMoments.weights: constant features give weights of 1; bad input is refused", () => {
  const m = new ChannelMoments(2);
  m.add(Float32Array.from([0.5, 0.5, 0.5, 0.5]), 2);
  assert.deepEqual([...m.weights()], [1, 1]);
  assert.throws(() => new ChannelMoments(2).weights(), InvalidInputError); // no rows
  assert.throws(() => m.weights(0), InvalidInputError);
  assert.throws(() => m.weights(Number.NaN), InvalidInputError);
  assert.throws(() => m.add(new Float32Array(3), 2), InvalidInputError);
  assert.throws(() => new ChannelMoments(0), InvalidInputError);
});

test("applyChannelWeights scales every row in place, as a float32 product", () => {
  const f = Float32Array.from([1, 2, 3, 4, 5, 6]);
  const w = Float32Array.from([0.5, 1.5, 3]);
  applyChannelWeights(f, 2, w);
  assert.deepEqual([...f], [0.5, 3, 9, 2, 7.5, 18]);
  const g = Float32Array.from([0.1, 0.2, 0.3]);
  applyChannelWeights(g, 1, Float32Array.from([0.7, 0.7, 0.7]));
  assert.deepEqual([...g], [Math.fround(Math.fround(0.1) * Math.fround(0.7)), Math.fround(Math.fround(0.2) * Math.fround(0.7)), Math.fround(Math.fround(0.3) * Math.fround(0.7))]);
  assert.throws(() => applyChannelWeights(new Float32Array(5), 2, w), InvalidInputError);
  // every tail length after the steps of four, against the plain product
  for (const d of [1, 2, 3, 4, 5, 6, 7, 9]) {
    const x = Float32Array.from({ length: 3 * d }, (_, i) => 0.3 + i / 7);
    const wd = Float32Array.from({ length: d }, (_, c) => 0.2 + c / 3);
    const want = Array.from(x, (v, i) => Math.fround(v * wd[i % d]!));
    applyChannelWeights(x, 3, wd);
    assert.deepEqual([...x], want, `${d} channels`);
  }
});

test("weighsChannels: registered ROIs only; validChannelWeights checks length and values", () => {
  assert.equal(weighsChannels("positional"), true);
  assert.equal(weighsChannels("global"), false); // a texture, or a registered ROI too large for the positional memory
  assert.equal(validChannelWeights([1, 0.5], 2), true);
  assert.equal(validChannelWeights([1, 0.5], 3), false);
  assert.equal(validChannelWeights([1, 0], 2), false);
  assert.equal(validChannelWeights([1, Number.NaN], 2), false);
  assert.equal(validChannelWeights([1, Infinity], 2), false);
  assert.equal(validChannelWeights(null, 2), false);
});
