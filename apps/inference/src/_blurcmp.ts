import { gaussianBlur as oldBlur } from "./_blur_old.ts";
import { gaussianBlur } from "../../../packages/core/src/math/blur.ts";
let s = 5; const rnd = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 4294967296; };
let bad = 0;
for (const [w, h] of [[1, 1], [3, 2], [7, 7], [8, 3], [9, 12], [30, 5], [448, 448], [513, 207], [6, 40]]) for (const sig of [1, 0.5, 2, 1.3]) {
  const src = Float32Array.from({ length: w * h }, () => rnd() * 10 - 3);
  const a = oldBlur(src, w, h, sig), b = gaussianBlur(src, w, h, sig);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) { bad++; break; }
}
console.log("blur mismatches", bad);
const src = Float32Array.from({ length: 448 * 448 }, () => rnd());
for (const [n, f] of [["old", oldBlur], ["new", gaussianBlur]] as const) for (let r = 0; r < 3; r++) { const t = performance.now(); for (let i = 0; i < 20; i++) f(src, 448, 448, 1); console.log(n, ((performance.now() - t) / 20).toFixed(2)); }
