import { test } from "node:test";
import assert from "node:assert/strict";
import { bootstrapInterval, frrAtRecall, okResampleInterval, pairedBootstrap, recallAtFrr, rejectedAcross } from "./operating-point.ts";
import { auroc } from "./auroc.ts";
import { InvalidInputError } from "../errors.ts";

// 10 good crops scored 0..9, 4 defective ones scored 3.5, 8.5, 9.5, 12
const scores = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 3.5, 8.5, 9.5, 12];
const labels = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1];

test("frrAtRecall: threshold at the ⌈recall·n⌉-th highest defective score", () => {
  // 75 % → 3rd highest defect 8.5: good ≥ 8.5 is {9} → 0.1
  assert.equal(frrAtRecall(scores, labels, 0.75), 0.1);
  // 95 % of 4 → all 4 → lowest defect 3.5: good ≥ 3.5 are 4..9 → 0.6
  assert.equal(frrAtRecall(scores, labels, 0.95), 0.6);
  assert.equal(frrAtRecall(scores, labels, 0.25), 0);
});

test("recallAtFrr: only scores above the (⌊frr·n⌋+1)-th highest good score", () => {
  assert.equal(recallAtFrr(scores, labels, 0), 0.5); // above 9: 9.5, 12
  assert.equal(recallAtFrr(scores, labels, 0.1), 0.75); // above 8: 8.5, 9.5, 12
  assert.equal(recallAtFrr(scores, labels, 0.05), 0.5); // ⌊0.5⌋ = 0 good rejects allowed
});

test("operating points refuse one-class or mismatched input", () => {
  assert.throws(() => frrAtRecall([1, 2], [0, 0], 0.95), InvalidInputError);
  assert.throws(() => recallAtFrr([1, 2], [1], 0.01), InvalidInputError);
  assert.throws(() => frrAtRecall(scores, labels, 0), InvalidInputError);
  assert.throws(() => recallAtFrr(scores, labels, 1), InvalidInputError);
});

test("bootstrapInterval: known answers, the point value inside, the same interval for the same seed, wider with fewer crops", () => {
  // perfectly separated: every resample is separated too
  const sep = bootstrapInterval([0, 1, 2, 5, 6, 7], [0, 0, 0, 1, 1, 1], auroc, { draws: 200 });
  assert.deepEqual([sep.value, sep.low, sep.high], [1, 1, 1]);
  // every defective crop above every good one but the lowest: FRR at 75 % recall is 0.1 here, the interval spans it
  const frr = (s: number[], l: number[]) => frrAtRecall(s, l, 0.75);
  const iv = bootstrapInterval(scores, labels, frr, { draws: 500, seed: 3 });
  assert.equal(iv.value, 0.1);
  assert.ok(iv.low <= iv.value && iv.value <= iv.high && iv.low >= 0 && iv.high <= 1, JSON.stringify(iv));
  assert.ok(iv.high > iv.low, "4 defective crops cannot pin it down");
  assert.deepEqual(bootstrapInterval(scores, labels, frr, { draws: 500, seed: 3 }), iv);
  assert.equal(iv.draws, 500);
  assert.equal(iv.level, 0.95);
  // the same two score distributions with 10× the crops: a narrower interval
  const big = Array.from({ length: 10 }, () => scores).flat(), bigL = Array.from({ length: 10 }, () => labels).flat();
  const a = bootstrapInterval(scores, labels, auroc, { draws: 400 }), b = bootstrapInterval(big, bigL, auroc, { draws: 400 });
  assert.ok(b.high - b.low < a.high - a.low, `${b.high - b.low} < ${a.high - a.low}`);
  assert.throws(() => bootstrapInterval(scores, labels, auroc, { draws: 5 }), InvalidInputError);
  assert.throws(() => bootstrapInterval(scores, labels, auroc, { level: 1 }), InvalidInputError);
  assert.throws(() => bootstrapInterval([1, 2], [0, 0], auroc), InvalidInputError);
});

test("pairedBootstrap: the same run differs by nothing; a run that separates every crop is better in every draw; A/B swapped negates", () => {
  const same = pairedBootstrap(scores, scores, labels, auroc, { draws: 200 });
  assert.deepEqual([same.delta, same.low, same.high, same.shareAbove, same.shareBelow], [0, 0, 0, 0, 0]);
  // B: the defective crops scored above every good one (AUROC 1); A's AUROC is 0.85 (6 of 40 pairs misordered)
  const better = scores.map((s, i) => (labels[i] ? s + 10 : s));
  const p = pairedBootstrap(scores, better, labels, auroc, { draws: 300, seed: 5 });
  assert.equal(p.a, auroc(scores, labels));
  assert.equal(p.b, 1);
  assert.equal(p.delta, 1 - p.a);
  assert.equal(p.shareBelow, 0);
  assert.ok(p.low >= 0 && p.low <= p.delta && p.delta <= p.high, JSON.stringify(p));
  const q = pairedBootstrap(better, scores, labels, auroc, { draws: 300, seed: 5 });
  assert.deepEqual([q.delta, q.low, q.high, q.shareAbove, q.shareBelow], [-p.delta, -p.high, 0 - p.low, p.shareBelow, p.shareAbove]);
  assert.equal(p.draws, 300);
  assert.equal(p.level, 0.95);
});

