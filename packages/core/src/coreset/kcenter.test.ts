import { test } from "node:test";
import assert from "node:assert/strict";
import { greedyKCenter, greedyKCenterBruteForce, coveringRadius, lowerBoundBasis } from "./kcenter.ts";
import { sqDistRows, sqDistRowsBounded } from "./distance.ts";
import { clusteredPoints, gaussianPoints } from "./synthetic.ts";
import { InvalidInputError } from "../errors.ts";

function same(a: Int32Array, b: Int32Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

test("sqDistRows: exact squared distance; the bounded form is identical below the bound and ≥ it otherwise", () => {
  const d = 37;
  const x = gaussianPoints(2, d, 9);
  let ref = 0;
  for (let j = 0; j < d; j++) ref += (x[j]! - x[d + j]!) ** 2;
  const full = sqDistRows(x, 0, 1, d);
  assert.ok(Math.abs(full - ref) < 1e-9);
  assert.equal(sqDistRowsBounded(x, 0, 1, d, full * 2), full);
  assert.ok(sqDistRowsBounded(x, 0, 1, d, full / 10) >= full / 10);
  assert.equal(sqDistRows(x, 1, 1, d), 0);
});

test("greedyKCenter: identical indices to brute force (clustered, 128-d: member-list path)", () => {
  const n = 4000;
  const d = 128;
  const x = clusteredPoints(n, d, 11);
  for (const [m, first] of [[400, 0], [150, 1234]] as const) {
    const fast = greedyKCenter(x, n, d, m, { firstIndex: first });
    const ref = greedyKCenterBruteForce(x, n, d, m, { firstIndex: first });
    assert.ok(same(fast, ref), `m=${m} first=${first}`);
    assert.equal(fast[0], first);
  }
});

test("greedyKCenter: identical indices to brute force (i.i.d. Gaussian: sequential path)", () => {
  const n = 2000;
  const d = 128;
  const x = gaussianPoints(n, d, 12);
  assert.ok(same(greedyKCenter(x, n, d, 200), greedyKCenterBruteForce(x, n, d, 200)));
});

test("greedyKCenter: identical to brute force for small d (no subspace bounds) and odd d (remainder dims)", () => {
  for (const [n, d, m, seed] of [[3000, 8, 300, 13], [2500, 21, 250, 14], [500, 3, 499, 15], [50, 1, 10, 16]] as const) {
    const x = clusteredPoints(n, d, seed, 16, Math.min(4, d));
    assert.ok(same(greedyKCenter(x, n, d, m), greedyKCenterBruteForce(x, n, d, m)), `n=${n} d=${d} m=${m}`);
  }
});

test("greedyKCenter with a reused basis (another chunk's): identical indices to brute force; a bad basis is refused", () => {
  const n = 1500, d = 128, m = 90;
  const earlier = clusteredPoints(n, d, 21);
  const basis = lowerBoundBasis(earlier, n, d);
  assert.equal(basis.length, d * 8);
  const x = clusteredPoints(n, d, 22);
  const ref = greedyKCenterBruteForce(x, n, d, m, { firstIndex: 5 });
  assert.deepEqual([...greedyKCenter(x, n, d, m, { firstIndex: 5, basis })], [...ref]);
  // a basis from unrelated data still gives the exact result (only pruning, i.e. speed, depends on it)
  assert.deepEqual([...greedyKCenter(x, n, d, m, { firstIndex: 5, basis: lowerBoundBasis(gaussianPoints(n, d, 3), n, d) })], [...ref]);
  assert.throws(() => greedyKCenter(x, n, d, m, { basis: basis.subarray(0, d * 4) }), InvalidInputError);
  const scaled = basis.map((v) => v * 1.5); // not orthonormal: the bounds would be wrong
  assert.throws(() => greedyKCenter(x, n, d, m, { basis: scaled }), /orthonormal/);
});

test("greedyKCenter: duplicates — distinct indices, lowest unchosen once everything is covered", () => {
  const distinct = clusteredPoints(40, 24, 17, 4, 2);
  const n = 400;
  const d = 24;
  const x = new Float32Array(n * d);
  for (let i = 0; i < n; i++) x.set(distinct.subarray((i % 40) * d, (i % 40 + 1) * d), i * d);
  const m = 60;
  const fast = greedyKCenter(x, n, d, m);
  const ref = greedyKCenterBruteForce(x, n, d, m);
  assert.ok(same(fast, ref));
  assert.equal(new Set(fast).size, m);
  // the first 40 picks cover the 40 distinct points; then the lowest unchosen indices follow
  assert.equal(coveringRadius(x, n, d, fast.subarray(0, 40)), 0);
  const rest = Array.from(fast.subarray(40));
  assert.deepEqual(rest, [...rest].sort((a, b) => a - b));
});

test("greedyKCenter: rank-deficient and constant data (degenerate principal subspace)", () => {
  const n = 600;
  const d = 32;
  const plane = new Float32Array(n * d);
  const basis = gaussianPoints(2, d, 40);
  const coef = gaussianPoints(n, 2, 41);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) plane[i * d + j] = coef[2 * i]! * basis[j]! + coef[2 * i + 1]! * basis[d + j]!;
  assert.ok(same(greedyKCenter(plane, n, d, 60), greedyKCenterBruteForce(plane, n, d, 60)));
  const axisAligned = new Float32Array(n * d);
  for (let i = 0; i < n; i++) axisAligned[i * d] = i % 17;
  assert.ok(same(greedyKCenter(axisAligned, n, d, 30), greedyKCenterBruteForce(axisAligned, n, d, 30)));
  const constant = new Float32Array(n * d).fill(0.5);
  assert.deepEqual(Array.from(greedyKCenter(constant, n, d, 5, { firstIndex: 3 })), [3, 0, 1, 2, 4]);
});

