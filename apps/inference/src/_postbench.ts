import sharp from "sharp";
import { buildMask, parseShapeJson, extractRegions, gaussianBlur, gridToCrop, heatmapToGray, maskedPercentiles } from "@bdi/core";
const W = 448, H = 448, g = 32;
const grid = new Float32Array(g * g);
let s = 7; const rnd = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 4294967296; };
for (let i = 0; i < grid.length; i++) grid[i] = 0.3 + 0.1 * rnd() + (i % 97 === 0 ? 0.5 : 0);
const geom = { size: 448, nw: 448, nh: 448, left: 0, top: 0, scale: 1 } as any;
const T: Record<string, number[]> = {};
const tm = (k: string, f: () => any) => { const t = performance.now(); const r = f(); (T[k] ??= []).push(performance.now() - t); return r; };
const lvl = Number(process.argv[2] ?? 6);
for (let it = 0; it < 40; it++) {
  const t0 = performance.now();
  const mask = tm("mask", () => buildMask(parseShapeJson(null, W, H), W, H));
  const raw = tm("gridToCrop", () => gridToCrop(grid, g, g, geom, W, H));
  const map = tm("blur", () => gaussianBlur(raw, W, H, 1));
  const p = tm("pcts", () => maskedPercentiles(map, mask, [99, 1, 99]));
  tm("regions", () => extractRegions({ map, mask, w: W, h: H, threshold: p[0] * 0.98, mmPerPx: 0.2, areaMm2Thr: 1 }));
  const gray = tm("gray", () => heatmapToGray(map, mask, W, H, [p[1], p[2]]));
  const t = performance.now();
  const png = await sharp(Buffer.from(gray.buffer), { raw: { width: W, height: H, channels: 1 } }).toColourspace("b-w").png({ compressionLevel: lvl }).toBuffer();
  (T.png ??= []).push(performance.now() - t);
  (T.total ??= []).push(performance.now() - t0);
  if (it === 0) console.log("png bytes", png.length);
}
const med = (a: number[]) => { const b = a.slice(5).sort((x, y) => x - y); return b[b.length >> 1].toFixed(2); };
console.log(Object.entries(T).map(([k, v]) => `${k} ${med(v)}`).join("  "));