test("pairedBootstrap: crops both runs find hard cancel out (narrower than either run's own interval); bad input refused", () => {
  // B = A plus a small lift of every defective crop: the two runs share every hard crop, so the difference is certain
  // while each run on its own cannot be pinned down by 4 defective crops
  const lifted = scores.map((s, i) => (labels[i] ? s + 0.6 : s));
  const p = pairedBootstrap(scores, lifted, labels, auroc, { draws: 400 });
  const own = bootstrapInterval(scores, labels, auroc, { draws: 400 });
  assert.ok(p.high - p.low < own.high - own.low, `${p.high - p.low} < ${own.high - own.low}`);
  assert.equal(p.shareBelow, 0, "lifting defective scores never lowers AUROC");
  // the paired draws are bootstrapInterval's draws: run A's values over them give bootstrapInterval's interval
  const viaPaired = pairedBootstrap(lifted.map(() => 0), scores, labels, auroc, { draws: 400 });
  assert.deepEqual([viaPaired.low, viaPaired.high], [own.low - 0.5, own.high - 0.5]);
  assert.throws(() => pairedBootstrap(scores, scores.slice(1), labels, auroc), InvalidInputError);
  assert.throws(() => pairedBootstrap([1, 2], [1, 2], [1, 1], auroc), InvalidInputError);
  assert.throws(() => pairedBootstrap(scores, scores, labels, auroc, { draws: 3 }), InvalidInputError);
});

test("okResampleInterval: a threshold calibrated on resampled OK scores, and what it gives, over the same draws", () => {
  // 100 OK scores 0..99 and a max rule: every resample's maximum is one of the scores, at most 99
  const ok = Array.from({ length: 100 }, (_, i) => i);
  const max = (s: number[]) => Math.max(...s);
  const thr = okResampleInterval(ok, max, (t) => t, { draws: 400 });
  assert.equal(thr.value, 99);
  assert.equal(thr.high, 99);
  assert.ok(thr.low >= 90 && thr.low < 99, `a resample misses 99 in ~37 % of draws: low ${thr.low}`);
  // what the threshold gives, over the same draws (same seed): the share of 5 defective scores 95..99 at or above it
  const defective = [95, 96, 97, 98, 99];
  const recall = okResampleInterval(ok, max, (t) => defective.filter((s) => s >= t).length / defective.length, { draws: 400 });
  assert.equal(recall.value, 0.2);
  assert.equal(recall.low, 0.2, "the highest threshold a resample can give is the point value's");
  assert.ok(recall.high > 0.2, JSON.stringify(recall));
  // one OK score: nothing to resample but itself
  const one = okResampleInterval([3], max, (t) => t, { draws: 20 });
  assert.deepEqual([one.value, one.low, one.high], [3, 3, 3]);
  assert.throws(() => okResampleInterval([], max, (t) => t), InvalidInputError);
  assert.throws(() => okResampleInterval(ok, max, (t) => t, { draws: 1 }), InvalidInputError);
});

test("rejectedAcross: the share at or over a threshold anywhere in a range, [at its high end, at its low end]", () => {
  assert.deepEqual(rejectedAcross({ low: 2, high: 4 }, [1, 2, 3, 4, 5]), [0.4, 0.8]); // ≥ 4: {4, 5}; ≥ 2: {2, 3, 4, 5}
  assert.deepEqual(rejectedAcross({ low: 3, high: 3 }, [1, 2, 3, 4]), [0.5, 0.5]);
  assert.equal(rejectedAcross({ low: 0, high: 1 }, []), null);
  // the same as the percentile range of the share over okResampleInterval's draws (a share falls as the threshold rises)
  const ok = Array.from({ length: 50 }, (_, i) => i), defective = [44, 46, 47, 48, 49];
  const max = (s: number[]) => Math.max(...s);
  const range = okResampleInterval(ok, max, (t) => t, { draws: 300 });
  const share = okResampleInterval(ok, max, (t) => defective.filter((s) => s >= t).length / defective.length, { draws: 300 });
  assert.deepEqual(rejectedAcross(range, defective), [share.low, share.high]);
});
