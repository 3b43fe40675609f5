import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { loadBackbone } from "./engine/backbone.ts";
import { makeIndex, nearestDistances, nearestDistancesReference } from "./engine/knn.ts";
import * as knn from "./engine/knn.ts";
import { fitBank, extractImage } from "./engine/pipeline.ts";
import { preprocess } from "./engine/preprocess.ts";
const DATA = "/work/shared/datasets/bsdata_pitting/train/good";
const files = readdirSync(DATA).sort();
const crops: Buffer[] = [];
for (let i = 0; i < 52; i++) crops.push(await sharp(readFileSync(join(DATA, files[i % files.length]))).resize(448, 448, { fit: "fill" }).png().toBuffer());
const b = await loadBackbone({ backbone: "dinov2-vits14", modelsDir: "/tmp/dino-models" });
const bank = await fitBank(b, crops.slice(0, 50), { coresetRate: 0.1 });
const idx = makeIndex(bank.vectors, bank.n, bank.dim, "int8");
const ex = makeIndex(bank.vectors, bank.n, bank.dim, "exact");
const f = await extractImage(b, crops[51]);
const pre = await preprocess(crops[51], b);
await nearestDistances(idx, f.feats, f.nValid);
const med = (x: number[]) => x.sort((a, c) => a - c)[x.length >> 1].toFixed(2);
const a: number[] = [], c: number[] = [];
for (let i = 0; i < 10; i++) { const t = performance.now(); await nearestDistances(idx, f.feats, f.nValid); a.push(performance.now() - t); }
for (let i = 0; i < 10; i++) { await b.forwardRaw(pre.input); const t = performance.now(); await nearestDistances(idx, f.feats, f.nValid); c.push(performance.now() - t); }
console.log("back-to-back", med(a), "after backbone", med(c));
// exactness vs K
const exact = await nearestDistances(ex, f.feats, f.nValid);
const i8 = await nearestDistances(idx, f.feats, f.nValid);
let md = 0, miss = 0; for (let i = 0; i < exact.length; i++) { const d = Math.abs(exact[i] - i8[i]); if (d > 1e-5) miss++; md = Math.max(md, d); }
console.log("K=16 miss", miss, "maxdiff", md);
