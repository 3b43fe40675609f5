// Integration: the real bundled backbone on real crops of ../shared/datasets/bsdata_pitting.
// fit on 10 good crops → out-of-sample calibration → score defect and good crops.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import sharp from "sharp";
import { legacyThreshold } from "@bdi/core";
import { loadBackbone, type Backbone } from "./backbone.ts";
import { bankIndex, extractImage, scoreFeatures, scoreImage } from "./pipeline.ts";
import { fitBank, fitWithOutOfSample, outOfSampleOkScores } from "./fit.ts";
import { BankCache, loadBank, writeBank, type MemoryBank } from "./artifacts.ts";
import { BankInvalidError, BankMismatchError, BadShapeError } from "./errors.ts";
import { bsdataDir } from "../testing/dataset.ts";

const here = dirname(fileURLToPath(import.meta.url));
const DATA = bsdataDir();
const img = (p: string) => readFileSync(join(DATA, p));
// good crops: the first 10 of train/good; defects: the crops with the largest pitting masks
const TRAIN = readdirSync(join(DATA, "train/good")).sort().slice(0, 10).map((f) => `train/good/${f}`);
const DEFECTS = ["099", "057", "063"];
const GOOD = readdirSync(join(DATA, "test/good")).sort().slice(0, 3).map((f) => `test/good/${f}`);

let backbone: Backbone;
let bank: MemoryBank;
before(async () => {
  backbone = await loadBackbone({ backbone: "mobilenetv2-1.4-mid", threads: 2 });
  bank = await fitBank(backbone, TRAIN.map(img), { coresetRate: 0.1 });
});

test("fit: bank of L2-normalised vectors from crop cells only, with coreset stats", () => {
  assert.equal(bank.dim, backbone.dim);
  assert.equal(bank.backbone.id, backbone.id);
  assert.equal(bank.backbone.sha256, backbone.sha256);
  // 512×208 crops letterboxed: only cells that overlap the crop are candidates (well under the full grid)
  assert.ok(bank.coreset.candidates < 10 * backbone.grid * backbone.grid * 0.6, `${bank.coreset.candidates} candidates`);
  if (bank.coreset.chunks === 1) assert.equal(bank.n, Math.ceil(bank.coreset.candidates * 0.1));
  assert.equal(bank.vectors.length, bank.n * bank.dim);
  let s = 0;
  for (let k = 0; k < bank.dim; k++) s += bank.vectors[k] ** 2;
  assert.ok(Math.abs(Math.sqrt(s) - 1) < 1e-4);
});

test("input window: a fit runs the crop's window of the input and records it; older banks keep the whole square", async () => {
  assert.equal(bank.backbone.input, "crop");
  assert.equal(bank.backbone.windowMargin, 64);
  const crop = img(`test/pitting/${DEFECTS[0]}.png`);
  const square = await extractImage(backbone, crop, "square");
  const windowed = await extractImage(backbone, crop, "crop");
  // the same grid cells (512×208 at 768: rows 28..67 of 96, every column) from 768 × 448 of the 768² input; with
  // 64 px of the letterbox kept around the crop its cells see what they see in the square (cosine ≥ 0.998; with no
  // margin, cells on the crop's border fell to 0.46)
  assert.deepEqual(windowed.cells, square.cells);
  assert.equal(windowed.nValid, 40 * backbone.grid);
  const d = backbone.dim;
  let worst = 1;
  for (let i = 0; i < square.nValid; i++) {
    let dot = 0;
    for (let k = 0; k < d; k++) dot += square.feats[i * d + k]! * windowed.feats[i * d + k]!;
    worst = Math.min(worst, dot);
  }
  assert.ok(worst > 0.995 && worst < 1 - 1e-6, `cosine to the square input's features down to ${worst}`);
  await assert.rejects(backbone.extract(windowed.feats.subarray(0, 3 * 768 * 100), { w: 768, h: 100 }), /not a multiple of 16/);
  // a bank written before the field existed scores from the square input, a new one from the window
  const { input: _input, windowMargin: _margin, ...beforeWindow } = bank.backbone;
  const index = bankIndex(bank);
  const legacy = await scoreImage(backbone, { ...bank, backbone: beforeWindow }, crop);
  assert.equal(legacy.score, (await scoreFeatures(backbone, index, square, {}, bank)).score);
  const current = await scoreImage(backbone, bank, crop);
  assert.equal(current.score, (await scoreFeatures(backbone, index, windowed, {}, bank)).score);
  assert.notEqual(current.score, legacy.score);
  // a window bank on a service whose backbone keeps another margin must be refitted
  await assert.rejects(scoreImage(backbone, { ...bank, backbone: { ...bank.backbone, windowMargin: 32 } }, crop), BankMismatchError);
});

