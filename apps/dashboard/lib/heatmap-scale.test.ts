import { test } from "node:test";
import assert from "node:assert/strict";
import { jetColor, jetGradient, thresholdOnScale } from "./heatmap-scale.ts";

test("jetColor: blue at 0, green in the middle, red at 1 (the service's ramp)", () => {
  assert.equal(jetColor(0), "rgb(0 0 128)");
  assert.equal(jetColor(0.5), "rgb(128 255 128)");
  assert.equal(jetColor(1), "rgb(128 0 0)");
  assert.match(jetGradient(), /^linear-gradient\(to right, rgb\(0 0 128\) 0%.*rgb\(128 0 0\) 100%\)$/);
});

test("thresholdOnScale: a fraction inside, or above / below the scale", () => {
  assert.equal(thresholdOnScale(1.5, [1, 2]), 0.5);
  assert.equal(thresholdOnScale(3, [1, 2]), "above");
  assert.equal(thresholdOnScale(0.5, [1, 2]), "below");
});
