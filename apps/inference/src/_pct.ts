import { maskedPercentiles, percentileSorted } from "../../../packages/core/src/math/percentile.ts";
let s = 3; const rnd = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 4294967296; };
let bad = 0;
for (let trial = 0; trial < 3000; trial++) {
  const n = 1 + Math.floor(rnd() * (trial < 2500 ? 300 : 200000));
  const m = new Float32Array(n);
  const kind = trial % 5;
  for (let i = 0; i < n; i++) m[i] = kind === 0 ? rnd() : kind === 1 ? Math.floor(rnd() * 5) : kind === 2 ? i : kind === 3 ? n - i : (rnd() < 0.05 ? NaN : rnd() - 0.5);
  const mask = trial % 2 ? null : Uint8Array.from({ length: n }, () => (rnd() < 0.7 ? 1 : 0));
  const ps = [99, 1, 50, 0, 100, rnd() * 100];
  const got = maskedPercentiles(m, mask, ps);
  const v = mask ? m.filter((_, i) => mask[i]) : m.slice();
  v.sort();
  const want = v.length ? ps.map((p) => percentileSorted(v, p)) : ps.map(() => 0);
  for (let i = 0; i < ps.length; i++) if (!Object.is(got[i], want[i]) && !(got[i] === want[i])) { bad++; if (bad < 5) console.log(trial, n, kind, ps[i], got[i], want[i]); }
}
console.log("mismatches", bad);
const big = new Float32Array(448 * 448); for (let i = 0; i < big.length; i++) big[i] = rnd();
for (let r = 0; r < 3; r++) { let t = performance.now(); for (let i = 0; i < 20; i++) maskedPercentiles(big, null, [99, 1]); console.log("select ms", ((performance.now() - t) / 20).toFixed(2)); }
for (let r = 0; r < 3; r++) { let t = performance.now(); for (let i = 0; i < 20; i++) { const c = big.slice(); c.sort(); } console.log("sort ms", ((performance.now() - t) / 20).toFixed(2)); }
const f = new Float32Array(big.length);
for (let r = 0; r < 3; r++) { let t = performance.now(); for (let i = 0; i < 20; i++) { f.set(big); } console.log("copy ms", ((performance.now() - t) / 20).toFixed(3)); }