test("fit + k-fold calibration from one coreset pass: the bank is the union of the folds' coresets", async () => {
  const images = TRAIN.map(img);
  // the global layout (these registered crops would get the positional one: positional.test.ts)
  const { bank: b, oos } = await fitWithOutOfSample(backbone, images, { folds: 5, coresetRate: 0.1, cacheFloats: 0, layout: "global" });
  assert.equal(b.images, images.length);
  assert.equal(b.vectors.length, b.n * b.dim);
  assert.equal(b.coreset.candidates, bank.coreset.candidates, "every crop cell is a candidate, as in fitBank");
  assert.ok(Math.abs(b.n - bank.n) <= 5, `union of fold coresets ${b.n} vs one fit ${bank.n}`);
  // fold f is scored against all coresets but its own: each fold's coreset is left out exactly once
  assert.equal(oos.folds, 5);
  assert.equal(oos.bankSizes.reduce((s, n) => s + (b.n - n), 0), b.n);
  assert.equal(oos.cachedFeatures, false);
  assert.ok(oos.scores.length === images.length && oos.scores.every((s) => Number.isFinite(s) && s > 0));
  // out-of-sample scores are above what the crops score against a bank that contains them
  const inSample = await Promise.all(images.slice(0, 3).map(async (im) => (await scoreImage(backbone, b, im)).score));
  inSample.forEach((s, i) => assert.ok(oos.scores[i]! > s, `crop ${i}: out-of-sample ${oos.scores[i]} vs in-sample ${s}`));
});

test("a fit's out-of-sample pass can be bounded: an even spread over the folds, the bank still from every crop", async () => {
  const images = TRAIN.map(img);
  const { bank: b, oos } = await fitWithOutOfSample(backbone, images, { folds: 5, coresetRate: 0.1, maxScored: 5 });
  // 5 folds of 2 crops (i mod 5), one scored per fold: the middle of each fold's members [f, f + 5]
  assert.deepEqual(oos.scored, [5, 6, 7, 8, 9]);
  assert.equal(oos.scores.length, 5);
  assert.ok(oos.scores.every((s) => Number.isFinite(s) && s > 0));
  assert.equal(b.images, images.length);
  assert.equal(b.coreset.candidates, bank.coreset.candidates);
  // the whole pass scores the same crops the same way: the bounded scores are a subset of the full ones
  const all = await outOfSampleOkScores(backbone, images, { folds: 5, coresetRate: 0.1 });
  assert.deepEqual(all.scored, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  oos.scored.forEach((i, j) => assert.equal(oos.scores[j], all.scores[i]));
});

test("calibrate out-of-sample, then defect crops outscore good crops and the peak is on the defect", async () => {
  const oos = await outOfSampleOkScores(backbone, TRAIN.map(img), { folds: 5, coresetRate: 0.1 });
  assert.equal(oos.scores.length, TRAIN.length);
  assert.ok(oos.scores.every((s) => Number.isFinite(s) && s > 0));
  const { threshold } = legacyThreshold({ okScores: oos.scores });

  const goodScores: number[] = [];
  for (const g of GOOD) {
    const r = await scoreImage(backbone, bank, img(g), { threshold });
    assert.equal(r.width, 512);
    assert.equal(r.height, 208);
    goodScores.push(r.score);
  }
  for (const d of DEFECTS) {
    const r = await scoreImage(backbone, bank, img(`test/pitting/${d}.png`), { threshold, includeHeatmap: true, mmPerPx: 0.2 });
    assert.ok(r.score > Math.max(...goodScores), `defect ${d} ${r.score.toFixed(4)} vs good max ${Math.max(...goodScores).toFixed(4)}`);
    assert.equal(r.decision, r.score >= threshold ? "ng" : "ok");
    // heatmap peak on the ground-truth mask,
    const { data: gt } = await sharp(join(DATA, `ground_truth/pitting/${d}_mask.png`)).greyscale().raw().toBuffer({ resolveWithObject: true });
    const map = r.map!;
    let best = 0;
    for (let i = 1; i < map.length; i++) if (map[i] > map[best]) best = i;
    // within one feature cell of it: the grid's resolution (stride 8 at the input, ~9 crop px here) is as precise as
    // the hand-drawn polygon masks, whose edges the peak may land on
    const cell = (backbone.stride * r.width) / backbone.inputSize;
    const [px, py] = [best % r.width, Math.floor(best / r.width)];
    let dist = Infinity;
    for (let i = 0; i < gt.length; i++) if (gt[i]! > 127) dist = Math.min(dist, Math.hypot((i % r.width) - px, Math.floor(i / r.width) - py));
    assert.ok(dist <= cell, `defect ${d}: peak at (${px}, ${py}) is ${dist.toFixed(1)} px from the mask (one cell = ${cell.toFixed(1)} px)`);
    // heatmap: grayscale PNG of the crop's size
    const meta = await sharp(r.heatmapPng!).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height, meta.channels], ["png", 512, 208, 1]);
    if (r.decision === "ng") assert.ok(r.regions.length > 0, "an NG crop has regions");
    for (let i = 1; i < r.regions.length; i++) assert.ok(r.regions[i - 1].area_px >= r.regions[i].area_px, "largest first");
  }
});

