import { test } from "node:test";
import assert from "node:assert/strict";
import { InvalidInputError } from "../errors.ts";
import { linePromise, PROMISE_TOLERANCE, type LineCounts } from "./line-promise.ts";
import { wilsonInterval } from "./rates.ts";

const none: LineCounts = { ngGood: 0, ngDefect: 0, ngPending: 0, okGood: 0, okPending: 0, okDefect: 0 };
const Z2 = 1.959963984540054 ** 2;

test("linePromise: no inspections tell nothing", () => {
  const r = linePromise(none, 0.01);
  assert.equal(r.inspections, 0);
  assert.equal(r.goodParts, 0);
  assert.equal(r.rateLow, null);
  assert.equal(r.rateHigh, null);
  assert.deepEqual(r.interval95, { lower: 0, upper: 1 });
  assert.equal(r.verdict, "open");
});

test("linePromise: 200 good parts, no NG call: the 95 % upper bound 1.88 % is within 1 % + 2 points, kept", () => {
  const r = linePromise({ ...none, okGood: 20, okPending: 180 }, 0.01);
  assert.equal(r.goodParts, 200);
  assert.equal(r.rateLow, 0);
  assert.equal(r.rateHigh, 0);
  const upper = Z2 / 200 / (1 + Z2 / 200); // Wilson with k = 0
  assert.ok(Math.abs(r.interval95.upper - upper) < 1e-12 && Math.abs(upper - 0.018845) < 1e-6, `${r.interval95.upper}`);
  assert.equal(r.verdict, "kept");
  // 100 good parts are too few for the same promise: the upper bound 3.70 % is over 3 %
  assert.equal(linePromise({ ...none, okPending: 100 }, 0.01).verdict, "open");
});

test("linePromise: 10 false rejects in 100 good parts against 1 % promised: broken", () => {
  const r = linePromise({ ...none, okPending: 88, okGood: 2, ngGood: 10, ngDefect: 5, okDefect: 1 }, 0.01);
  assert.equal(r.inspections, 106);
  assert.equal(r.goodParts, 100);
  assert.equal(r.falseRejects, 10);
  assert.equal(r.missesFound, 1);
  assert.equal(r.rateLow, 0.1);
  assert.ok(r.interval95.lower > 0.01 + PROMISE_TOLERANCE, `${r.interval95.lower}`);
  assert.equal(r.interval95.lower, wilsonInterval(10, 100).lower);
  assert.equal(r.verdict, "broken");
  // the same counts against a promise of 10 %: neither kept (upper bound 17 %) nor broken
  assert.equal(linePromise({ ...none, okPending: 90, ngGood: 10 }, 0.1).verdict, "open");
});

test("linePromise: NG calls pending review bound the rate from both sides", () => {
  const r = linePromise({ ...none, okPending: 190, ngPending: 10 }, 0.01);
  assert.equal(r.goodParts, 190);
  assert.equal(r.pendingNg, 10);
  assert.equal(r.rateLow, 0);
  assert.equal(r.rateHigh, 10 / 200);
  assert.equal(r.interval95.lower, 0);
  assert.equal(r.interval95.upper, wilsonInterval(10, 200).upper);
  assert.equal(r.verdict, "open", "reviewing the 10 NG calls decides it");
  assert.equal(linePromise({ ...none, okPending: 190, ngDefect: 10 }, 0.01).verdict, "kept", "all 10 reviewed as defects");
  // all 10 reviewed as good parts: 5 %, but its 95 % lower bound (2.7 %) is not yet over 1 % + 2 points
  assert.equal(linePromise({ ...none, okPending: 190, ngGood: 10 }, 0.01).verdict, "open");
  assert.equal(linePromise({ ...none, okPending: 380, ngGood: 20 }, 0.01).verdict, "broken", "twice as many: lower bound 3.3 %");
});

test("linePromise: without a promise the verdict stays open; bad counts and rates are refused", () => {
  assert.equal(linePromise({ ...none, okPending: 1000 }, null).verdict, "open");
  assert.throws(() => linePromise({ ...none, okPending: -1 }, 0.01), InvalidInputError);
  assert.throws(() => linePromise({ ...none, okPending: 1.5 }, 0.01), InvalidInputError);
  assert.throws(() => linePromise(none, Number.NaN), InvalidInputError);
  assert.throws(() => linePromise(none, 1.5), InvalidInputError);
});
