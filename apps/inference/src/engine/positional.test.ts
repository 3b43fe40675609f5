// The positional memory: its search against a brute-force reference, the per-cell k-center picks (known answers),
// the registration probe and a positional fit on real crops of both dev sets with the real bundled backbone; the map
// baseline that follows the probe; the channel weights of a registered ROI.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { applyChannelWeights, BRIGHTNESS_REFERENCE_CROPS, ChannelMoments, CHANNEL_WEIGHT_CROPS, referenceLevel, spreadIndices, cellDistance, imageScore, maskedPercentiles, cropKindOf, positionalBankSize, POSITIONAL_BANK_CAP, POSITIONAL_PICKS_PER_FOLD, POSITIONAL_RADIUS, REGISTERED_SHARE } from "@bdi/core";
import { loadBackbone, type Backbone } from "./backbone.ts";
import { CellPicker, makePositionalIndex, positionalDistances, probeRegistration } from "./positional.ts";
import { bankIndex, cropAdjust, extractImage, scoreFeatures, scoreImage, searchIndex, serveBank, type ImageFeatures } from "./pipeline.ts";
import { fitWithOutOfSample, outOfSampleOkScores } from "./fit.ts";
import { BankCache, loadBank, writeBank, CELLS_FILE, META_FILE } from "./artifacts.ts";
import { BankInvalidError } from "./errors.ts";
import { bsdataDir, kolektorDir } from "../testing/dataset.ts";

function lcg(seed: number) { let s = seed >>> 0; return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296); }

test("positional search: exact 1-NN over the bank rows within the radius, the whole bank where none is that near", async () => {
  const rnd = lcg(3);
  const g = 20, d = 9, n = 700, nq = 250, radius = 2;
  const bank = new Float32Array(n * d).map(() => rnd() * 2 - 1);
  // bank rows in the grid's top-left 15×15 cells; queries anywhere (rows/cols ≥ 18 have no bank row within 2 cells)
  const cells = Uint32Array.from({ length: n }, () => Math.floor(rnd() * 15) * g + Math.floor(rnd() * 15));
  const q = new Float32Array(nq * d).map(() => rnd() * 2 - 1);
  const qCells = Uint32Array.from({ length: nq }, () => Math.floor(rnd() * g * g));
  q.set(bank.subarray(0, d), 0); // a bank row at its own cell: distance 0
  qCells[0] = cells[0]!;
  const got = await positionalDistances(makePositionalIndex(bank, cells, n, d, g, { radius }), q, qCells, nq);
  let orphans = 0;
  for (let j = 0; j < nq; j++) {
    const near = [...cells.keys()].filter((i) => cellDistance(cells[i]!, qCells[j]!, g) <= radius);
    if (!near.length) orphans++;
    let best = Infinity;
    for (const i of near.length ? near : [...cells.keys()]) {
      let s = 0;
      for (let k = 0; k < d; k++) s += (q[j * d + k]! - bank[i * d + k]!) ** 2;
      best = Math.min(best, s);
    }
    assert.ok(Math.abs(got[j]! - Math.sqrt(best)) < 1e-3, `query ${j}: ${got[j]} vs ${Math.sqrt(best)}`);
  }
  assert.ok(orphans > 5 && orphans < nq - 100, `${orphans} queries with no bank row within the radius`);
  assert.ok(got[0]! < 1e-3);
  // one fold left out of an index of every fold (the fit's out-of-sample pass) = an index of the other folds' rows alone
  const folds = Uint8Array.from({ length: n }, (_, i) => i % 3);
  const all = makePositionalIndex(bank, cells, n, d, g, { radius, folds });
  const keep = [...cells.keys()].filter((i) => folds[i] !== 1);
  const sub = new Float32Array(keep.length * d);
  keep.forEach((r, k) => sub.set(bank.subarray(r * d, (r + 1) * d), k * d));
  const alone = await positionalDistances(makePositionalIndex(sub, Uint32Array.from(keep, (r) => cells[r]!), keep.length, d, g, { radius }), q, qCells, nq);
  assert.deepEqual(await positionalDistances(all, q, qCells, nq, 1), alone);
  assert.deepEqual(await positionalDistances(all, q, qCells, nq), got, "nothing left out: the whole bank, as before");
  assert.ok(alone[0]! < 1e-3, "row 0 (fold 0) is kept when fold 1 is left out");
  assert.ok((await positionalDistances(all, q, qCells, nq, 0))[0]! > 0.1, "and gone when its own fold is");
  // an index that weighs its queries (a served registered ROI's channel weights) = the queries weighted beforehand,
  // the orphans' search over the whole bank included
  const w = Float32Array.from({ length: d }, () => 0.2 + 2 * rnd());
  const qw = q.slice();
  applyChannelWeights(qw, nq, w);
  const before = await positionalDistances(makePositionalIndex(bank, cells, n, d, g, { radius }), qw, qCells, nq);
  const weighing = await positionalDistances(makePositionalIndex(bank, cells, n, d, g, { radius, queryWeights: w }), q, qCells, nq);
  let worst = 0;
  for (let j = 0; j < nq; j++) worst = Math.max(worst, Math.abs(weighing[j]! - before[j]!) / Math.max(1e-3, before[j]!));
  assert.ok(worst < 1e-5, `weighed by the index: ${worst} relative`);
  assert.notDeepEqual(before, got, "the weights matter");
  assert.throws(() => makePositionalIndex(bank, cells, n, d, g, { queryWeights: w.subarray(1) }), /query weights/);
});

