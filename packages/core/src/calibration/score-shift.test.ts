import { test } from "node:test";
import assert from "node:assert/strict";
import { InvalidInputError } from "../errors.ts";
import { wilsonInterval } from "./rates.ts";
import { MIN_SHIFT_OK_SCORES, scoreShift, shiftTolerance, SHIFT_TOLERANCE, SHIFT_WINDOW } from "./score-shift.ts";

/** 101 OK scores 0, 0.01, …, 1: median 0.5, 90th percentile 0.9. */
const ok = Array.from({ length: 101 }, (_, i) => i / 100);
/** n line scores of which `above` lie over the OK median (0.9) and the rest under it (0.1). */
const line = (n: number, above: number) => Array.from({ length: n }, (_, i) => (i < above ? 0.9 : 0.1));

test("scoreShift: the OK scores' median and 90th percentile, the line's, the share above", () => {
  const r = scoreShift([0.2, 0.4, 0.6, 0.8, 1.0], ok);
  assert.equal(r.okScores, 101);
  assert.equal(r.okMedian, 0.5);
  assert.equal(r.okP90, 0.9);
  assert.equal(r.crops, 5);
  assert.equal(r.lineMedian, 0.6);
  assert.ok(Math.abs(r.lineP90! - 0.92) < 1e-12, `${r.lineP90}`);
  assert.equal(r.aboveOkMedian, 3);
  assert.equal(r.share, 0.6);
  assert.deepEqual(r.interval95, wilsonInterval(3, 5));
  assert.equal(r.tolerance, SHIFT_TOLERANCE);
  assert.equal(r.verdict, "open");
});

test("scoreShift: half of 200 crops above the OK median is steady; half of 50 is too few to tell", () => {
  const r = scoreShift(line(200, 100), ok);
  // Wilson 95 % for 100 of 200: 0.431–0.569, inside 0.4–0.6
  assert.ok(Math.abs(r.interval95.lower - 0.4314) < 1e-3 && Math.abs(r.interval95.upper - 0.5686) < 1e-3, JSON.stringify(r.interval95));
  assert.equal(r.verdict, "steady");
  assert.equal(scoreShift(line(100, 50), ok).verdict, "steady"); // 0.404–0.596
  assert.equal(scoreShift(line(50, 25), ok).verdict, "open"); // 0.366–0.634
});

test("scoreShift: 150 of 200 above the OK median reads higher, 60 of 200 lower", () => {
  const up = scoreShift(line(200, 150), ok);
  assert.ok(up.interval95.lower > 0.6, `${up.interval95.lower}`); // 0.686
  assert.equal(up.verdict, "higher");
  const down = scoreShift(line(200, 60), ok);
  assert.ok(down.interval95.upper < 0.4, `${down.interval95.upper}`); // 0.367
  assert.equal(down.verdict, "lower");
  // 130 of 200 (0.65): over the tolerance but not surely (lower bound 0.581): open, not higher
  assert.equal(scoreShift(line(200, 130), ok).verdict, "open");
});

test("scoreShift: a share of 35 % reads lower over the window's 500 crops, not over 200 (SHIFT_WINDOW's reason)", () => {
  assert.equal(SHIFT_WINDOW, 500);
  const wide = scoreShift(line(500, 175), ok);
  assert.ok(Math.abs(wide.interval95.upper - 0.3928) < 1e-3, `${wide.interval95.upper}`);
  assert.equal(wide.verdict, "lower");
  assert.equal(scoreShift(line(200, 70), ok).verdict, "open"); // upper bound 0.418
});

test("scoreShift: scores equal to the OK median are not above it; no line crops tell nothing", () => {
  assert.equal(scoreShift([0.5, 0.5, 0.5], ok).aboveOkMedian, 0);
  const none = scoreShift([], ok);
  assert.equal(none.crops, 0);
  assert.equal(none.share, null);
  assert.equal(none.lineMedian, null);
  assert.deepEqual(none.interval95, { lower: 0, upper: 1 });
  assert.equal(none.verdict, "open");
});

test("scoreShift: non-finite scores are ignored; no OK score or a bad tolerance is refused", () => {
  const r = scoreShift([NaN, 0.9, Infinity, 0.1], [NaN, ...ok]);
  assert.equal(r.crops, 2);
  assert.equal(r.okScores, 101);
  assert.throws(() => scoreShift([0.1], []), InvalidInputError);
  assert.throws(() => scoreShift([0.1], [NaN]), InvalidInputError);
  assert.throws(() => scoreShift([0.1], ok, NaN), InvalidInputError);
  assert.throws(() => scoreShift([0.1], ok, 0.5), InvalidInputError);
});

test("shiftTolerance: 10 points, wider when the OK median's own 95 % error is larger", () => {
  assert.equal(shiftTolerance(100), SHIFT_TOLERANCE); // 1.96 · 0.5 / 10 = 0.098
  assert.ok(Math.abs(shiftTolerance(20) - 0.21913) < 1e-4, `${shiftTolerance(20)}`);
  assert.ok(Math.abs(shiftTolerance(25) - 0.19600) < 1e-4, `${shiftTolerance(25)}`);
  for (const bad of [0, -1, 2.5, NaN]) assert.throws(() => shiftTolerance(bad), InvalidInputError);
});

test("scoreShift: 350 of 500 above reads higher against 101 OK scores, open against 25; fewer than 20 give no verdict", () => {
  const seventy = line(500, 350); // 70 %: Wilson 0.658–0.739
  assert.equal(scoreShift(seventy, ok).verdict, "higher");
  const ok25 = Array.from({ length: 25 }, (_, i) => i / 24); // median 0.5
  const r = scoreShift(seventy, ok25);
  assert.equal(r.tolerance, shiftTolerance(25));
  assert.equal(r.verdict, "open"); // 0.658 is not over 0.5 + 0.196
  assert.equal(scoreShift(line(500, 490), ok25).verdict, "higher");
  const few = Array.from({ length: MIN_SHIFT_OK_SCORES - 1 }, (_, i) => i / 18);
  assert.equal(scoreShift(line(500, 500), few).verdict, "open");
  assert.equal(scoreShift(line(500, 250), few).verdict, "open");
});
