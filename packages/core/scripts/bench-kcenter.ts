// Benchmark of greedyKCenter (exact and approxDims) with wall and CPU time and the covering radius.
//   node --import tsx packages/core/scripts/bench-kcenter.ts [--n 51200] [--m 5120] [--d 128]
//        [--kind clustered|gaussian] [--data points.f32] [--approx 32] [--radius]
// --data: raw little-endian float32 rows of length d (e.g. projected patch features dumped by the engine).
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { coveringRadius, greedyKCenter } from "../src/coreset/kcenter.ts";
import { clusteredPoints, gaussianPoints } from "../src/coreset/synthetic.ts";

const { values } = parseArgs({
  options: {
    n: { type: "string", default: "51200" },
    m: { type: "string", default: "5120" },
    d: { type: "string", default: "128" },
    kind: { type: "string", default: "clustered" },
    data: { type: "string" },
    approx: { type: "string" },
    radius: { type: "boolean", default: false },
  },
});
const n = Number(values.n);
const m = Number(values.m);
const d = Number(values.d);
let points: Float32Array;
let source: string;
if (values.data) {
  const buf = readFileSync(values.data);
  const all = new Float32Array(buf.buffer, buf.byteOffset, Math.floor(buf.byteLength / 4));
  if (all.length < n * d) throw new Error(`${values.data} holds ${all.length / d} rows of ${d}, need ${n}`);
  points = all.slice(0, n * d);
  source = values.data;
} else {
  points = values.kind === "gaussian" ? gaussianPoints(n, d, 1) : clusteredPoints(n, d, 1);
  source = `${values.kind} synthetic`;
}

function run(label: string, fn: () => Int32Array): Int32Array {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const sel = fn();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  console.log(`${label}: ${wall.toFixed(0)} ms wall, ${((c.user + c.system) / 1000).toFixed(0)} ms CPU`);
  return sel;
}

console.log(`k-center on ${source}: n=${n} d=${d} m=${m}`);
const exact = run("exact", () => greedyKCenter(points, n, d, m));
if (values.radius) console.log(`  covering radius ${coveringRadius(points, n, d, exact).toFixed(5)}`);
if (values.approx) {
  const q = Number(values.approx);
  const approx = run(`approxDims=${q}`, () => greedyKCenter(points, n, d, m, { approxDims: q }));
  if (values.radius) console.log(`  covering radius ${coveringRadius(points, n, d, approx).toFixed(5)}`);
}
