// Image-level operating points: what a line sees at a threshold, not only the ranking quality (AUROC).
// Labels: 1 = defective (NG, positive), 0 = good; a crop is rejected when score ≥ threshold.
import { InvalidInputError } from "../errors.ts";
import { randomInt, seededRandom } from "../math/random.ts";
import { expectedRates } from "../calibration/rates.ts";

function split(scores: ArrayLike<number>, labels: ArrayLike<number>): { ok: number[]; ng: number[] } {
  if (scores.length !== labels.length) throw new InvalidInputError(`${scores.length} scores but ${labels.length} labels`);
  const ok: number[] = [];
  const ng: number[] = [];
  for (let i = 0; i < scores.length; i++) (labels[i] ? ng : ok).push(scores[i]!);
  if (!ok.length || !ng.length) throw new InvalidInputError("operating points need good and defective scores");
  return { ok, ng };
}

/**
 * False-reject rate at the highest threshold that still rejects at least `recall` of the defective crops
 * (threshold = the ⌈recall·n⌉-th highest defective score). E.g. frrAtRecall(s, l, 0.95): "to catch 95 % of the
 * defects, this share of good parts is rejected".
 */
export function frrAtRecall(scores: ArrayLike<number>, labels: ArrayLike<number>, recall: number): number {
  if (!(recall > 0 && recall <= 1)) throw new InvalidInputError(`recall must be within (0, 1], got ${recall}`);
  const { ok, ng } = split(scores, labels);
  ng.sort((a, b) => b - a);
  const thr = ng[Math.ceil(recall * ng.length - 1e-9) - 1]!;
  return ok.filter((s) => s >= thr).length / ok.length;
}

/**
 * Share of defective crops rejected at the lowest threshold whose false-reject rate is at most `frr` (only scores
 * strictly above the (⌊frr·n⌋+1)-th highest good score are rejected).
 */
export function recallAtFrr(scores: ArrayLike<number>, labels: ArrayLike<number>, frr: number): number {
  if (!(frr >= 0 && frr < 1)) throw new InvalidInputError(`frr must be within [0, 1), got ${frr}`);
  const { ok, ng } = split(scores, labels);
  ok.sort((a, b) => b - a);
  const bar = ok[Math.floor(frr * ok.length + 1e-9)]!;
  return ng.filter((s) => s > bar).length / ng.length;
}

export interface BootstrapInterval {
  /** the metric on the test set as it is */
  value: number;
  low: number;
  high: number;
  level: number;
  draws: number;
}

/**
 * Percentile bootstrap interval of an image-level metric (e.g. auroc, frrAtRecall at 95 %): the good and the defective
 * crops are resampled separately, with replacement and their counts kept, `draws` times; a fixed seed makes two runs
 * print the same interval. It says what a test set of this size can tell apart: with 48 defective crops the FRR at 95 %
 * recall rests on the 3rd-lowest defective score, and two fits that differ only in the coreset's seed moved it by 13
 * points on kolektorsdd_crack (41.9 vs 29.0 %).
 */
export function bootstrapInterval(
  scores: ArrayLike<number>, labels: ArrayLike<number>, metric: (scores: number[], labels: number[]) => number,
  opts: { draws?: number; level?: number; seed?: number } = {},
): BootstrapInterval {
  const { draws, level } = bootstrapOptions(opts);
  split(scores, labels); // one-class or mismatched input: a clear error before any draw
  const value = metric(Array.from(scores), Array.from(labels));
  const values = new Float64Array(draws);
  resamples(labels, draws, opts.seed ?? 1, (b, pick, labelsOf) => { values[b] = metric(pick(scores), labelsOf); });
  return { value, ...percentileInterval(values, level), level, draws };
}

export interface PairedBootstrap {
  /** the metric of run A and of run B on the test set as it is, and B − A */
  a: number;
  b: number;
  delta: number;
  /** percentile interval of B − A over the draws */
  low: number;
  high: number;
  /** share of draws in which B − A is above 0, and below 0 (the rest: equal) */
  shareAbove: number;
  shareBelow: number;
  level: number;
  draws: number;
}

/**
 * Paired bootstrap of the difference of an image-level metric between two runs that scored the SAME test crops
 * (`scoresA[i]` and `scoresB[i]` are one crop): each draw resamples the crops as `bootstrapInterval` does and
 * evaluates both runs on that one resample, so what the two runs share (the same hard crops) cancels out. That is the
 * interval two variants should be compared by: on bsdata_pitting a local background removal moved image AUROC by
 * +0.006 while each run's own interval spans 0.95–0.99; paired, B − A is −0.004 to +0.020 (above 0 in 85 % of draws,
 * `npm run eval:compare`), and its recall at the calibrated threshold −25 points (−34 to −17, below 0 in every draw).
 */