test("positional search on a crop's shape: one query per cell of a window, 0–4 picks per cell, radius 1–3, a fold left out: the exact direct sum", async () => {
  const rnd = lcg(11);
  const g = 30, d = 24;
  // a 13 × 22 window of the grid (rows 3–15, cols 5–26), as a wide crop's; the bank covers it with 0–4 rows per cell
  const win: number[] = [];
  for (let r = 3; r <= 15; r++) for (let c = 5; c <= 26; c++) win.push(r * g + c);
  const cells: number[] = [];
  for (const c of win) for (let k = Math.floor(rnd() * 5); k > 0; k--) cells.push(c);
  const n = cells.length;
  const bank = new Float32Array(n * d).map(() => rnd() * 2 - 1);
  const folds = Uint8Array.from({ length: n }, () => Math.floor(rnd() * 5));
  const q = new Float32Array(win.length * d).map(() => rnd() * 2 - 1);
  const qCells = Uint32Array.from(win);
  for (const radius of [1, 2, 3]) {
    const index = makePositionalIndex(bank, Uint32Array.from(cells), n, d, g, { radius, folds });
    for (const skip of [-1, 3]) {
      const got = await positionalDistances(index, q, qCells, win.length, skip);
      for (let j = 0; j < win.length; j++) {
        let best = Infinity, any = false;
        for (let i = 0; i < n; i++) {
          if (skip >= 0 && folds[i] === skip) continue;
          any ||= cellDistance(cells[i]!, qCells[j]!, g) <= radius;
        }
        for (let i = 0; i < n; i++) {
          if ((skip >= 0 && folds[i] === skip) || (any && cellDistance(cells[i]!, qCells[j]!, g) > radius)) continue;
          let s = 0;
          for (let k = 0; k < d; k++) s += (q[j * d + k]! - bank[i * d + k]!) ** 2;
          best = Math.min(best, s);
        }
        assert.ok(Math.abs(got[j]! - Math.sqrt(best)) < 1e-5, `radius ${radius}, fold ${skip} left out, query ${j}: ${got[j]} vs ${Math.sqrt(best)}`);
      }
    }
  }
});

/** Features of `rows` vectors at the given cells (the shape CellPicker reads). */
function fake(cells: number[], rows: number[][]): ImageFeatures {
  const d = rows[0]!.length;
  const feats = new Float32Array(rows.length * d);
  rows.forEach((r, i) => feats.set(r, i * d));
  return { feats, nValid: rows.length, cells: Uint32Array.from(cells), width: 1, height: 1, geometry: { size: 1, scale: 1, nw: 1, nh: 1, left: 0, top: 0 }, level: 128, decodeMs: 0, extractMs: 0 };
}

