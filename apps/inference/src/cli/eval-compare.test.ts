// `npm run eval:compare`: two eval outputs of the same test crops compared crop by crop (paired bootstrap), refused
// when they are not the same crops; the CLI run as a real process on real files.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { compareRuns, readEvalRun, runPairs, type EvalRun } from "./eval-compare.ts";

const CLI = path.resolve(import.meta.dirname, "eval-compare.ts");

// 20 good crops scored 0..19, 10 defective ones scored 10.5..19.5 (A: AUROC 155 of 200 pairs = 0.775)
const good = Array.from({ length: 20 }, (_, i) => i);
const defective = Array.from({ length: 10 }, (_, i) => 10.5 + i);

function run(shiftDefective: number, threshold: number | null): EvalRun {
  const crops = new Map<string, { defective: boolean; score: number }>();
  good.forEach((s, i) => crops.set(`test/good/${i}.png`, { defective: false, score: s }));
  defective.forEach((s, i) => crops.set(`test/pit/${i}.png`, { defective: true, score: s + shiftDefective }));
  return { crops, threshold };
}

function writeRun(dir: string, r: EvalRun): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "scores.csv"), ["file,label,score", ...[...r.crops].map(([f, c]) => `${f},${c.defective ? "pit" : "good"},${c.score}`)].join("\n") + "\n");
  writeFileSync(path.join(dir, "metrics.json"), JSON.stringify({ calibrated_threshold: r.threshold }));
}

test("compareRuns: B − A per metric with its paired interval and the share of resamples in which B is better", () => {
  const a = run(0, 18.5), b = run(10, 18.5); // B lifts every defective crop above every good one
  const byKey = Object.fromEntries(compareRuns(a, b, { draws: 300 }).map((m) => [m.key, m]));
  assert.deepEqual(Object.keys(byKey), ["image_auroc", "frr_at_recall_95", "frr_at_recall_99", "recall_at_frr_1", "recall_at_threshold", "realised_frr_test_good"]);
  assert.equal(byKey.image_auroc!.a, 0.775);
  assert.equal(byKey.image_auroc!.b, 1);
  assert.equal(byKey.image_auroc!.shareBetter, 1, "every resample of A misorders some pairs, no resample of B does");
  // lower is better for a false-reject rate: B better = B − A below 0
  assert.equal(byKey.frr_at_recall_95!.better, "lower");
  assert.equal(byKey.frr_at_recall_95!.a, 0.45); // catching all 10 needs the lowest, 10.5: good 11..19 rejected, 9 of 20
  assert.equal(byKey.frr_at_recall_95!.b, 0);
  // at each run's own calibrated threshold (18.5): A rejects 1 of 20 good crops (19) and 2 of 10 defects (18.5, 19.5)
  assert.equal(byKey.realised_frr_test_good!.a, 1 / 20);
  assert.equal(byKey.recall_at_threshold!.a, 2 / 10); // 18.5, 19.5
  assert.equal(byKey.recall_at_threshold!.b, 1);
  // the same run against itself: nothing differs in any resample
  for (const m of compareRuns(a, a, { draws: 100 })) assert.deepEqual([m.delta, m.low, m.high, m.shareAbove, m.shareBelow], [0, 0, 0, 0, 0], m.key);
  // without a calibrated threshold (fewer than 3 training crops) the two threshold rows are left out
  assert.equal(compareRuns(run(0, null), b, { draws: 50 }).length, 4);
});

test("compareRuns refuses runs of different crops or labels", () => {
  const a = run(0, 1), b = run(0, 1);
  b.crops.delete("test/good/3.png");
  assert.throws(() => compareRuns(a, b), /different crops.*only in A: test\/good\/3\.png/);
  const c = run(0, 1);
  c.crops.set("test/good/4.png", { defective: true, score: 4 });
  assert.throws(() => compareRuns(a, c), /labelled differently/);
});

test("readEvalRun / runPairs: eval folders, --seeds / --turns folders one by one, bad files refused; the CLI as a process", async () => {
  const root = mkdtempSync(path.join(tmpdir(), "bdi-eval-compare-"));
  writeRun(path.join(root, "A"), run(0, 18.5));
  writeRun(path.join(root, "B"), run(10, 18.5));
  const read = readEvalRun(path.join(root, "A"));
  assert.equal(read.crops.size, 30);
  assert.equal(read.threshold, 18.5);
  assert.deepEqual(runPairs(path.join(root, "A"), path.join(root, "B")), [{ name: "", a: path.join(root, "A"), b: path.join(root, "B") }]);
  for (const s of ["seed-0", "seed-1"]) { writeRun(path.join(root, "SA", s), run(0, 18.5)); writeRun(path.join(root, "SB", s), run(1, 18.5)); }
  assert.deepEqual(runPairs(path.join(root, "SA"), path.join(root, "SB")).map((p) => p.name), ["seed-0", "seed-1"]);
  // --turns folders orientation by orientation; a folder only one side has is not compared
  for (const t of ["turn-0", "turn-90"]) { writeRun(path.join(root, "TA", t), run(0, 18.5)); writeRun(path.join(root, "TB", t), run(1, 18.5)); }
  writeRun(path.join(root, "TA", "turn-180"), run(0, 18.5));
  assert.deepEqual(runPairs(path.join(root, "TA"), path.join(root, "TB")).map((p) => p.name), ["turn-0", "turn-90"]);

  const bad = path.join(root, "bad");
  mkdirSync(bad);
  writeFileSync(path.join(bad, "scores.csv"), "file,label,score\ntest/good/0.png,good,NaN\n");
  assert.throws(() => readEvalRun(bad), /bad row/);
  writeFileSync(path.join(bad, "scores.csv"), "file,label,score\ntest/good/0.png,good,1\ntest/good/0.png,good,2\n");
  assert.throws(() => readEvalRun(bad), /appears twice/);
  writeFileSync(path.join(bad, "scores.csv"), "name,score\n");
  assert.throws(() => readEvalRun(bad), /header/);
  assert.throws(() => readEvalRun(path.join(root, "nothing")), /no scores\.csv/);

  const exec = promisify(execFile);
  const { stdout } = await exec(process.execPath, ["--import", "tsx", CLI, path.join(root, "SA"), path.join(root, "SB"), "--draws", "50", "--json"]);
  const out = JSON.parse(stdout) as { runs: Array<{ seed: string; metrics: Array<{ key: string; delta: number; draws: number }> }> };
  assert.deepEqual(out.runs.map((r) => r.seed), ["seed-0", "seed-1"]);
  assert.equal(out.runs[0]!.metrics[0]!.draws, 50);
  assert.ok(out.runs[0]!.metrics.find((m) => m.key === "image_auroc")!.delta > 0);
  const refused = await exec(process.execPath, ["--import", "tsx", CLI, path.join(root, "A"), bad]).then(() => null, (e: { code: number; stderr: string }) => e);
  assert.equal(refused?.code, 2);
  assert.match(refused!.stderr, /eval:compare: .*header/);
});
