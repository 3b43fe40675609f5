// Area under the ROC curve as the Mann–Whitney U statistic: P(score_pos > score_neg) + ½·P(equal).
import { InvalidInputError } from "../errors.ts";
import { float32SortKeys, radixSortUint32 } from "../math/sort.ts";

/**
 * AUROC of `scores` against binary `labels` (non-zero = positive/anomalous). Ties count ½.
 * Float32Array scores are sorted by an O(n) radix sort (10M+ pixels in well under a second); other inputs
 * use the native typed-array sort. Returns NaN when either class is empty. NaN scores → InvalidInputError.
 */
export function auroc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = scores.length;
  if (labels.length !== n) throw new InvalidInputError(`scores (${n}) and labels (${labels.length}) differ in length`);
  let nPos = 0;
  for (let i = 0; i < n; i++) if (labels[i] !== 0) nPos++;
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return NaN;
  let pos: Uint32Array | Float64Array;
  let neg: Uint32Array | Float64Array;
  if (scores instanceof Float32Array) {
    const keys = float32SortKeys(scores);
    pos = new Uint32Array(nPos);
    neg = new Uint32Array(nNeg);
    let a = 0;
    let b = 0;
    for (let i = 0; i < n; i++) {
      if (labels[i] !== 0) pos[a++] = keys[i]!;
      else neg[b++] = keys[i]!;
    }
    radixSortUint32(pos);
    radixSortUint32(neg);
  } else {
    pos = new Float64Array(nPos);
    neg = new Float64Array(nNeg);
    let a = 0;
    let b = 0;
    for (let i = 0; i < n; i++) {
      const s = scores[i]!;
      if (s !== s) throw new InvalidInputError(`score at index ${i} is NaN`);
      if (labels[i] !== 0) pos[a++] = s;
      else neg[b++] = s;
    }
    pos.sort();
    neg.sort();
  }
  // For each run of equal positive scores s: count negatives < s and == s.
  let u = 0;
  let j = 0;
  for (let i = 0; i < nPos; ) {
    const s = pos[i]!;
    let run = 0;
    while (i < nPos && pos[i] === s) {
      run++;
      i++;
    }
    while (j < nNeg && neg[j]! < s) j++;
    let eq = 0;
    while (j + eq < nNeg && neg[j + eq] === s) eq++;
    u += run * (j + 0.5 * eq);
  }
  return u / nPos / nNeg;
}