test("CellPicker: per cell, the patch nearest the mean, then the farthest from the picks; small cells keep every patch", async () => {
  // cell 5 sees 0, 1, 10 and 4 on the first axis (mean 3.75: 4 is nearest, then 10 farthest from it; a pool of
  // one crop at a time reduces after every crop); cell 7 sees a single patch
  for (const poolFloats of [1, 1 << 20]) {
    const p = new CellPicker(3, 2, poolFloats);
    await p.add(fake([5, 7], [[0, 0, 0], [2, 2, 2]]));
    await p.add(fake([5], [[1, 0, 0]]));
    await p.add(fake([5], [[10, 0, 0]]));
    await p.add(fake([5], [[4, 0, 0]]));
    const { vectors, cells, n } = await p.finish();
    assert.equal(n, 3);
    assert.deepEqual([...cells], [5, 5, 7], "cell-major rows");
    const at5 = [vectors[0], vectors[3]].sort((a, b) => a! - b!);
    if (poolFloats === 1 << 20) assert.deepEqual(at5, [4, 10], "one pool of all four: nearest the mean (4), farthest (10)");
    else assert.ok(at5.includes(10), `streamed picks ${at5} keep the farthest patch`);
    assert.deepEqual([...vectors.subarray(6, 9)], [2, 2, 2]);
    assert.equal(p.candidates, 5);
  }
});

let backbone: Backbone;
const crops = async (dir: string, n: number, from = 0) => Promise.all(
  readdirSync(join(dir, "train/good")).sort().slice(from, from + n).map((f) => readFileSync(join(dir, "train/good", f))),
);
before(async () => { backbone = await loadBackbone({ backbone: "mobilenetv2-1.4-mid", threads: 2 }); });

test("registration probe: bsdata's crops are registered, kolektorsdd's are different areas", async () => {
  const feats = async (dir: string) => { const out: ImageFeatures[] = []; for (const b of await crops(dir, 6)) out.push(await extractImage(backbone, b, "crop")); return out; };
  const bs = await probeRegistration(await feats(bsdataDir()), backbone.grid, backbone.dim);
  const ko = await probeRegistration(await feats(kolektorDir()), backbone.grid, backbone.dim);
  assert.ok(bs > 0.85 && bs > REGISTERED_SHARE, `bsdata share ${bs}`);
  assert.ok(ko < 0.2, `kolektorsdd share ${ko}`);
});

