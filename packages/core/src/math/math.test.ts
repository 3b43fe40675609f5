import { test } from "node:test";
import assert from "node:assert/strict";
import { percentile, percentiles, maskedPercentiles, percentileSorted } from "./percentile.ts";
import { resizeBilinear } from "./resize.ts";
import { gaussianBlur, gaussianKernel, legacyKernelSize, reflect101 } from "./blur.ts";
import { roundHalfEven } from "./round.ts";
import { seededRandom, randomNormal } from "./random.ts";
import { argsortFloat32, float32SortKeys, radixSortUint32 } from "./sort.ts";
import { fnv1a32, fnv1a32Hex } from "./hash.ts";
import { InvalidInputError } from "../errors.ts";
import { assertClose, reference } from "../test-helpers.ts";

test("percentile: numpy linear method, hand-computed values", () => {
  // np.percentile([1,2,3,4], [0,25,50,75,100,33.3]) = [1, 1.75, 2.5, 3.25, 4, 1.999]
  assert.deepEqual(percentiles([4, 2, 1, 3], [0, 25, 50, 75, 100]), [1, 1.75, 2.5, 3.25, 4]);
  assert.ok(Math.abs(percentile([1, 2, 3, 4], 33.3) - 1.999) < 1e-12);
  // legacy fixture: p99 of [10, 11, 13] = 11 + 0.98·2 = 12.96
  assert.ok(Math.abs(percentile([10, 11, 13], 99) - 12.96) < 1e-12);
  assert.equal(percentile([5], 37), 5);
  assert.equal(percentile([], 99), 0);
  assert.equal(percentileSorted(new Float64Array(0), 50), 0);
});

test("percentile: matches numpy on random data (fixture)", () => {
  const ref = reference().percentile;
  const got = percentiles(ref.values, ref.ps);
  assertClose(got, ref.expected, 1e-12, "percentile");
  ref.ps.forEach((p: number, i: number) => assert.ok(Math.abs(percentile(Float32Array.from(ref.values), p) - ref.expected[i]) < 1e-6));
});

test("percentile: rejects p outside [0, 100] and does not modify its input", () => {
  assert.throws(() => percentile([1, 2], 101), InvalidInputError);
  assert.throws(() => percentile([1, 2], -1), InvalidInputError);
  assert.throws(() => percentile([1, 2], NaN), InvalidInputError);
  const v = new Float32Array([3, 1, 2]);
  percentile(v, 50);
  assert.deepEqual(Array.from(v), [3, 1, 2]);
});

test("maskedPercentiles: selection (quickselect / sampled brackets) equals a full sort bit for bit", () => {
  const rnd = seededRandom(11);
  const gens: Array<(i: number, n: number) => number> = [
    () => rnd(), () => Math.floor(rnd() * 5), (i) => i, (i, n) => n - i, () => 0, (i) => (i % 1000 === 0 ? 5 : 0),
    (i, n) => (i < n * 0.985 ? 1 : 2 + rnd()), (i) => Math.sin(i / 100), () => rnd() ** 8, (i) => (rnd() < 0.02 ? NaN : i % 448),
    () => (rnd() < 0.5 ? -0 : 0),
  ];
  const ps = [99, 1, 50, 0, 100, 99.9, 0.1, 37.3];
  for (let trial = 0; trial < 44; trial++) {
    const n = trial < 22 ? 1 + Math.floor(rnd() * 300) : 8192 + Math.floor(rnd() * 60000);
    const gen = gens[trial % gens.length]!;
    const map = Float32Array.from({ length: n }, (_, i) => gen(i, n));
    // no mask, a strided mask, or one block of the map (read in place: the sample must skip the masked-out part)
    const mask = trial % 3 === 0 ? null
      : trial % 3 === 1 ? Uint8Array.from({ length: n }, (_, i) => (i % 5 ? 1 : 0))
      : Uint8Array.from({ length: n }, (_, i) => (i > n * 0.3 && i < n * 0.8 ? 1 : 0));
    const v = mask ? map.filter((_, i) => mask[i] !== 0) : map.slice();
    v.sort();
    const want = v.length ? ps.map((p) => percentileSorted(v, p)) : ps.map(() => 0);
    const got = maskedPercentiles(map, mask, ps);
    ps.forEach((p, i) => assert.ok(got[i] === want[i] || (Number.isNaN(got[i]) && Number.isNaN(want[i])), `trial ${trial} n=${n} p${p}: ${got[i]} vs ${want[i]}`));
    const g64 = percentiles(Array.from(map), ps);
    const s64 = Float64Array.from(map).sort();
    ps.forEach((p, i) => assert.ok(g64[i] === percentileSorted(s64, p) || Number.isNaN(g64[i]), `percentiles trial ${trial} p${p}`));
  }
});