export function pairedBootstrap(
  scoresA: ArrayLike<number>, scoresB: ArrayLike<number>, labels: ArrayLike<number>,
  metric: (scores: number[], labels: number[]) => number,
  opts: { draws?: number; level?: number; seed?: number } = {},
): PairedBootstrap {
  const { draws, level } = bootstrapOptions(opts);
  if (scoresA.length !== scoresB.length) throw new InvalidInputError(`run A has ${scoresA.length} scores, run B ${scoresB.length}: not the same crops`);
  split(scoresA, labels);
  split(scoresB, labels);
  const a = metric(Array.from(scoresA), Array.from(labels)), b = metric(Array.from(scoresB), Array.from(labels));
  const deltas = new Float64Array(draws);
  resamples(labels, draws, opts.seed ?? 1, (d, pick, labelsOf) => { deltas[d] = metric(pick(scoresB), labelsOf) - metric(pick(scoresA), labelsOf); });
  let above = 0, below = 0;
  for (const v of deltas) { if (v > 0) above++; else if (v < 0) below++; }
  return { a, b, delta: b - a, ...percentileInterval(deltas, level), shareAbove: above / draws, shareBelow: below / draws, level, draws };
}

/**
 * How far a self-calibrated threshold, and what follows from it, could move with another draw of as many OK crops
 * like these: the OK scores are resampled with replacement (their count kept) `draws` times, `rule` calibrates a
 * threshold on each, and `at` says what that threshold gives (the threshold itself, the recall on defective test
 * crops, the false-reject rate on good ones). The point value is `at(rule(okScores))`. On 100 out-of-sample OK scores a
 * 99th percentile rests on the two highest (bsdata_pitting: 9.47 and 6.47, the next 5.44), so the spread is wide: that
 * is what a line's 100 OK samples can promise, not a flaw of one run. A fixed seed gives the same resamples to every
 * `at`, so intervals of the threshold and of the recall belong to the same draws.
 */
export function okResampleInterval(
  okScores: ArrayLike<number>, rule: (okScores: number[]) => number, at: (threshold: number) => number,
  opts: { draws?: number; level?: number; seed?: number } = {},
): BootstrapInterval {
  const { draws, level } = bootstrapOptions(opts);
  if (okScores.length === 0) throw new InvalidInputError("no OK scores to resample");
  const ok = Array.from(okScores);
  const value = at(rule(ok));
  const rng = seededRandom(opts.seed ?? 1);
  const values = new Float64Array(draws);
  const sample = new Array<number>(ok.length);
  for (let d = 0; d < draws; d++) {
    for (let i = 0; i < ok.length; i++) sample[i] = ok[randomInt(rng, ok.length)]!;
    values[d] = at(rule(sample));
  }
  return { value, ...percentileInterval(values, level), level, draws };
}

/**
 * The share of `scores` at or over a threshold that lies anywhere in `range` (e.g. okResampleInterval's threshold
 * range): [the share at its high end, the share at its low end], since a share can only fall as the threshold rises —
 * so these are also the percentile range of the share over the same draws. Null for no finite scores.
 */
export function rejectedAcross(range: { low: number; high: number }, scores: ArrayLike<number>): [number, number] | null {
  const atHigh = expectedRates(range.high, scores).falseRejectRate, atLow = expectedRates(range.low, scores).falseRejectRate;
  return atHigh === null || atLow === null ? null : [atHigh, atLow];
}

function bootstrapOptions(opts: { draws?: number; level?: number }): { draws: number; level: number } {
  const draws = opts.draws ?? 1000, level = opts.level ?? 0.95;
  if (!(Number.isInteger(draws) && draws >= 10)) throw new InvalidInputError(`draws must be an integer ≥ 10, got ${draws}`);
  if (!(level > 0 && level < 1)) throw new InvalidInputError(`level must be within (0, 1), got ${level}`);
  return { draws, level };
}

/**
 * `draws` resamples of the crops, the good and the defective ones separately, with replacement and their counts kept
 * (good first, then defective, in each resample). `pick(scores)` reads one run's scores of the resample; a fixed seed
 * gives the same resamples, so runs and metrics compared on one seed see the same crops.
 */
function resamples(
  labels: ArrayLike<number>, draws: number, seed: number,
  each: (draw: number, pick: (scores: ArrayLike<number>) => number[], labelsOf: number[]) => void,
): void {
  const ok: number[] = [], ng: number[] = [];
  for (let i = 0; i < labels.length; i++) (labels[i] ? ng : ok).push(i);
  const rng = seededRandom(seed);
  const labelsOf = [...ok.map(() => 0), ...ng.map(() => 1)];
  const rows = new Array<number>(ok.length + ng.length);
  const pick = (scores: ArrayLike<number>) => rows.map((r) => scores[r]!);
  for (let d = 0; d < draws; d++) {
    for (let i = 0; i < ok.length; i++) rows[i] = ok[randomInt(rng, ok.length)]!;
    for (let i = 0; i < ng.length; i++) rows[ok.length + i] = ng[randomInt(rng, ng.length)]!;
    each(d, pick, labelsOf);
  }
}

function percentileInterval(values: Float64Array, level: number): { low: number; high: number } {
  const sorted = values.slice().sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))]!;
  return { low: at((1 - level) / 2), high: at(1 - (1 - level) / 2) };
}
