import { maskedPercentiles, percentileSorted, percentiles } from "../../../packages/core/src/math/percentile.ts";
let s = 11; const rnd = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 4294967296; };
let bad = 0;
const gens: Array<(i: number, n: number) => number> = [
  () => 0, (i) => (i % 1000 === 0 ? 5 : 0), (i, n) => (i < n * 0.985 ? 1 : 2 + rnd()), (i, n) => (i > n * 0.02 ? 1 : -rnd()),
  (i) => Math.sin(i / 100), () => (rnd() < 0.5 ? -0 : 0), (i, n) => (i < n / 2 ? 1e-30 * rnd() : 1e30 * rnd()), () => rnd() ** 8,
  (i, n) => ((i * 7919) % n) / n, (i) => (i % 448) * 1e-3 + Math.floor(i / 448),
];
for (let trial = 0; trial < 400; trial++) {
  const n = 8192 + Math.floor(rnd() * 250000);
  const gen = gens[trial % gens.length];
  const m = Float32Array.from({ length: n }, (_, i) => gen(i, n));
  const mask = trial % 3 ? null : Uint8Array.from({ length: n }, (_, i) => (i % 5 ? 1 : 0));
  const ps = [99, 1, 50, 0, 100, rnd() * 100, 99.9, 0.1];
  const got = maskedPercentiles(m, mask, ps);
  const v = mask ? m.filter((_, i) => mask[i]) : m.slice(); v.sort();
  const want = ps.map((p) => percentileSorted(v, p));
  for (let i = 0; i < ps.length; i++) if (got[i] !== want[i]) { bad++; if (bad < 5) console.log("bad", trial % gens.length, n, ps[i], got[i], want[i]); }
  const g2 = percentiles(Array.from(m), ps); const v2 = Float64Array.from(m).sort();
  for (let i = 0; i < ps.length; i++) if (g2[i] !== percentileSorted(v2, ps[i])) bad++;
}
console.log("mismatches", bad);
