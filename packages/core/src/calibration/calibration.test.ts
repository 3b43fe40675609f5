import { test } from "node:test";
import assert from "node:assert/strict";
import { legacyThreshold, finiteScores, percentileSources } from "./legacyRule.ts";
import { calibrationPromises, expectedRates, newSampleShareAtOrOver, scoreStats, confusionAt, rocCurve, rocAuc, wilsonInterval } from "./rates.ts";
import { EmptyScoresError, InvalidInputError } from "../errors.ts";
import { auroc } from "../metrics/auroc.ts";

test("legacyThreshold: the /calibrate_ng fixture (OK [10, 11, 13], NG [22]) → 17.48", () => {
  const r = legacyThreshold({ okScores: [10, 11, 13], ngScores: [22] });
  assert.ok(Math.abs(r.threshold - 17.48) < 1e-9, String(r.threshold));
  assert.equal(r.rule, "midpoint_p99ok_p5ng");
  assert.ok(Math.abs(r.pOk - 12.96) < 1e-12);
  assert.equal(r.pNg, 22);
  assert.ok(Math.abs(r.okMean - 34 / 3) < 1e-12);
  assert.equal(r.ngMean, 22);
  assert.equal(r.nOk, 3);
  assert.equal(r.nNg, 1);
});

test("legacyThreshold: no NG (absent, null or empty) → p99(OK)", () => {
  for (const ng of [undefined, null, []]) {
    const r = legacyThreshold({ okScores: [10, 11, 13], ngScores: ng });
    assert.equal(r.rule, "p99_ok");
    assert.ok(Math.abs(r.threshold - 12.96) < 1e-12);
    assert.equal(r.pNg, null);
    assert.equal(r.ngMean, 0);
  }
});

test("legacyThreshold: overlapping NG (p5(NG) ≤ p_ok) → p_ok × 1.02", () => {
  const r = legacyThreshold({ okScores: [10, 11, 13], ngScores: [12, 30, 31] });
  // p5([12, 30, 31]) = 12 + 0.1·18 = 13.8 > 12.96 → midpoint; use an NG below p_ok instead
  assert.equal(r.rule, "midpoint_p99ok_p5ng");
  const o = legacyThreshold({ okScores: [10, 11, 13], ngScores: [11.5, 30] });
  assert.equal(o.rule, "p99ok_x1.02");
  assert.ok(Math.abs(o.pNg! - (11.5 + 0.05 * 18.5)) < 1e-12);
  assert.ok(Math.abs(o.threshold - 12.96 * 1.02) < 1e-12);
  // equality goes to the ×1.02 branch (p_ng <= p_ok)
  assert.equal(legacyThreshold({ okScores: [5], ngScores: [5] }).rule, "p99ok_x1.02");
});

test("legacyThreshold: other percentile, non-finite scores dropped, errors", () => {
  const r = legacyThreshold({ okScores: [1, 2, 3, 4, NaN, Infinity], percentile: 50 });
  assert.equal(r.threshold, 2.5);
  assert.equal(r.nOk, 4);
  assert.throws(
    () => legacyThreshold({ okScores: [NaN] }),
    (e: unknown) => e instanceof EmptyScoresError && e.message === "Se requiere al menos 1 score OK para calibrar",
  );
  assert.throws(() => legacyThreshold({ okScores: [1], percentile: 150 }), InvalidInputError);
  assert.deepEqual(Array.from(finiteScores([1, -Infinity, 2])), [1, 2]);
});

test("wilsonInterval: known values", () => {
  // k = 0, n = 10: upper = z²/n / (1 + z²/n) = 0.2775…
  const z2 = 1.959963984540054 ** 2;
  assert.ok(Math.abs(wilsonInterval(0, 10).upper - z2 / 10 / (1 + z2 / 10)) < 1e-12);
  assert.equal(wilsonInterval(0, 10).lower, 0);
  const half = wilsonInterval(5, 10);
  assert.ok(Math.abs(half.lower + half.upper - 1) < 1e-12); // symmetric around 0.5
  assert.ok(Math.abs(half.upper - 0.7634) < 1e-4);
  assert.deepEqual(wilsonInterval(0, 0), { lower: 0, upper: 1 });
  assert.equal(wilsonInterval(10, 10).upper, 1);
  assert.throws(() => wilsonInterval(3, 2), InvalidInputError);
});

