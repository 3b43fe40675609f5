// `npm run eval:compare -- A B [--draws N] [--json]`: two `npm run eval` outputs of the same test crops (A the
// reference, B the variant), compared crop by crop. For each image metric it prints A, B, B − A and the paired bootstrap
// interval of B − A (core's pairedBootstrap: both runs evaluated on the same resamples of the crops), with the share of
// resamples in which B is better. Each run's own interval (`npm run eval` prints it) says what one test set can tell
// apart; two runs share their hard crops, so the paired interval of their difference is far narrower, and it is the one
// a variant should be judged by. Runs of `--seeds` (OUT/seed-N/) are compared seed by seed, runs of `--turns`
// (OUT/turn-T/) orientation by orientation.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { auroc, expectedRates, frrAtRecall, pairedBootstrap, recallAtFrr, type PairedBootstrap } from "@bdi/core";
import { flag, hasFlag } from "./args.ts";

/** One eval run: every test crop's label and score, and the threshold its fit calibrated (null: none). */
export interface EvalRun {
  crops: Map<string, { defective: boolean; score: number }>;
  threshold: number | null;
}

type Better = "higher" | "lower";
interface MetricDef {
  key: string;
  label: string;
  better: Better;
  /** over scores already shifted by each run's threshold where `atThreshold` */
  fn: (scores: number[], labels: number[]) => number;
  atThreshold?: boolean;
}

const METRICS: MetricDef[] = [
  { key: "image_auroc", label: "image AUROC", better: "higher", fn: auroc },
  { key: "frr_at_recall_95", label: "false-reject at 95 % recall", better: "lower", fn: (s, l) => frrAtRecall(s, l, 0.95) },
  { key: "frr_at_recall_99", label: "false-reject at 99 % recall", better: "lower", fn: (s, l) => frrAtRecall(s, l, 0.99) },
  { key: "recall_at_frr_1", label: "recall at 1 % false-reject", better: "higher", fn: (s, l) => recallAtFrr(s, l, 0.01) },
  // each run at the threshold its own fit calibrated: what the line would get from it (scores minus the threshold,
  // so one metric serves both runs: rejected = score − threshold ≥ 0)
  { key: "recall_at_threshold", label: "recall at the calibrated threshold", better: "higher", fn: (s, l) => shareAtOrAbove(s, l, 1), atThreshold: true },
  { key: "realised_frr_test_good", label: "false-reject at the calibrated threshold", better: "lower", fn: (s, l) => shareAtOrAbove(s, l, 0), atThreshold: true },
];

/** Share of the crops labelled `label` rejected at threshold 0 (the scores are already minus each run's threshold). */
function shareAtOrAbove(scores: number[], labels: number[], label: number): number {
  return expectedRates(0, scores.filter((_, i) => labels[i] === label)).falseRejectRate ?? NaN;
}

export interface MetricComparison extends PairedBootstrap {
  key: string;
  label: string;
  better: Better;
  /** share of resamples in which B is better than A */
  shareBetter: number;
}

/**
 * A against B over the crops both scored. Refuses runs of different crops (a file in one and not the other, or one
 * file labelled differently): a paired comparison is only meaningful on the same test set.
 */
export function compareRuns(a: EvalRun, b: EvalRun, opts: { draws?: number; seed?: number } = {}): MetricComparison[] {
  const files = [...a.crops.keys()].sort();
  const onlyB = [...b.crops.keys()].filter((f) => !a.crops.has(f));
  const onlyA = files.filter((f) => !b.crops.has(f));
  if (onlyA.length || onlyB.length) {
    throw new Error(`the two runs scored different crops (only in A: ${onlyA.slice(0, 3).join(", ") || "none"}; only in B: ${onlyB.slice(0, 3).join(", ") || "none"}${onlyA.length + onlyB.length > 3 ? ", …" : ""})`);
  }
  const relabelled = files.find((f) => a.crops.get(f)!.defective !== b.crops.get(f)!.defective);
  if (relabelled) throw new Error(`${relabelled} is labelled differently in the two runs`);
  const labels = files.map((f) => (a.crops.get(f)!.defective ? 1 : 0));
  const scoresA = files.map((f) => a.crops.get(f)!.score), scoresB = files.map((f) => b.crops.get(f)!.score);
  const out: MetricComparison[] = [];
  for (const m of METRICS) {
    if (m.atThreshold && (a.threshold === null || b.threshold === null)) continue;
    const sa = m.atThreshold ? scoresA.map((s) => s - a.threshold!) : scoresA;
    const sb = m.atThreshold ? scoresB.map((s) => s - b.threshold!) : scoresB;
    const p = pairedBootstrap(sa, sb, labels, m.fn, { draws: opts.draws, seed: opts.seed });
    out.push({ key: m.key, label: m.label, better: m.better, ...p, shareBetter: m.better === "higher" ? p.shareAbove : p.shareBelow });
  }
  return out;
}

