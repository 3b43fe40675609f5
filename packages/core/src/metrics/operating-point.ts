// Image-level operating points: what a line sees at a threshold, not only the ranking quality (AUROC).
// Labels: 1 = defective (NG, positive), 0 = good; a crop is rejected when score ≥ threshold.
import { InvalidInputError } from "../errors.ts";

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
