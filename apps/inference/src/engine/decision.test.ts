// Integration: the OK/NG call on a small pit. Real bundled backbone (input 448, the fast setting, to keep the test
// short), all 160 good training crops of ../shared/datasets/bsdata_pitting, the service's self-calibrating fit and
// its threshold rule. The old image score (p99 of raw 1-NN distances) calls test/pitting/046 (a 166 px pit) OK; with
// per-position normalisation and the mean of the map's top 1 % (the default since session 6) it is NG, and the
// anomaly map peaks inside the pit's mask. Measured at 448 (bank capped at 16,384, 100 out-of-sample crops): raw p99
// 0.976 × its threshold; normalised p99 1.41 ×, normalised top-1 % mean 1.55 ×. Other pitted crops switch from OK
// to NG the same way, most with the map's peak on dirt elsewhere, which is why this one is named.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync, rmSync, truncateSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { imageScore, legacyThreshold, SCALE_FLOOR_REGISTERED } from "@bdi/core";
import { loadBackbone, type Backbone } from "./backbone.ts";
import { scoreImage } from "./pipeline.ts";
import { FIT_OOS_CROPS, fitWithOutOfSample } from "./fit.ts";
import { checkArtifactFiles, loadBank, NORM_FILE, readBankMeta, writeBank, type MemoryBank } from "./artifacts.ts";
import { BankInvalidError } from "./errors.ts";
import { bsdataDir } from "../testing/dataset.ts";

const DATA = bsdataDir();
const TRAIN = readdirSync(join(DATA, "train/good")).sort().map((f) => readFileSync(join(DATA, "train/good", f)));
const PIT = readFileSync(join(DATA, "test/pitting/046.png"));

let backbone: Backbone;
const fits = {} as Record<"raw" | "normalised", { bank: MemoryBank; threshold: number }>;
before(async () => {
  backbone = await loadBackbone({ backbone: "mobilenetv2-1.4-mid", inputSize: 448, threads: 2 });
  for (const kind of ["raw", "normalised"] as const) {
    // "raw": the engine as it was before issue 11 (raw distances, p99, the whole square input); "normalised":
    // today's default fit
    const { bank, oos } = await fitWithOutOfSample(backbone, TRAIN, {
      coresetRate: 0.1, normalise: kind === "normalised", ...(kind === "raw" ? { scoreRule: "percentile" as const, input: "square" as const } : {}),
    });
    assert.equal(oos.normalised, kind === "normalised");
    fits[kind] = { bank, threshold: legacyThreshold({ okScores: oos.scores }).threshold };
  }
});

test("the normalised bank carries per-position statistics from the out-of-sample pass (at most FIT_OOS_CROPS maps)", () => {
  const norm = fits.normalised.bank.norm!;
  assert.ok(norm, "a self-calibrating fit normalises");
  assert.equal(fits.raw.bank.norm, undefined);
  assert.equal(norm.grid, backbone.grid);
  assert.equal(norm.samples, Math.min(TRAIN.length, FIT_OOS_CROPS));
  assert.equal(norm.mean.length, backbone.grid * backbone.grid);
  assert.ok(norm.scale.every((s) => s > 0 && Number.isFinite(s)));
  // the scale floor: the registered layout's quantile of the deviations of the cells the crops cover (the bank's
  // cells), not of the grid, whose other cells repeat the crop's border; the cells under it and the one at it share it
  const bank = fits.normalised.bank;
  assert.equal(bank.layout, "positional");
  const covered = [...new Set(bank.cells!)];
  const floor = Math.min(...covered.map((c) => norm.scale[c]!));
  const atFloor = covered.filter((c) => norm.scale[c] === floor).length;
  assert.equal(atFloor, Math.floor(SCALE_FLOOR_REGISTERED * covered.length) + 1, `${atFloor} of ${covered.length} cells at the floor`);
  // the same seed and rate: both fits keep the same vectors, only the scoring differs
  assert.equal(fits.raw.bank.n, fits.normalised.bank.n);
  assert.equal(fits.raw.bank.scoreRule, "percentile");
  assert.equal(fits.normalised.bank.scoreRule, "tail-mean");
});

test("a 166 px pit the raw p99 rule calls OK is NG with the default fit (normalised, top-1 % mean), peak inside the pit", async () => {
  const raw = await scoreImage(backbone, fits.raw.bank, PIT, { threshold: fits.raw.threshold, includeMap: false });
  assert.equal(raw.decision, "ok", `raw p99 ${raw.score} vs threshold ${fits.raw.threshold}`);
  assert.ok(raw.score < 0.99 * fits.raw.threshold, `margin: raw ${raw.score} / ${fits.raw.threshold}`);

  const z = await scoreImage(backbone, fits.normalised.bank, PIT, { threshold: fits.normalised.threshold });
  assert.equal(z.decision, "ng", `normalised top-1 % mean ${z.score} vs threshold ${fits.normalised.threshold}`);
  assert.ok(z.score > 1.2 * fits.normalised.threshold, `margin: normalised ${z.score} / ${fits.normalised.threshold}`);
  assert.ok(z.regions.length > 0, "an NG call comes with its regions");

  const { data, info } = await sharp(join(DATA, "ground_truth/pitting/046_mask.png")).greyscale().raw().toBuffer({ resolveWithObject: true });
  assert.equal(info.width * info.height, z.map!.length);
  let peak = 0;
  for (let i = 1; i < z.map!.length; i++) if (z.map![i]! > z.map![peak]!) peak = i;
  assert.ok(data[peak * info.channels]! > 127, `map peak at (${peak % info.width}, ${Math.floor(peak / info.width)}) is outside the pit`);
});

test("the normalisation survives the artifact round trip and scores identically", async () => {
  const dir = mkdtempSync(join(tmpdir(), "bdi-norm-"));
  try {
    const v = join(dir, "v1");
    writeBank(v, fits.normalised.bank);
    const loaded = loadBank(v);
    assert.deepEqual(Array.from(loaded.norm!.mean), Array.from(fits.normalised.bank.norm!.mean));
    assert.deepEqual(Array.from(loaded.norm!.scale), Array.from(fits.normalised.bank.norm!.scale));
    assert.equal(loaded.scoreRule, "tail-mean");
    const a = await scoreImage(backbone, fits.normalised.bank, PIT);
    const b = await scoreImage(backbone, loaded, PIT, { includeMap: false });
    assert.equal(b.score, a.score);
    assert.equal(a.score, imageScore(a.map!, null, 99, "tail-mean"));
    // a bank written before the rule existed keeps scoring with the 99th percentile, so its threshold still holds
    const { scoreRule: _rule, ...older } = fits.normalised.bank;
    writeBank(join(dir, "v0"), older);
    const old = loadBank(join(dir, "v0"));
    assert.equal(old.scoreRule, undefined);
    const c = await scoreImage(backbone, old, PIT, { includeMap: false });
    assert.equal(c.score, imageScore(a.map!, null, 99, "percentile"));
    assert.ok(c.score < a.score);
    // a truncated normalisation file makes the version unusable, for the cheap check and for loading alike
    truncateSync(join(v, NORM_FILE), 100);
    assert.throws(() => checkArtifactFiles(v, readBankMeta(v)), BankInvalidError);
    assert.throws(() => loadBank(v), BankInvalidError);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
