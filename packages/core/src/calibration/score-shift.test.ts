import { test } from "node:test";
import assert from "node:assert/strict";
import { InvalidInputError } from "../errors.ts";
import { wilsonBounds, wilsonInterval } from "./rates.ts";
import { MIN_SHIFT_CROPS, MIN_SHIFT_OK_SCORES, runCorrelation, scoreShift, shiftTolerance, SHIFT_TOLERANCE, SHIFT_WINDOW } from "./score-shift.ts";

/** 101 OK scores 0, 0.01, …, 1: median 0.5, 90th percentile 0.9. */
const ok = Array.from({ length: 101 }, (_, i) => i / 100);
/**
 * n line scores of which `above` lie over the OK median (0.9) and the rest under it (0.1), spread evenly through the
 * sequence (no runs: their run correlation is 0).
 */
const line = (n: number, above: number) =>
  Array.from({ length: n }, (_, i) => (Math.floor(((i + 1) * above) / n) > Math.floor((i * above) / n) ? 0.9 : 0.1));
/** the same share in two runs: all the crops above first, then all the ones below */
const runs = (n: number, above: number) => Array.from({ length: n }, (_, i) => (i < above ? 0.9 : 0.1));

test("scoreShift: the OK scores' median and 90th percentile, the line's, the share above", () => {
  const r = scoreShift([0.2, 0.4, 0.6, 0.8, 1.0], ok, { minCrops: 1 });
  assert.equal(r.okScores, 101);
  assert.equal(r.okMedian, 0.5);
  assert.equal(r.okP90, 0.9);
  assert.equal(r.crops, 5);
  assert.equal(r.lineMedian, 0.6);
  assert.ok(Math.abs(r.lineP90! - 0.92) < 1e-12, `${r.lineP90}`);
  assert.equal(r.aboveOkMedian, 3);
  assert.equal(r.share, 0.6);
  // − − + + +: deviations −0.6 −0.6 0.4 0.4 0.4, neighbour products 0.36 − 0.24 + 0.16 + 0.16 = 0.44, over 1.2
  assert.ok(Math.abs(r.runCorrelation - 0.44 / 1.2) < 1e-12, `${r.runCorrelation}`);
  assert.ok(Math.abs(r.effectiveCrops - (5 * (1 - 0.44 / 1.2)) / (1 + 0.44 / 1.2)) < 1e-12, `${r.effectiveCrops}`);
  assert.deepEqual(r.interval95, wilsonBounds(0.6, r.effectiveCrops));
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
  assert.throws(() => scoreShift([0.1], ok, { tolerance: NaN }), InvalidInputError);
  assert.throws(() => scoreShift([0.1], ok, { tolerance: 0.5 }), InvalidInputError);
  for (const minCrops of [0, 1.5, NaN]) assert.throws(() => scoreShift([0.1], ok, { minCrops }), InvalidInputError);
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

test("runCorrelation: neighbours that agree more than chance; 0 for alternation, one side only, or fewer than 3", () => {
  assert.equal(runCorrelation([true, false, true, false, true, false]), 0); // negative, floored
  assert.equal(runCorrelation(Array(50).fill(true)), 0);
  assert.equal(runCorrelation([true, true]), 0);
  // two runs of 50: 98 of 99 neighbour pairs agree
  const two = [...Array(50).fill(true), ...Array(50).fill(false)];
  assert.ok(Math.abs(runCorrelation(two) - 0.95) < 1e-12, "capped at 0.95");
  // runs of 5, half on each side: of 99 neighbour pairs 80 agree and 19 change, (80 − 19) · 0.25 / (100 · 0.25)
  const fives = Array.from({ length: 100 }, (_, i) => Math.floor(i / 5) % 2 === 0);
  assert.ok(Math.abs(runCorrelation(fives) - 0.61) < 1e-12, `${runCorrelation(fives)}`);
});

test("scoreShift: crops in long runs count as fewer; under MIN_SHIFT_CROPS no verdict, however one-sided", () => {
  assert.equal(MIN_SHIFT_CROPS, 100);
  // bsdata's first good test crops in file order: 8 above the median in a row read "higher" without the floor
  assert.equal(scoreShift(runs(8, 8), ok, { minCrops: 1 }).verdict, "higher");
  assert.equal(scoreShift(runs(8, 8), ok).verdict, "open");
  assert.equal(scoreShift(runs(99, 99), ok).verdict, "open");
  assert.equal(scoreShift(runs(100, 100), ok).verdict, "higher", "a hundred crops all above: a shift, not a run");
  // 350 of 500 above, spread through the window: higher; the same share in two runs counts as ~13 crops: open
  assert.equal(scoreShift(line(500, 350), ok).verdict, "higher");
  const r = scoreShift(runs(500, 350), ok);
  assert.ok(r.runCorrelation > 0.94 && r.effectiveCrops < 13, `${r.runCorrelation} ${r.effectiveCrops}`);
  assert.equal(r.verdict, "open");
  // half above in runs of 5 (ρ = 301 / 500: the 500 count as 124) is still steady
  const fives = Array.from({ length: 500 }, (_, i) => (Math.floor(i / 5) % 2 === 0 ? 0.9 : 0.1));
  const f = scoreShift(fives, ok);
  assert.ok(Math.abs(f.effectiveCrops - (500 * (1 - 0.602)) / 1.602) < 1e-9, `${f.effectiveCrops}`);
  assert.equal(f.verdict, "steady");
});