test("expectedRates: counts at the threshold (OK ≥ thr rejected, NG < thr missed) with upper bounds", () => {
  const r = expectedRates(0.5, [0.1, 0.2, 0.5, 0.7], [0.4, 0.6, 0.9]);
  assert.equal(r.falseRejects, 2);
  assert.equal(r.falseRejectRate, 0.5);
  assert.equal(r.misses, 1);
  assert.ok(Math.abs(r.missRate! - 1 / 3) < 1e-12);
  assert.equal(r.falseRejectRateUpper95, wilsonInterval(2, 4).upper);
  assert.equal(r.missRateUpper95, wilsonInterval(1, 3).upper);
  // the promises on new crops: the threshold is the OK score 0.5 (2 of 4 at or over it: 2 / 5), and lies half-way
  // through the NG gap (0.4, 0.6) (2 of 3 NG at or over it, + half a rank: 1 − 2.5 / 4 missed)
  assert.ok(Math.abs(r.promisedFalseRejectRate! - 2 / 5) < 1e-12);
  assert.ok(Math.abs(r.promisedMissRate! - (1 - 2.5 / 4)) < 1e-12);
  const none = expectedRates(1, [], null);
  assert.equal(none.falseRejectRate, null);
  assert.equal(none.promisedFalseRejectRate, null);
  assert.equal(none.promisedMissRate, null);
  assert.equal(none.missRate, null);
  assert.equal(none.falseRejectRateUpper95, 1);
});

test("scoreStats: numpy-style summary (population std)", () => {
  const s = scoreStats([2, 4, 4, 4, 5, 5, 7, 9, NaN]);
  assert.equal(s.n, 8);
  assert.equal(s.min, 2);
  assert.equal(s.max, 9);
  assert.equal(s.mean, 5);
  assert.equal(s.std, 2);
  assert.equal(s.p50, 4.5);
  assert.ok(Math.abs(s.p95 - 8.3) < 1e-12); // vi = 6.65 → 7 + 0.65·2
  assert.ok(Math.abs(s.p99 - 8.86) < 1e-12);
  assert.deepEqual(scoreStats([]), { n: 0, min: 0, max: 0, mean: 0, std: 0, p50: 0, p95: 0, p99: 0 });
});

const LABELLED = [
  { score: 0.1, label: "ok" },
  { score: 0.3, label: "ok" },
  { score: 0.5, label: "ng" },
  { score: 0.5, label: "ok" },
  { score: 0.7, label: "ng" },
  { score: 0.9, label: "ng" },
  { score: 0.95, label: "unlabeled" },
  { score: NaN, label: "ng" },
];

test("confusionAt: NG is positive, predicted NG when score ≥ threshold, unlabeled ignored", () => {
  const c = confusionAt(0.5, LABELLED);
  assert.deepEqual([c.tp, c.fp, c.tn, c.fn], [3, 1, 2, 0]);
  assert.equal(c.tpr, 1);
  assert.ok(Math.abs(c.fpr! - 1 / 3) < 1e-12);
  assert.equal(c.precision, 0.75);
  assert.ok(Math.abs(c.accuracy! - 5 / 6) < 1e-12);
  const strict = confusionAt(0.8, LABELLED);
  assert.deepEqual([strict.tp, strict.fp, strict.tn, strict.fn], [1, 0, 3, 2]);
  assert.equal(confusionAt(0.5, []).tpr, null);
});