test("a fit of registered crops keeps the positional memory; its artifact round-trips and scores the same", async () => {
  const train = await crops(bsdataDir(), 20);
  const { bank, oos } = await fitWithOutOfSample(backbone, train, { normalise: true });
  assert.equal(bank.layout, "positional");
  assert.ok(bank.registrationShare! > REGISTERED_SHARE);
  assert.equal(bank.baseline, "none", "a registered ROI keeps its maps' level");
  assert.equal(bank.radius, POSITIONAL_RADIUS);
  const f0 = await extractImage(backbone, train[0]!, "crop");
  // every valid cell of a crop keeps 2 picks per fold (5 folds of 4 crops)
  assert.equal(bank.n, f0.nValid * 5 * POSITIONAL_PICKS_PER_FOLD);
  assert.equal(bank.cells!.length, bank.n);
  assert.equal(oos.scores.length, 20);
  assert.ok(oos.normalised);
  // a registered ROI brings its crops to one brightness: the median level of BRIGHTNESS_REFERENCE_CROPS crops spread
  // over the fit's, as preprocess measures them
  const levels: number[] = [];
  for (const i of spreadIndices(train.length, BRIGHTNESS_REFERENCE_CROPS)) levels.push((await extractImage(backbone, train[i]!, "crop")).level);
  assert.equal(bank.brightness, referenceLevel(levels));
  assert.ok(bank.brightness! > 100 && bank.brightness! < 170, `bsdata's level ${bank.brightness}`);
  // and weighs its channels: the weights of CHANNEL_WEIGHT_CROPS crops spread over the fit's, at that level, unweighted
  const moments = new ChannelMoments(backbone.dim);
  for (const i of spreadIndices(train.length, CHANNEL_WEIGHT_CROPS)) { const f = await extractImage(backbone, train[i]!, "crop", { brightness: bank.brightness }); moments.add(f.feats, f.nValid); }
  assert.deepEqual(bank.channelWeights, moments.weights());
  const pitBytes = readFileSync(join(bsdataDir(), "test/pitting/099.png"));
  const unweighted = await extractImage(backbone, pitBytes, "crop", { brightness: bank.brightness });
  const dir = mkdtempSync(join(tmpdir(), "bdi-pos-"));
  try {
    writeBank(join(dir, "v1"), bank);
    const loaded = loadBank(join(dir, "v1"));
    assert.equal(loaded.layout, "positional");
    assert.deepEqual(loaded.cells, bank.cells);
    assert.deepEqual(loaded.channelWeights, bank.channelWeights, "the weights round-trip exactly through meta.json");
    assert.equal(loaded.brightness, bank.brightness, "and the level");
    // the bank's index weighs its queries itself: the crop is extracted at the bank's level, unweighted
    assert.deepEqual(cropAdjust(bank, bankIndex(bank)), { brightness: bank.brightness, channelWeights: null });
    const test = await extractImage(backbone, pitBytes, "crop", cropAdjust(bank, bankIndex(bank)));
    assert.deepEqual(test.feats, unweighted.feats);
    const a = await scoreFeatures(backbone, bankIndex(bank), test, {}, bank);
    const b = await scoreFeatures(backbone, bankIndex(loaded), test, {}, loaded);
    assert.equal(a.score, b.score);
    assert.equal((await scoreImage(backbone, loaded, pitBytes)).score, a.score, "scoreImage brings the crop to its bank's level and its index weighs its features with its bank's weights");
    // = the features weighted beforehand against an index that does not weigh them (the fit's out-of-sample pass)
    const plainIndex = searchIndex({ vectors: bank.vectors, n: bank.n, cells: bank.cells }, bank.dim, backbone.grid, "exact", bank.radius);
    const weighted = await extractImage(backbone, pitBytes, "crop", bank);
    assert.ok(weighted.channelWeighted);
    const inJs = await scoreFeatures(backbone, plainIndex, weighted, {}, bank);
    assert.ok(Math.abs(inJs.score - a.score) < 1e-5 * a.score, `weighed by the index ${a.score}, in JS ${inJs.score}`);
    await assert.rejects(scoreFeatures(backbone, bankIndex(bank), weighted, {}, bank), /already weighted/, "never weighted twice");
    assert.notEqual((await scoreFeatures(backbone, plainIndex, unweighted, {}, bank)).score, a.score, "the weights change the crop's score");
    const asDecoded = await extractImage(backbone, pitBytes, "crop");
    assert.notEqual((await scoreFeatures(backbone, bankIndex(bank), asDecoded, {}, bank)).score, a.score, "the level changes the crop's score");
    // the same crop under a lamp 10 % brighter: brought back to the level, it scores within a few percent of itself
    const brighter = await sharp(pitBytes).linear(1.1, 0).png().toBuffer();
    const lit = (await scoreImage(backbone, loaded, brighter)).score;
    assert.ok(Math.abs(lit - a.score) < 0.05 * a.score, `10 % brighter ${lit} against ${a.score}`);
    // a dataset calibration of this version (its layout, level and weights) scores the fit's crops as the fit's k-fold
    // pass did
    const recalibrated = await outOfSampleOkScores(backbone, train, { normalise: true, layout: "positional", channelWeights: bank.channelWeights, brightness: bank.brightness });
    assert.deepEqual(recalibrated.scores, oos.scores);
    assert.ok(a.score > Math.max(...oos.scores), `pitted crop ${a.score} over every out-of-sample OK score`);
    // served through the bank cache (the service's worker): the search's tiled copy holds the rows, the bank lets go of
    // its own, the cache counts one copy, and the scores stay the same
    const cache = new BankCache(1 << 30, serveBank);
    const served = cache.get(join(dir, "v1"));
    assert.equal(served.vectors.length, 0, "the bank's own copy of the rows is released");
    assert.ok(cache.bytes >= bank.vectors.byteLength && cache.bytes < 1.2 * bank.vectors.byteLength, `${cache.bytes} bytes for a ${bank.vectors.byteLength}-byte bank`);
    assert.equal((await scoreFeatures(backbone, bankIndex(served), test, {}, served)).score, a.score);
    assert.throws(() => writeBank(join(dir, "v2"), served), BankInvalidError, "a served bank is only scored");
    // a damaged artifact is refused, never scored
    const cells = readFileSync(join(dir, "v1", CELLS_FILE));
    writeFileSync(join(dir, "v1", CELLS_FILE), cells.subarray(4));
    assert.throws(() => loadBank(join(dir, "v1")), BankInvalidError);
    const bad = Buffer.from(cells); bad.writeUInt32LE(backbone.grid * backbone.grid, 0);
    writeFileSync(join(dir, "v1", CELLS_FILE), bad);
    assert.throws(() => loadBank(join(dir, "v1")), BankInvalidError);
    writeFileSync(join(dir, "v1", CELLS_FILE), cells);
    const meta = JSON.parse(readFileSync(join(dir, "v1", META_FILE), "utf8"));
    writeFileSync(join(dir, "v1", META_FILE), JSON.stringify({ ...meta, radius: -1 }));
    assert.throws(() => loadBank(join(dir, "v1")), BankInvalidError);
    writeFileSync(join(dir, "v1", META_FILE), JSON.stringify({ ...meta, layout: "nearby" }));
    assert.throws(() => loadBank(join(dir, "v1")), BankInvalidError);
    for (const channelWeights of [meta.channelWeights.slice(1), [...meta.channelWeights.slice(1), 0], [...meta.channelWeights.slice(1), null], "1"]) {
      writeFileSync(join(dir, "v1", META_FILE), JSON.stringify({ ...meta, channelWeights }));
      assert.throws(() => loadBank(join(dir, "v1")), BankInvalidError, `channel weights ${JSON.stringify(channelWeights).slice(-20)}`);
    }
    for (const brightness of [0, 256, null, "135", -1]) {
      writeFileSync(join(dir, "v1", META_FILE), JSON.stringify({ ...meta, brightness }));
      assert.throws(() => loadBank(join(dir, "v1")), BankInvalidError, `brightness ${JSON.stringify(brightness)}`);
    }
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test("a fit of unaligned crops, or one asked for the global layout, keeps the global coreset", async () => {
  const ko = await fitWithOutOfSample(backbone, await crops(kolektorDir(), 10), { normalise: false });
  assert.equal(ko.bank.layout, "global");
  assert.ok(ko.bank.registrationShare! < REGISTERED_SHARE);
  assert.equal(ko.bank.cells, undefined);
  assert.equal(ko.bank.baseline, "crop-median", "crops that are not registered are measured against their own median");
  assert.equal(ko.bank.channelWeights, undefined, "a texture that is not registered keeps its features as they are");
  assert.equal(ko.bank.brightness, undefined, "and its crops' levels");
  const bs = await fitWithOutOfSample(backbone, await crops(bsdataDir(), 10), { normalise: false, layout: "global" });
  assert.equal(bs.bank.layout, "global");
  assert.equal(bs.bank.registrationShare, undefined, "no probe when the layout is given");
  assert.equal(bs.bank.baseline, "none", "not probed: the map as it is");
  assert.equal(bs.bank.channelWeights, undefined);
  assert.equal(bs.bank.brightness, undefined);
  // a texture's square crops (kolektorsdd's top w × w): too large for the positional memory, probed all the same
  const texture = await Promise.all((await crops(kolektorDir(), 5)).map(async (b) => {
    const { width } = await sharp(b).metadata();
    return sharp(b).extract({ left: 0, top: 0, width: width!, height: width! }).png().toBuffer();
  }));
  const tx = await fitWithOutOfSample(backbone, texture, { normalise: false });
  assert.equal(tx.bank.layout, "global");
  assert.ok(tx.bank.registrationShare! < REGISTERED_SHARE, `share ${tx.bank.registrationShare}`);
  assert.equal(tx.bank.baseline, "crop-median", "a large texture is measured against its own median like a small one");
});

test("a registered ROI too large for the positional memory keeps the global coreset and is read as registered", async () => {
  // bsdata's crops stretched square, at input 576 (half the work of 768): 5,184 cells a crop would need 51,840
  // positional vectors, over the cap (20 crops: the fewest a fit normalises)
  const b576 = await loadBackbone({ backbone: "mobilenetv2-1.4-mid", threads: 2, inputSize: 576 });
  assert.ok(positionalBankSize(b576.grid * b576.grid, 5) > POSITIONAL_BANK_CAP);
  const square = await Promise.all((await crops(bsdataDir(), 20)).map((b) => sharp(b).resize(288, 288, { fit: "fill" }).png().toBuffer()));
  const { bank, oos } = await fitWithOutOfSample(b576, square);
  assert.equal(bank.layout, "global");
  assert.equal(bank.cells, undefined);
  assert.ok(bank.registrationShare! > REGISTERED_SHARE, `share ${bank.registrationShare}`);
  assert.equal(bank.baseline, "none");
  assert.equal(bank.channelWeights, undefined, "its channels as they are: the weights are the positional memory's");
  assert.ok(bank.brightness! > 0, "its crops brought to one brightness");
  assert.ok(oos.normalised);
  // a dataset calibration passes the version's scoring, what its crops are included: the same scores; read as a
  // crop of unknown kind (the texture's scale floor) they would not be
  const scoring = { layout: bank.layout, baseline: bank.baseline, channelWeights: bank.channelWeights, brightness: bank.brightness };
  const again = await outOfSampleOkScores(b576, square, { ...scoring, cropKind: cropKindOf(bank) });
  assert.deepEqual(again.scores, oos.scores);
  const unknown = await outOfSampleOkScores(b576, square, scoring);
  assert.notDeepEqual(unknown.scores, oos.scores);
  await b576.release();
});

test("the crop-median baseline: recorded in the artifact, the returned map is the excess its score and regions are made of", async () => {
  const train = await crops(kolektorDir(), 10);
  const { bank, oos } = await fitWithOutOfSample(backbone, train, { normalise: false });
  assert.equal(bank.baseline, "crop-median");
  // a dataset calibration passes the version's layout and baseline: the same scores, in the same units
  const recalibrated = await outOfSampleOkScores(backbone, train, { normalise: false, layout: "global", baseline: "crop-median" });
  assert.deepEqual(recalibrated.scores, oos.scores);
  const asIs = await fitWithOutOfSample(backbone, train, { normalise: false, baseline: "none" });
  assert.equal(asIs.bank.baseline, "none");
  // the same maps, each lowered by its own (positive) median distance
  assert.deepEqual(oos.scored, asIs.oos.scored);
  oos.scores.forEach((s, i) => assert.ok(s < asIs.oos.scores[i]!, `out-of-sample score ${s} under ${asIs.oos.scores[i]}`));
  const dir = mkdtempSync(join(tmpdir(), "bdi-base-"));
  try {
    writeBank(join(dir, "v1"), bank);
    const loaded = loadBank(join(dir, "v1"));
    assert.equal(loaded.baseline, "crop-median");
    const name = readdirSync(join(kolektorDir(), "test/crack")).sort()[0]!;
    const f = await extractImage(backbone, readFileSync(join(kolektorDir(), "test/crack", name)), "crop");
    const thr = 0.9 * (await scoreFeatures(backbone, bankIndex(loaded), f, {}, loaded)).score;
    const r = await scoreFeatures(backbone, bankIndex(loaded), f, { threshold: thr, areaMm2Thr: 0 }, loaded);
    const raw = await scoreFeatures(backbone, bankIndex(asIs.bank), f, {}, asIs.bank);
    assert.ok(Math.abs(maskedPercentiles(r.map!, null, [50])[0]!) < 1e-5, "the returned map's median is 0");
    assert.ok(Math.abs(r.score - imageScore(r.map!, null, 99, "tail-mean")) < 1e-6, "the score is the returned map's");
    assert.ok(r.score < raw.score && r.score > 0);
    assert.ok(r.regions.length > 0);
    for (const reg of r.regions) assert.ok(reg.score_max >= thr, "regions are over the threshold on the same map");
    const meta = JSON.parse(readFileSync(join(dir, "v1", META_FILE), "utf8"));
    writeFileSync(join(dir, "v1", META_FILE), JSON.stringify({ ...meta, baseline: "crop-mean" }));
    assert.throws(() => loadBank(join(dir, "v1")), BankInvalidError);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
