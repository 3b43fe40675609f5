import { test } from "node:test";
import assert from "node:assert/strict";
import { auroc } from "./auroc.ts";
import { aupro, proCurve, trapezoidTo } from "./aupro.ts";
import { seededRandom } from "../math/random.ts";
import { InvalidInputError } from "../errors.ts";
import { reference } from "../test-helpers.ts";

test("auroc: hand-computed case with ties", () => {
  // positives {0.9, 0.5}, negatives {0.5, 0.1}: pairs 1 + 1 + ½ + 1 = 3.5 of 4
  assert.equal(auroc([0.9, 0.5, 0.5, 0.1], [1, 1, 0, 0]), 0.875);
  assert.equal(auroc(new Float32Array([0.9, 0.5, 0.5, 0.1]), new Uint8Array([1, 1, 0, 0])), 0.875);
  assert.equal(auroc([1, 2, 3, 4], [0, 0, 1, 1]), 1);
  assert.equal(auroc([1, 2, 3, 4], [1, 1, 0, 0]), 0);
  assert.equal(auroc([3, 3, 3, 3], [1, 0, 1, 0]), 0.5);
  assert.ok(Number.isNaN(auroc([1, 2], [0, 0])));
  assert.throws(() => auroc([1, 2], [0]), InvalidInputError);
  assert.throws(() => auroc(new Float32Array([1, NaN]), [0, 1]), InvalidInputError);
});

test("auroc: equals scipy's Mann–Whitney U / (n₁·n₂) on data with many ties (fixture)", () => {
  const ref = reference().auroc;
  assert.ok(Math.abs(auroc(Float32Array.from(ref.scores), Uint8Array.from(ref.labels)) - ref.expected) < 1e-12);
  assert.ok(Math.abs(auroc(Float64Array.from(ref.scores), ref.labels) - ref.expected) < 1e-12);
});

test("auroc: 10M pixels (prints the time; the radix path sorts once)", (t) => {
  const n = 10_000_000;
  const r = seededRandom(5);
  const scores = new Float32Array(n);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = r() < 0.02 ? 1 : 0;
    scores[i] = r() + (labels[i] ? 0.5 : 0);
  }
  const t0 = performance.now();
  const a = auroc(scores, labels);
  const ms = performance.now() - t0;
  // uniform(0,1)+0.5 vs uniform(0,1): P(X > Y) = 1 − ½·½·½ = 0.875
  assert.ok(Math.abs(a - 0.875) < 0.002, String(a));
  t.diagnostic(`auroc on ${n} pixels: ${ms.toFixed(0)} ms`);
});

test("aupro: tiny hand-computed case", () => {
  // one 4×1 image; GT pixels 0 and 2 are two separate regions (not 8-adjacent), pixels 1 and 3 are negative
  // scores descending: 0.9 (region A) → (fpr 0, pro ½); 0.8 (neg) → (½, ½); 0.7 (region B) → (½, 1); 0.1 → (1, 1)
  const maps = [new Float32Array([0.9, 0.8, 0.7, 0.1])];
  const gts = [new Uint8Array([1, 0, 1, 0])];
  const sizes = [{ w: 4, h: 1 }];
  const c = proCurve(maps, gts, sizes);
  assert.deepEqual(Array.from(c.fprs), [0, 0, 0.5, 0.5, 1]);
  assert.deepEqual(Array.from(c.pros), [0, 0.5, 0.5, 1, 1]);
  assert.equal(c.numRegions, 2);
  assert.equal(c.numOkPixels, 2);
  // ∫₀¹ = ½·½ + ½·1 = 0.75; ∫₀^0.3 = 0.3·½ → /0.3 = 0.5
  assert.equal(aupro(maps, gts, sizes, 1), 0.75);
  assert.ok(Math.abs(aupro(maps, gts, sizes, 0.3) - 0.5) < 1e-12);
  // a perfect map: every GT pixel above every negative → AUPRO 1
  assert.equal(aupro([new Float32Array([0.9, 0.1, 0.8, 0.2])], gts, sizes), 1);
});

test("aupro: per-region averaging (a small region counts as much as a large one)", () => {
  // 6×1: region A = pixels 0-1 (size 2, adjacent), region B = pixel 4; negatives 2, 3, 5
  const gts = [new Uint8Array([1, 1, 0, 0, 1, 0])];
  const maps = [new Float32Array([0.9, 0.2, 0.3, 0.1, 0.8, 0.05])];
  const c = proCurve(maps, gts, [{ w: 6, h: 1 }]);
  // thresholds: .9 → A half (pro ¼); .8 → B (¾); .3 → neg (fpr ⅓); .2 → A full (pro 1); .1, .05 negs
  assert.deepEqual(Array.from(c.pros), [0, 0.25, 0.75, 0.75, 1, 1, 1]);
  assert.deepEqual(Array.from(c.fprs).map((v) => +v.toFixed(6)), [0, 0, 0, 0.333333, 0.333333, 0.666667, 1]);
});

test("aupro: equals the MVTec AD reference implementation (fixture, several images, ties, a defect-free image)", () => {
  const ref = reference().aupro;
  const maps = (ref.maps as number[][]).map((m) => Float32Array.from(m));
  const gts = (ref.gts as number[][]).map((g) => Uint8Array.from(g));
  const sizes = maps.map(() => ({ w: ref.w, h: ref.h }));
  for (const [lim, expected] of Object.entries(ref.expected as Record<string, number>)) {
    assert.ok(Math.abs(aupro(maps, gts, sizes, Number(lim)) - expected) < 1e-9, `limit ${lim}`);
  }
});

test("aupro: input validation; trapezoidTo interpolates at the limit", () => {
  assert.throws(() => aupro([new Float32Array(4)], [new Uint8Array(4)], [{ w: 4, h: 1 }]), /at least one ground-truth region/);
  assert.throws(() => aupro([new Float32Array(2)], [new Uint8Array([1, 1])], [{ w: 2, h: 1 }]), /negative pixel/);
  assert.throws(() => aupro([new Float32Array(3)], [new Uint8Array(4)], [{ w: 4, h: 1 }]), InvalidInputError);
  assert.throws(() => aupro([new Float32Array(4)], [new Uint8Array([1, 0, 0, 0])], [{ w: 4, h: 1 }], 0), InvalidInputError);
  assert.equal(trapezoidTo([0, 1], [0, 1], 0.5), 0.125);
  assert.equal(trapezoidTo([0, 0.5, 0.5, 1], [0, 0, 1, 1], 0.75), 0.25);
});