test("rocCurve: one point per distinct score, monotone, consistent with confusionAt and auroc", () => {
  const pts = rocCurve(LABELLED);
  assert.equal(pts.length, 6); // start + 5 distinct scores
  assert.deepEqual(pts[0], { threshold: pts[0]!.threshold, tp: 0, fp: 0, tpr: 0, fpr: 0 });
  assert.ok(pts[0]!.threshold > 0.9);
  for (let i = 1; i < pts.length; i++) {
    assert.ok(pts[i]!.threshold < pts[i - 1]!.threshold);
    assert.ok(pts[i]!.fpr >= pts[i - 1]!.fpr && pts[i]!.tpr >= pts[i - 1]!.tpr);
    const c = confusionAt(pts[i]!.threshold, LABELLED);
    assert.equal(c.tp, pts[i]!.tp);
    assert.equal(c.fp, pts[i]!.fp);
  }
  assert.deepEqual(pts.at(-1), { threshold: 0.1, tp: 3, fp: 3, tpr: 1, fpr: 1 });
  const usable = LABELLED.filter((l) => l.label !== "unlabeled" && Number.isFinite(l.score));
  const a = auroc(usable.map((l) => l.score), usable.map((l) => (l.label === "ng" ? 1 : 0)));
  assert.ok(Math.abs(rocAuc(pts)! - a) < 1e-12);
  assert.deepEqual(rocCurve([]), []);
  assert.equal(rocAuc(rocCurve([{ score: 1, label: "ok" }])), null);
});

test("percentileSources: the OK scores the rule's percentile interpolates between", () => {
  // 100 scores 0..99 shuffled: p99 = 98.01, between the scores 98 and 99
  const scores = Array.from({ length: 100 }, (_, i) => (i * 37) % 100);
  const src = percentileSources(scores);
  assert.deepEqual(src.map((i) => scores[i]), [98, 99]);
  const t = legacyThreshold({ okScores: scores }).threshold;
  assert.ok(scores[src[0]!]! <= t && t <= scores[src[1]!]!);
  // the percentile on a score: that score alone (p50 of 5 scores = the median, 3, at index 4)
  assert.deepEqual(percentileSources([5, 1, 4, 2, 3], 50), [4]);
  assert.deepEqual(percentileSources([5, 1, 4, 2, 3], 100), [0]);
  // non-finite scores are ignored, as by the rule; ties keep the input order
  assert.deepEqual(percentileSources([NaN, 7, Infinity, 7, 1], 75), [1, 3]);
  assert.deepEqual(percentileSources([NaN]), []);
  assert.throws(() => percentileSources([1], 101), InvalidInputError);
});

test("newSampleShareAtOrOver: known answers on 1..100 (ranks i / (n + 1), linear inside a gap)", () => {
  const s = Array.from({ length: 100 }, (_, i) => i + 1);
  const rule = legacyThreshold({ okScores: s }); // 99.01: between the two highest, one score over it
  assert.ok(Math.abs(rule.threshold - 99.01) < 1e-9);
  assert.ok(Math.abs(newSampleShareAtOrOver(rule.threshold, s)! - 1.99 / 101) < 1e-12);
  assert.equal(expectedRates(rule.threshold, s).falseRejectRate, 0.01); // the share of the scores says 1 %
  assert.equal(newSampleShareAtOrOver(100, s), 1 / 101); // at the highest score: ranks alone
  assert.ok(Math.abs(newSampleShareAtOrOver(100.5, s)! - 0.5 / 101) < 1e-12); // over every score: the top gap
  assert.equal(newSampleShareAtOrOver(101, s), 0);
  assert.equal(newSampleShareAtOrOver(1, s), 100 / 101);
  assert.equal(newSampleShareAtOrOver(0, s), 1); // one bottom gap under the lowest score
  assert.equal(newSampleShareAtOrOver(50, [NaN, Infinity]), null);
  assert.equal(newSampleShareAtOrOver(2, [1]), 0); // a single score: no gap, the bound it is at
  assert.equal(newSampleShareAtOrOver(1, [1]), 0.5);
  assert.equal(newSampleShareAtOrOver(0, [1]), 1);
  assert.throws(() => newSampleShareAtOrOver(NaN, s), InvalidInputError);
  // continuous and non-increasing over a sweep
  let prev = 1;
  for (let t = -1; t <= 102; t += 0.125) {
    const v = newSampleShareAtOrOver(t, s)!;
    assert.ok(v <= prev + 1e-12 && prev - v <= 0.125 / 101 + 1e-12, `at ${t}: ${v} after ${prev}`);
    prev = v;
  }
});

