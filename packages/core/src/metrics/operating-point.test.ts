import { test } from "node:test";
import assert from "node:assert/strict";
import { frrAtRecall, recallAtFrr } from "./operating-point.ts";
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
