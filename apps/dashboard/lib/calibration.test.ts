import { test } from "node:test";
import assert from "node:assert/strict";
import { operatingPoint, thresholdRange } from "./calibration.ts";

test("the slider covers every score and the threshold, padded, with a round step", () => {
  const r = thresholdRange([0.2, 0.25, 0.3], [0.5])!;
  assert.ok(r.min <= 0.2 && r.max >= 0.5, JSON.stringify(r));
  assert.ok(r.min >= 0);
  assert.ok(Math.abs(r.step - 0.001) < 1e-12, String(r.step));
  assert.ok((r.max - r.min) / r.step <= 500);
});

test("degenerate ranges still give a usable slider", () => {
  assert.equal(thresholdRange([]), null);
  const r = thresholdRange([2, 2])!;
  assert.ok(r.min < 2 && r.max > 2);
  assert.equal(thresholdRange([Number.NaN], [null]), null);
});

test("operating point of a confusion matrix", () => {
  assert.deepEqual(operatingPoint({ tp: 9, fn: 1, tn: 90, fp: 10 }), { fpr: 0.1, tpr: 0.9 });
  assert.deepEqual(operatingPoint({ tp: 0, fn: 0, tn: 5, fp: 0 }), { fpr: 0, tpr: 0 });
  assert.equal(operatingPoint({ tp: 0, fn: 0, tn: 0, fp: 0 }), null);
});