test("newSampleShareAtOrOver: what new OK crops see, where the share of the scores promises half of it", () => {
  // seeded uniform scores: a new score is over t with probability 1 − t
  let a = 12345;
  const rnd = () => { a = (a + 0x6d2b79f5) >>> 0; let t = a; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
  for (const n of [100, 20]) {
    const draws = 4000;
    let truth = 0, promised = 0, share = 0, truthFixed = 0, promisedFixed = 0;
    for (let d = 0; d < draws; d++) {
      const s = Array.from({ length: n }, rnd);
      const t = legacyThreshold({ okScores: s }).threshold;
      truth += (1 - t) / draws;
      const r = expectedRates(t, s);
      promised += r.promisedFalseRejectRate! / draws;
      share += r.falseRejectRate! / draws;
      truthFixed += 0.1 / draws;
      promisedFixed += newSampleShareAtOrOver(0.9, s)! / draws;
    }
    // n = 100: realised 1.97 %, promised 1.97 %, the scores' share 1.0 %; n = 20: 5.7 %, 5.7 %, 5.0 %
    assert.ok(Math.abs(promised - truth) < 0.05 * truth, `n ${n}: promised ${promised} against ${truth} realised`);
    assert.ok(share < 0.9 * truth, `n ${n}: the scores' share ${share} is not below ${truth}`);
    // a threshold that does not depend on the scores: higher than the truth, by under one rank's share
    assert.ok(promisedFixed >= truthFixed && promisedFixed - truthFixed < 1 / (n + 1), `n ${n}, fixed threshold: ${promisedFixed}`);
  }
});

test("calibrationPromises: a stored calibration is held to the promise its threshold and scores make, whenever it was stored", () => {
  // the legacy rule on OK scores 1..100 (threshold 99.01): a calibration stored before session 25 recorded the share,
  // 1 / 100; what new OK crops see is (1 + 0.99) / 101
  const ok = Array.from({ length: 100 }, (_, i) => i + 1);
  const threshold = legacyThreshold({ okScores: ok }).threshold;
  const old = calibrationPromises({ threshold, okScores: ok, ngScores: null, storedFalseRejectRate: 0.01, storedMissRate: null });
  assert.ok(Math.abs(old.falseRejectRate! - 1.99 / 101) < 1e-12, String(old.falseRejectRate));
  assert.equal(old.missRate, null);
  // one stored since reads what it stored
  const fresh = expectedRates(threshold, ok);
  assert.equal(calibrationPromises({ threshold, okScores: ok, ngScores: null, storedFalseRejectRate: fresh.promisedFalseRejectRate, storedMissRate: null }).falseRejectRate, fresh.promisedFalseRejectRate);
  // NG scores give the miss promise: OK 10, 11, 13 and NG 12, 20, 30 (the contract test's fixture), threshold 13.2192
  const both = calibrationPromises({ threshold: 13.2192, okScores: [10, 11, 13], ngScores: [12, 20, 30], storedFalseRejectRate: 0, storedMissRate: 1 / 3 });
  assert.ok(Math.abs(both.falseRejectRate! - (1 - 0.2192 / 2) / 4) < 1e-12, String(both.falseRejectRate));
  assert.ok(Math.abs(both.missRate! - (1 - 2.8476 / 4)) < 1e-4, String(both.missRate));
  // without scores the stored rates stand (non-finite scores are not scores)
  assert.deepEqual(calibrationPromises({ threshold: 5, okScores: [], ngScores: null, storedFalseRejectRate: 0.02, storedMissRate: 0.1 }), { falseRejectRate: 0.02, missRate: 0.1 });
  assert.deepEqual(calibrationPromises({ threshold: 5, okScores: [Number.NaN], ngScores: [Number.NaN], storedFalseRejectRate: 0.02, storedMissRate: null }), { falseRejectRate: 0.02, missRate: null });
  assert.deepEqual(calibrationPromises({ threshold: Number.NaN, okScores: [1, 2], ngScores: null, storedFalseRejectRate: 0.5, storedMissRate: null }), { falseRejectRate: 0.5, missRate: null });
});
