// `npm run eval` on image-level data sets (issue 12): an MVTec layout without ground_truth/ (many real sets), and one
// where a defect type has no masks, run as the real CLI process with the real bundled backbone. Image metrics are
// reported, pixel metrics skipped (or computed over the images that have masks), scores.csv, oos.csv and the maps written.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { percentile } from "@bdi/core";
import { bsdataDir } from "../testing/dataset.ts";

const EVAL = path.resolve(import.meta.dirname, "eval.ts");
const SRC = bsdataDir();

/** A small MVTec-layout set from the dev set: 5 train crops, 2 good + 2 pitting (+ 2 `other`) test crops. */
function makeSet(opts: { masks: boolean; otherType: boolean }): string {
  const dir = mkdtempSync(path.join(tmpdir(), "bdi-eval-set-"));
  const copy = (from: string, to: string) => {
    mkdirSync(path.dirname(path.join(dir, to)), { recursive: true });
    copyFileSync(path.join(SRC, from), path.join(dir, to));
  };
  for (let i = 0; i < 5; i++) copy(`train/good/00${i}.png`, `train/good/00${i}.png`);
  for (const n of ["000", "001"]) {
    copy(`test/good/${n}.png`, `test/good/${n}.png`);
    copy(`test/pitting/${n}.png`, `test/pitting/${n}.png`);
    if (opts.masks) copy(`ground_truth/pitting/${n}_mask.png`, `ground_truth/pitting/${n}_mask.png`);
    if (opts.otherType) copy(`test/pitting/0${Number(n) + 10}.png`, `test/other/${n}.png`);
  }
  return dir;
}

async function runEval(data: string, out: string, extra: string[] = []): Promise<Record<string, unknown>> {
  const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", EVAL, "--data", data, "--out", out, "--input-size", "320", "--json", ...extra], {
    env: { ...process.env, BDI_THREADS: "2" }, maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(stdout) as Record<string, unknown>;
}