test("scoring with a ROI shape; bad shapes and foreign banks are typed errors", async () => {
  const crop = img(`test/pitting/${DEFECTS[0]}.png`);
  const full = await scoreImage(backbone, bank, crop, {});
  const circ = await scoreImage(backbone, bank, crop, { shape: JSON.stringify({ kind: "circle", cx: 256, cy: 104, r: 80 }) });
  assert.ok(Number.isFinite(circ.score) && circ.score !== full.score);
  await assert.rejects(scoreImage(backbone, bank, crop, { shape: JSON.stringify({ kind: "rect", x: 0, y: 0, w: 0, h: 10 }) }), BadShapeError);
  await assert.rejects(scoreImage(backbone, bank, crop, { shape: "{nope" }), BadShapeError);
  const foreign: MemoryBank = { ...bank, backbone: { ...bank.backbone, grid: bank.backbone.grid + 1 } };
  await assert.rejects(scoreImage(backbone, foreign, crop, {}), BankMismatchError);
  const other: MemoryBank = { ...bank, backbone: { ...bank.backbone, id: "dinov2-vits14", dim: 1152 } };
  await assert.rejects(scoreImage(backbone, other, crop, {}), BankMismatchError);
  // a bank of unnormalised features on a service computing L2-normalised ones (and the reverse)
  const unnormalised: MemoryBank = { ...bank, backbone: { ...bank.backbone, l2: !backbone.l2 } };
  await assert.rejects(scoreImage(backbone, unnormalised, crop, {}), BankMismatchError);
  // banks written before the l2 field existed are L2-normalised ones
  const { l2: _l2, ...legacyInfo } = bank.backbone;
  const legacy: MemoryBank = { ...bank, backbone: legacyInfo };
  if (backbone.l2) assert.ok(Number.isFinite((await scoreImage(backbone, legacy, crop, {})).score));
  else await assert.rejects(scoreImage(backbone, legacy, crop, {}), BankMismatchError);
  // the feature neighbourhood is part of the bank's identity; banks written before it was recorded used 3×3
  const wider: MemoryBank = { ...bank, backbone: { ...bank.backbone, localAvg: backbone.localAvg + 2 } };
  await assert.rejects(scoreImage(backbone, wider, crop, {}), /5×5 feature neighbourhood|3×3 feature neighbourhood/);
  const { localAvg: _la, ...beforeLocalAvg } = bank.backbone;
  const old: MemoryBank = { ...bank, backbone: beforeLocalAvg };
  if (backbone.localAvg === 3) assert.ok(Number.isFinite((await scoreImage(backbone, old, crop, {})).score));
  else await assert.rejects(scoreImage(backbone, old, crop, {}), /3×3 feature neighbourhood/);
});

test("model-version artifacts: atomic write, validated load, LRU cache bounded by bytes", async () => {
  const root = mkdtempSync(join(tmpdir(), "bdi-bank-"));
  try {
    const dir = join(root, "v1");
    writeBank(dir, bank, { roi: "test" });
    assert.ok(!readdirSync(root).some((f) => f.includes(".tmp-")), "no temp dir left behind");
    assert.throws(() => writeBank(dir, bank), /already exists/);
    const back = loadBank(dir, { id: backbone.id, grid: backbone.grid, dim: backbone.dim });
    assert.equal(back.n, bank.n);
    assert.deepEqual(back.vectors.subarray(0, 50), bank.vectors.subarray(0, 50));
    assert.throws(() => loadBank(dir, { grid: backbone.grid + 2 }), BankMismatchError);
    // scores from the reloaded bank are identical
    const crop = img(GOOD[0]);
    assert.equal((await scoreImage(backbone, back, crop)).score, (await scoreImage(backbone, bank, crop)).score);
    // truncated bank file → BankInvalidError
    const broken = join(root, "v2");
    writeBank(broken, bank);
    const f = join(broken, "bank.f32");
    const { truncateSync } = await import("node:fs");
    truncateSync(f, 100);
    assert.throws(() => loadBank(broken), BankInvalidError);
    assert.throws(() => loadBank(join(root, "missing")), BankInvalidError);
    // an unknown input mode, or a crop window without its margin, is not a bank this code can score
    for (const [k, input, margin] of [["v4", "bogus", 64], ["v5", "crop", undefined], ["v6", "crop", -1]] as const) {
      const v = join(root, k);
      writeBank(v, bank);
      const meta = JSON.parse(readFileSync(join(v, "meta.json"), "utf8"));
      meta.backbone.input = input;
      meta.backbone.windowMargin = margin;
      writeFileSync(join(v, "meta.json"), JSON.stringify(meta));
      assert.throws(() => loadBank(v), BankInvalidError, k);
    }
    const cache = new BankCache(bank.vectors.byteLength * 1.5);
    assert.equal(cache.get(dir), cache.get(dir));
    const dir3 = join(root, "v3");
    writeBank(dir3, bank);
    cache.get(dir3);
    assert.equal(cache.size, 1, "the older entry was evicted");
    assert.ok(cache.bytes <= cache.maxBytes);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  assert.ok(existsSync(DATA));
});