/** An eval output folder: scores.csv (file,label,score; label "good" = good) and, if there, metrics.json's threshold. */
export function readEvalRun(dir: string): EvalRun {
  const csv = join(dir, "scores.csv");
  if (!existsSync(csv)) throw new Error(`${dir} has no scores.csv (not an \`npm run eval\` output)`);
  const crops = new Map<string, { defective: boolean; score: number }>();
  const lines = readFileSync(csv, "utf8").split("\n").filter((l) => l.trim());
  if (lines[0]?.trim() !== "file,label,score") throw new Error(`${csv}: expected the header file,label,score`);
  for (const line of lines.slice(1)) {
    const cells = line.split(",");
    const score = Number(cells[2]);
    if (cells.length !== 3 || !cells[0] || !cells[1] || !Number.isFinite(score)) throw new Error(`${csv}: bad row ${JSON.stringify(line)}`);
    if (crops.has(cells[0])) throw new Error(`${csv}: ${cells[0]} appears twice`);
    crops.set(cells[0], { defective: cells[1] !== "good", score });
  }
  const metricsPath = join(dir, "metrics.json");
  const threshold = existsSync(metricsPath) ? (JSON.parse(readFileSync(metricsPath, "utf8")) as { calibrated_threshold?: number | null }).calibrated_threshold ?? null : null;
  return { crops, threshold: typeof threshold === "number" && Number.isFinite(threshold) ? threshold : null };
}

/** The pairs to compare: A and B themselves, or with `--seeds` / `--turns` outputs every seed-N / turn-T folder both have. */
export function runPairs(a: string, b: string): Array<{ name: string; a: string; b: string }> {
  const folders = (d: string) => (existsSync(d) ? readdirSync(d).filter((n) => /^(seed|turn)-\d+$/.test(n) && existsSync(join(d, n, "scores.csv"))) : []);
  const sa = folders(a), sb = new Set(folders(b));
  const both = sa.filter((s) => sb.has(s)).sort();
  if (both.length && !existsSync(join(a, "scores.csv"))) return both.map((s) => ({ name: s, a: join(a, s), b: join(b, s) }));
  return [{ name: "", a, b }];
}

const pct = (v: number) => `${(v * 100).toFixed(1)} %`;
const num = (key: string, v: number) => (key === "image_auroc" ? v.toFixed(4) : pct(v));
const signed = (key: string, v: number) => (key === "image_auroc" ? `${v >= 0 ? "+" : "−"}${Math.abs(v).toFixed(4)}` : `${v >= 0 ? "+" : "−"}${(Math.abs(v) * 100).toFixed(1)} pt`);

function main(): void {
  const argv = process.argv.slice(2);
  const [a, b] = argv.filter((x, i) => !x.startsWith("--") && argv[i - 1] !== "--draws");
  if (!a || !b) {
    console.error("usage: npm run eval:compare -- A B [--draws N] [--json]   (A, B: `npm run eval` --out folders of the same test crops)");
    process.exit(2);
  }
  const draws = flag("--draws") === undefined ? undefined : Number(flag("--draws"));
  const results = runPairs(resolve(a), resolve(b)).map((p) => ({ seed: p.name || null, metrics: compareRuns(readEvalRun(p.a), readEvalRun(p.b), { draws }) }));
  if (hasFlag("--json")) {
    console.log(JSON.stringify({ a: resolve(a), b: resolve(b), runs: results }, null, 2));
    return;
  }
  console.log(`A = ${a}\nB = ${b}\n(paired bootstrap over the same test crops, ${results[0]?.metrics[0]?.draws ?? 0} draws, 95 %)`);
  for (const r of results) {
    if (r.seed) console.log(`\n${r.seed}`);
    for (const m of r.metrics) {
      console.log(`  ${m.label.padEnd(42)} A ${num(m.key, m.a).padStart(7)}  B ${num(m.key, m.b).padStart(7)}  B − A ${signed(m.key, m.delta).padStart(9)}  (${signed(m.key, m.low)} to ${signed(m.key, m.high)}); B better in ${pct(m.shareBetter)} of resamples, worse in ${pct(m.better === "higher" ? m.shareBelow : m.shareAbove)}`);
    }
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    main();
  } catch (e) {
    console.error(`eval:compare: ${(e as Error).message}`);
    process.exit(2);
  }
}