test("maskedPercentiles: only mask pixels, one call for several p, empty mask → zeros", () => {
  const map = new Float32Array([9, 1, 2, 3, 4, 100]);
  const mask = new Uint8Array([0, 1, 1, 1, 1, 0]);
  assert.deepEqual(maskedPercentiles(map, mask, [0, 50, 100]), [1, 2.5, 4]);
  assert.deepEqual(maskedPercentiles(map, new Uint8Array(6), [1, 99]), [0, 0]);
  assert.deepEqual(maskedPercentiles(map, null, [100]), [100]);
  assert.throws(() => maskedPercentiles(map, new Uint8Array(5), [50]), InvalidInputError);
});

test("resizeBilinear: identity when the size does not change", () => {
  const src = Float32Array.from({ length: 12 }, (_, i) => i * 0.5 - 1);
  assert.deepEqual(Array.from(resizeBilinear(src, 4, 3, 4, 3)), Array.from(src));
});

test("resizeBilinear: 2×2 → 4×4 known answer (half-pixel centres, edge clamp)", () => {
  const out = resizeBilinear(new Float32Array([0, 1, 2, 3]), 2, 2, 4, 4);
  // rows: source rows interpolated at x = −0.25 (clamped), 0.25, 0.75, 1.25 (clamped); same weights vertically
  const expected = [0, 0.25, 0.75, 1, 0.5, 0.75, 1.25, 1.5, 1.5, 1.75, 2.25, 2.5, 2, 2.25, 2.75, 3];
  assertClose(out, expected, 1e-7, "2x2→4x4");
});

test("resizeBilinear: matches cv2.resize INTER_LINEAR (fixture, up and down)", () => {
  for (const c of reference().resize) {
    assertClose(resizeBilinear(Float32Array.from(c.src), c.sw, c.sh, c.dw, c.dh), c.dst, 2e-6, `resize ${c.sw}x${c.sh}→${c.dw}x${c.dh}`);
  }
});

test("resizeBilinear: rejects bad sizes", () => {
  assert.throws(() => resizeBilinear(new Float32Array(4), 2, 2, 0, 3), InvalidInputError);
  assert.throws(() => resizeBilinear(new Float32Array(5), 2, 2, 3, 3), InvalidInputError);
});

test("gaussianKernel: legacy size, sums to 1, equals cv2.getGaussianKernel(7, 1)", () => {
  assert.equal(legacyKernelSize(1), 7);
  assert.equal(legacyKernelSize(0.2), 3);
  assert.equal(legacyKernelSize(2), 13);
  const k = gaussianKernel(7, 1);
  assert.ok(Math.abs(k.reduce((a, b) => a + b, 0) - 1) < 1e-6);
  assertClose(k, reference().gaussian_kernel_7_1, 1e-9, "kernel");
  assert.ok(k[3]! > k[2]! && k[2]! > k[1]! && k[1]! > k[0]!);
  assert.equal(k[0], k[6]);
});

test("gaussianBlur: impulse response is the outer product of the kernel", () => {
  const w = 9;
  const src = new Float32Array(w * w);
  src[4 * w + 4] = 1;
  const out = gaussianBlur(src, w, w, 1);
  const k = gaussianKernel(7, 1);
  for (let y = 0; y < w; y++) {
    for (let x = 0; x < w; x++) {
      const dy = y - 4;
      const dx = x - 4;
      const e = Math.abs(dx) <= 3 && Math.abs(dy) <= 3 ? k[dx + 3]! * k[dy + 3]! : 0;
      assert.ok(Math.abs(out[y * w + x]! - e) < 1e-7, `(${x},${y})`);
    }
  }
  let sum = 0;
  for (const v of out) sum += v;
  assert.ok(Math.abs(sum - 1) < 1e-6);
});

test("gaussianBlur: matches cv2.GaussianBlur with BORDER_REFLECT_101 (fixture, incl. images smaller than the kernel)", () => {
  for (const c of reference().blur) {
    assertClose(gaussianBlur(Float32Array.from(c.src), c.w, c.h, c.sigma), c.dst, 2e-6, `blur ${c.w}x${c.h} σ=${c.sigma}`);
  }
});