test("greedyKCenter: m ≥ n keeps everything; argument validation", () => {
  const x = gaussianPoints(10, 4, 1);
  assert.deepEqual(Array.from(greedyKCenter(x, 10, 4, 10)), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(Array.from(greedyKCenter(x, 10, 4, 99)).length, 10);
  assert.throws(() => greedyKCenter(x, 10, 4, 0), InvalidInputError);
  assert.throws(() => greedyKCenter(x, 11, 4, 3), InvalidInputError);
  assert.throws(() => greedyKCenter(x, 10, 4, 3, { firstIndex: 10 }), InvalidInputError);
  assert.throws(() => greedyKCenter(x, 10, 4, 3, { approxDims: 0 }), InvalidInputError);
});

test("greedyKCenter: the covering radius shrinks with m and beats an arbitrary subset; coveringRadius matches brute force", () => {
  const n = 3000;
  const d = 64;
  const x = clusteredPoints(n, d, 21);
  const r50 = coveringRadius(x, n, d, greedyKCenter(x, n, d, 50));
  const r200 = coveringRadius(x, n, d, greedyKCenter(x, n, d, 200));
  assert.ok(r200 < r50);
  // random subsets of the same size cover much worse
  const rnd = Int32Array.from({ length: 200 }, (_, i) => (i * 7919) % n);
  const rr = coveringRadius(x, n, d, rnd);
  assert.ok(rr > r200);
  // brute-force covering radius of the arbitrary subset
  let worst = 0;
  for (let p = 0; p < n; p++) {
    let best = Infinity;
    for (const c of rnd) best = Math.min(best, sqDistRows(x, p, c, d));
    worst = Math.max(worst, best);
  }
  assert.ok(Math.abs(rr - Math.sqrt(worst)) < 1e-12);
});

test("greedyKCenter approxDims: valid selection with a covering radius close to the exact one", (t) => {
  const n = 6000;
  const d = 128;
  const m = 600;
  const x = clusteredPoints(n, d, 22);
  const exact = greedyKCenter(x, n, d, m);
  const approx = greedyKCenter(x, n, d, m, { approxDims: 32 });
  assert.equal(new Set(approx).size, m);
  assert.equal(approx[0], 0);
  const re = coveringRadius(x, n, d, exact);
  const ra = coveringRadius(x, n, d, approx);
  t.diagnostic(`covering radius exact ${re.toFixed(4)} vs approxDims=32 ${ra.toFixed(4)} (×${(ra / re).toFixed(3)})`);
  assert.ok(ra < 1.5 * re);
});

function timeIt(fn: () => void): { wallMs: number; cpuMs: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  fn();
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wallMs, cpuMs: (c.user + c.system) / 1000 };
}

test("greedyKCenter timing (printed, not asserted): n=51,200, d=128, m=5,120", (t) => {
  const n = 51_200;
  const d = 128;
  const x = clusteredPoints(n, d, 31);
  let sel: Int32Array = new Int32Array(0);
  const tm = timeIt(() => (sel = greedyKCenter(x, n, d, 5_120)));
  assert.equal(new Set(sel).size, 5_120);
  t.diagnostic(`k-center exact n=${n} d=${d} m=5120 (clustered synthetic): ${tm.wallMs.toFixed(0)} ms wall, ${tm.cpuMs.toFixed(0)} ms CPU`);
});

test("greedyKCenter timing (printed, not asserted): n=160,000, d=128, m=16,000", { skip: process.env.BDI_CORE_BENCH_LARGE === "1" ? false : "set BDI_CORE_BENCH_LARGE=1 (≈10–30 s); or run scripts/bench-kcenter.ts" }, (t) => {
  const n = 160_000;
  const d = 128;
  const x = clusteredPoints(n, d, 32);
  let sel: Int32Array = new Int32Array(0);
  const tm = timeIt(() => (sel = greedyKCenter(x, n, d, 16_000)));
  assert.equal(new Set(sel).size, 16_000);
  t.diagnostic(`k-center exact n=${n} d=${d} m=16000 (clustered synthetic): ${tm.wallMs.toFixed(0)} ms wall, ${tm.cpuMs.toFixed(0)} ms CPU`);
});