describe("npm run eval on image-level data sets (real CLI, real backbone)", () => {
  it("no ground_truth/: image metrics, pixel metrics skipped, scores.csv and every map written", async () => {
    const data = makeSet({ masks: false, otherType: false });
    const out = mkdtempSync(path.join(tmpdir(), "bdi-eval-out-"));
    try {
      const m = await runEval(data, out);
      assert.equal(typeof m.image_auroc, "number");
      assert.deepEqual([m.pixel_auroc, m.aupro_fpr30, m.pixel_metric_images], [null, null, 2]);
      // the bootstrap intervals of the image metrics hold their point values
      const iv = m.intervals_95 as Record<string, [number, number]>;
      for (const k of ["image_auroc", "frr_at_recall_95", "recall_at_frr_1"]) {
        const [lo, hi] = iv[k]!, v = m[k] as number;
        assert.ok(lo <= v && v <= hi && lo >= 0 && hi <= 1, `${k}: ${lo} ≤ ${v} ≤ ${hi}`);
      }
      const csv = readFileSync(path.join(out, "scores.csv"), "utf8").trim().split("\n");
      assert.equal(csv.length, 5);
      for (const f of ["good/000", "good/001", "pitting/000", "pitting/001"]) assert.ok(existsSync(path.join(out, "maps", `${f}.npy`)), f);
      // every training crop's out-of-sample score, and the two the calibrated threshold lies between
      const oos = readFileSync(path.join(out, "oos.csv"), "utf8").trim().split("\n").slice(1).map((l) => l.split(","));
      assert.deepEqual(oos.map(([f]) => f).sort(), [0, 1, 2, 3, 4].map((i) => path.join("train", "good", `00${i}.png`)));
      const setBy = m.threshold_set_by as Array<{ file: string; score: number }>;
      const top2 = oos.map(([, v]) => Number(v)).sort((a, b) => a - b).slice(-2);
      assert.deepEqual(setBy.map((c) => c.score), top2);
      assert.ok(top2[0]! <= (m.calibrated_threshold as number) && (m.calibrated_threshold as number) <= top2[1]!);
      // the promise on new OK crops: the rule's p99 of 5 scores lies 4 % of the top gap below the highest, so
      // (1 + 0.04) / 6, where the share of the 5 over it is 1 / 5
      assert.ok(Math.abs((m.promised_frr as number) - 1.04 / 6) < 1e-9, String(m.promised_frr));
      assert.deepEqual(m.oos_at_or_over_threshold, { count: 1, n: 5 });
      // another draw of the OK crops: a threshold resampled from these 5 out-of-sample scores lies within them, and the
      // interval holds the calibrated threshold; recall and realised false-reject are shares
      const cr = m.calibration_resampled_95 as { threshold: [number, number]; recall: [number, number]; realised_frr_test_good: [number, number] };
      const all = oos.map(([, v]) => Number(v));
      assert.ok(Math.min(...all) <= cr.threshold[0] && cr.threshold[0] <= (m.calibrated_threshold as number) && (m.calibrated_threshold as number) <= cr.threshold[1] && cr.threshold[1] <= Math.max(...all), JSON.stringify(cr));
      for (const [lo, hi] of [cr.recall, cr.realised_frr_test_good]) assert.ok(lo >= 0 && lo <= hi && hi <= 1, JSON.stringify(cr));
      assert.ok(cr.recall[0] <= (m.recall_at_threshold as number) && (m.recall_at_threshold as number) <= cr.recall[1], JSON.stringify(cr));
    } finally {
      rmSync(data, { recursive: true, force: true });
      rmSync(out, { recursive: true, force: true });
    }
  });

  it("--seeds 0,1: one fit per coreset seed in its own folder, and the spread of each metric", async () => {
    const data = makeSet({ masks: true, otherType: false });
    const out = mkdtempSync(path.join(tmpdir(), "bdi-eval-out-"));
    try {
      const m = await runEval(data, out, ["--seeds", "0,1"]) as { seeds: number[]; per_seed: Array<Record<string, number>>; spread: Record<string, { min: number; max: number; mean: number }> };
      assert.deepEqual(m.seeds, [0, 1]);
      assert.equal(m.per_seed.length, 2);
      const aurocs = m.per_seed.map((r) => r.image_auroc!);
      assert.deepEqual([m.spread.image_auroc!.min, m.spread.image_auroc!.max], [Math.min(...aurocs), Math.max(...aurocs)]);
      assert.equal(m.spread.image_auroc!.mean, (aurocs[0]! + aurocs[1]!) / 2);
      for (const seed of [0, 1]) assert.ok(existsSync(path.join(out, `seed-${seed}`, "scores.csv")), `seed ${seed}`);
      assert.deepEqual(JSON.parse(readFileSync(path.join(out, "metrics.json"), "utf8")).seeds, [0, 1]);
      // the same seed twice, or --seed with --seeds, is refused before any work
      for (const bad of [["--seeds", "1,1"], ["--seed", "1", "--seeds", "0,1"], ["--seeds", "0,x"]]) {
        await assert.rejects(runEval(data, out, bad), (e: { code?: number; stderr?: string }) => e.code === 2 && /--seed/.test(e.stderr ?? ""), bad.join(" "));
      }
    } finally {
      rmSync(data, { recursive: true, force: true });
      rmSync(out, { recursive: true, force: true });
    }
  });

  it("--view gain:1.5: every test crop brighter, the fit not; the good crops against the OK scores' median; a linked folder read", async () => {
    const data = makeSet({ masks: true, otherType: false });
    symlinkSync(path.join(data, "test", "pitting"), path.join(data, "test", "linked"));
    const plain = mkdtempSync(path.join(tmpdir(), "bdi-eval-out-"));
    const out = mkdtempSync(path.join(tmpdir(), "bdi-eval-out-"));
    const goodScores = (dir: string) => readFileSync(path.join(dir, "scores.csv"), "utf8").trim().split("\n").slice(1)
      .map((l) => l.split(",")).filter((r) => r[1] === "good").map((r) => Number(r[2]));
    try {
      const before = await runEval(data, plain);
      const m = await runEval(data, out, ["--view", "gain:1.5"]);
      assert.equal(before.view, null);
      assert.equal(m.view, "gain:1.5");
      assert.equal(readFileSync(path.join(out, "scores.csv"), "utf8").trim().split("\n").length, 7, "the linked folder's 2 crops are scored");
      // the same fit (same training crops and seed), so the same out-of-sample scores and threshold
      assert.equal(readFileSync(path.join(out, "oos.csv"), "utf8"), readFileSync(path.join(plain, "oos.csv"), "utf8"));
      const [g0, g1] = [goodScores(plain), goodScores(out)];
      assert.ok(g1.every((v, i) => v > g0[i]!), `a brighter view scores higher: ${g0} → ${g1}`);
      // the line's score shift on the good test crops: how many lie above the out-of-sample OK scores' median
      const oos = readFileSync(path.join(out, "oos.csv"), "utf8").trim().split("\n").slice(1).map((l) => Number(l.split(",")[1]));
      const shift = m.line_shift_test_good as { above_ok_median: number; crops: number; verdict: string };
      assert.equal(shift.crops, 2);
      assert.equal(shift.above_ok_median, g1.filter((v) => v > percentile(oos, 50)).length);
      assert.equal(shift.verdict, "open", "2 crops tell nothing");
      for (const bad of [["--view", "gain:0"], ["--view", "tint:1"]]) {
        await assert.rejects(runEval(data, out, bad), (e: { code?: number; stderr?: string }) => e.code === 2 && /--view must be/.test(e.stderr ?? ""), bad.join(" "));
      }
    } finally {
      rmSync(data, { recursive: true, force: true });
      rmSync(plain, { recursive: true, force: true });
      rmSync(out, { recursive: true, force: true });
    }
  });

  it("--turn 90: every crop and mask turned, the fit too; maps in the turned frame; --turns 0,90 one fit per orientation; bad turns refused", async () => {
    const data = makeSet({ masks: true, otherType: false });
    const out = mkdtempSync(path.join(tmpdir(), "bdi-eval-out-"));
    try {
      const m = await runEval(data, out, ["--turn", "90"]);
      assert.equal(m.turn, 90);
      assert.equal(m.pixel_metric_images, 4);
      assert.equal(typeof m.pixel_auroc, "number");
      // bsdata's crops are 512 × 208: turned, the maps are 208 wide and 512 high (.npy shape [height, width])
      const header = readFileSync(path.join(out, "maps", "pitting", "000.npy")).subarray(10, 128).toString("latin1");
      assert.match(header, /'shape': \(512, 208\)/);
      for (const [bad, why] of [[["--turn", "45"], /--turn must be one of/], [["--turns", "0,0"], /--turns takes distinct/], [["--turn", "90", "--turns", "0,90"], /--turn or --turns/], [["--turns", "0,90", "--seeds", "0,1"], /--seeds or --turns/]] as const) {
        await assert.rejects(runEval(data, out, [...bad]), (e: { code?: number; stderr?: string }) => e.code === 2 && why.test(e.stderr ?? ""), bad.join(" "));
      }
      // --turns 0,90: one fit per orientation in its own folder, the spread of each metric; turn-90 is the --turn 90 run
      const multi = mkdtempSync(path.join(tmpdir(), "bdi-eval-out-"));
      try {
        const s = await runEval(data, multi, ["--turns", "0,90"]) as { turns: number[]; spread: Record<string, { min: number; max: number }>; per_turn: Array<{ turn: number | null }> };
        assert.deepEqual(s.turns, [0, 90]);
        assert.deepEqual(s.per_turn.map((r) => r.turn), [null, 90]);
        assert.ok(s.spread.image_auroc!.min <= s.spread.image_auroc!.max);
        assert.equal(readFileSync(path.join(multi, "turn-90", "scores.csv"), "utf8"), readFileSync(path.join(out, "scores.csv"), "utf8"));
        assert.match(readFileSync(path.join(multi, "turn-0", "maps", "pitting", "000.npy")).subarray(10, 128).toString("latin1"), /'shape': \(208, 512\)/);
      } finally {
        rmSync(multi, { recursive: true, force: true });
      }
    } finally {
      rmSync(data, { recursive: true, force: true });
      rmSync(out, { recursive: true, force: true });
    }
  });

  it("a defect type without masks: pixel metrics over the images that have them, the type named", async () => {
    const data = makeSet({ masks: true, otherType: true });
    const out = mkdtempSync(path.join(tmpdir(), "bdi-eval-out-"));
    try {
      const m = await runEval(data, out);
      assert.equal(typeof m.pixel_auroc, "number");
      assert.equal(typeof m.aupro_fpr30, "number");
      assert.deepEqual([m.pixel_metric_images, m.types_without_masks], [4, ["other"]]);
      assert.equal(readFileSync(path.join(out, "scores.csv"), "utf8").trim().split("\n").length, 7);
      // each defect type against the good crops: the pairwise AUROC of scores.csv's rows
      const rows = readFileSync(path.join(out, "scores.csv"), "utf8").trim().split("\n").slice(1).map((l) => l.split(","));
      const of = (t: string) => rows.filter((r) => r[1] === t).map((r) => Number(r[2]));
      const pairwise = (ng: number[], ok: number[]) => ng.reduce((a, x) => a + ok.reduce((b, y) => b + (x > y ? 1 : x === y ? 0.5 : 0), 0), 0) / (ng.length * ok.length);
      const byType = m.by_defect_type as Record<string, { crops: number; image_auroc: number; recall_at_threshold: number }>;
      assert.deepEqual(Object.keys(byType), ["other", "pitting"]);
      for (const t of ["other", "pitting"]) {
        assert.equal(byType[t]!.crops, 2);
        assert.ok(Math.abs(byType[t]!.image_auroc - pairwise(of(t), of("good"))) < 1e-12, t);
        assert.equal(byType[t]!.recall_at_threshold, of(t).filter((x) => x >= (m.calibrated_threshold as number)).length / 2);
      }
      assert.ok(existsSync(path.join(out, "maps", "other", "001.npy")));
    } finally {
      rmSync(data, { recursive: true, force: true });
      rmSync(out, { recursive: true, force: true });
    }
  });
});