test("gaussianBlur: the fast σ=1 path equals the plain separable loop bit for bit", () => {
  // reference: reflect-padded rows summed in kernel order in float64, then columns likewise (the original code)
  const plain = (src: Float32Array, w: number, h: number, sigma: number): Float32Array => {
    const ks = legacyKernelSize(sigma);
    const kern = gaussianKernel(ks, sigma);
    const r = (ks - 1) >> 1;
    const tmp = new Float64Array(w * h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let s = 0;
        for (let k = 0; k < ks; k++) s += src[y * w + reflect101(x + k - r, w)]! * kern[k]!;
        tmp[y * w + x] = s;
      }
    }
    const out = new Float32Array(w * h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let s = 0;
        for (let k = 0; k < ks; k++) s += tmp[reflect101(y + k - r, h) * w + x]! * kern[k]!;
        out[y * w + x] = s;
      }
    }
    return out;
  };
  const rnd = seededRandom(5);
  for (const [w, h] of [[1, 1], [3, 2], [7, 7], [8, 3], [9, 12], [30, 5], [61, 47], [6, 40]] as const) {
    for (const sigma of [1, 0.5, 1.3, 2]) {
      const src = Float32Array.from({ length: w * h }, () => rnd() * 10 - 3);
      const a = plain(src, w, h, sigma);
      const b = gaussianBlur(src, w, h, sigma);
      for (let i = 0; i < a.length; i++) assert.ok(Object.is(a[i], b[i]), `${w}x${h} σ=${sigma} at ${i}: ${b[i]} vs ${a[i]}`);
    }
  }
});

test("gaussianBlur: σ ≤ 0 is a copy; constant image stays constant; reflect101 indices", () => {
  const src = new Float32Array([1, 2, 3, 4]);
  const copy = gaussianBlur(src, 2, 2, 0);
  assert.deepEqual(Array.from(copy), [1, 2, 3, 4]);
  assert.notEqual(copy, src);
  const flat = gaussianBlur(new Float32Array(30).fill(0.25), 6, 5, 1);
  assertClose(flat, new Array(30).fill(0.25), 1e-7, "constant");
  assert.deepEqual([-3, -2, -1, 0, 4, 5, 6, 7].map((p) => reflect101(p, 5)), [3, 2, 1, 0, 4, 3, 2, 1]);
  assert.equal(reflect101(-4, 1), 0);
  assert.equal(reflect101(-7, 3), 1); // −7 → 7 → 2·3−2−7 = −3 → 3 → 1
});

test("roundHalfEven: Python round()", () => {
  assert.deepEqual([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4999, 2.5001, 3].map(roundHalfEven), [0, 2, 2, 0, -2, -2, 2, 3, 3]);
});

test("seededRandom: deterministic, in [0, 1), roughly uniform; randomNormal has mean 0, variance 1", () => {
  const a = seededRandom(42);
  const b = seededRandom(42);
  const xs = Array.from({ length: 10000 }, () => a());
  assert.deepEqual(xs.slice(0, 5), Array.from({ length: 5 }, () => b()));
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  assert.ok(Math.abs(mean - 0.5) < 0.02);
  assert.notDeepEqual(xs.slice(0, 5), Array.from({ length: 5 }, seededRandom(43)));
  const r = seededRandom(1);
  const ns = Array.from({ length: 20000 }, () => randomNormal(r));
  const m = ns.reduce((s, x) => s + x, 0) / ns.length;
  const v = ns.reduce((s, x) => s + (x - m) ** 2, 0) / ns.length;
  assert.ok(Math.abs(m) < 0.03 && Math.abs(v - 1) < 0.05);
});

test("sort: radix argsort of float32 equals a comparator sort; −0 ties +0; NaN rejected", () => {
  const r = seededRandom(3);
  const v = Float32Array.from({ length: 5000 }, () => (r() - 0.5) * 10 ** Math.floor(r() * 8 - 4));
  v[10] = -0;
  v[11] = 0;
  v[12] = -Infinity;
  v[13] = Infinity;
  const order = argsortFloat32(v);
  for (let i = 1; i < order.length; i++) assert.ok(v[order[i - 1]!]! <= v[order[i]!]!);
  // stable for ties
  const ties = new Float32Array([1, 0, 1, -0, 1]);
  assert.deepEqual(Array.from(argsortFloat32(ties)), [1, 3, 0, 2, 4]);
  const keys = float32SortKeys(new Float32Array([-0, 0]));
  assert.equal(keys[0], keys[1]);
  assert.throws(() => float32SortKeys(new Float32Array([1, NaN])), InvalidInputError);
  const k = radixSortUint32(Uint32Array.from([5, 4294967295, 0, 70000, 3]));
  assert.deepEqual(Array.from(k), [0, 3, 5, 70000, 4294967295]);
  assert.deepEqual(Array.from(radixSortUint32(new Uint32Array(0))), []);
});

test("fnv1a32: standard test vectors", () => {
  assert.equal(fnv1a32(""), 0x811c9dc5);
  assert.equal(fnv1a32("a"), 0xe40c292c);
  assert.equal(fnv1a32("foobar"), 0xbf9cf968);
  assert.equal(fnv1a32Hex("a"), "e40c292c");
});
