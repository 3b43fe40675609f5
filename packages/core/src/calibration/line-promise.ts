// Whether the line sees the false-reject rate its calibration promised. A calibration promises the rate a new OK crop
// is expected to see, from the scores of OK crops the fit never saw (rates.ts newSampleShareAtOrOver); the line then
// judges new crops, and the reviewers tell which NG calls were good parts.
// The OK calls nobody reviews are counted as good parts (a line reviews its NG calls, not every OK part), and the NG
// calls still pending review bound the rate from both sides: all defects (the lowest rate the line can have) or all
// good parts (the highest).
import { InvalidInputError } from "../errors.ts";
import { wilsonInterval } from "./rates.ts";

/**
 * How far the realised rate may exceed the promised one and still count as kept: 2 points, issue 11's "within 2
 * points of the promised one", the same bar `npm run eval` and `npm run eval:rest` are read against.
 */
export const PROMISE_TOLERANCE = 0.02;

/** A calibration's line inspections by decision and review outcome. */
export interface LineCounts {
  /** NG calls reviewed as good parts (false positive, or added to the dataset as OK): false rejects */
  ngGood: number;
  /** NG calls reviewed as defects (confirmed, or added to the dataset as NG) */
  ngDefect: number;
  ngPending: number;
  /** OK calls reviewed as good parts, and those nobody reviewed */
  okGood: number;
  okPending: number;
  /** OK calls reviewed as defects: misses the reviewers found */
  okDefect: number;
}

export type PromiseVerdict =
  /** even with every pending NG call counted as a good part, the rate's 95 % upper bound is within the tolerance */
  | "kept"
  /** even with every pending NG call counted as a defect, the rate's 95 % lower bound is above the tolerance */
  | "broken"
  /** not enough inspections or reviews yet to tell either way */
  | "open";

export interface LinePromise {
  /** inspections counted (all of the calibration's line inspections) */
  inspections: number;
  /** good parts the line judged, counting pending NG calls as defects */
  goodParts: number;
  falseRejects: number;
  pendingNg: number;
  missesFound: number;
  /** the realised false-reject rate if every pending NG call is a defect / a good part; null without good parts */
  rateLow: number | null;
  rateHigh: number | null;
  /** Wilson 95 % interval spanning both cases: the lower bound of the low case, the upper bound of the high case */
  interval95: { lower: number; upper: number };
  promised: number | null;
  /** how far over `promised` still counts as kept */
  tolerance: number;
  verdict: PromiseVerdict;
}

function checkCount(name: string, v: number): void {
  if (!(Number.isInteger(v) && v >= 0)) throw new InvalidInputError(`${name} must be an integer >= 0, got ${v}`);
}

/**
 * The line's false-reject rate against the calibration's promise (`promised` in [0, 1], null when the calibration
 * promised none: then the verdict stays "open").
 */
export function linePromise(c: LineCounts, promised: number | null, tolerance = PROMISE_TOLERANCE): LinePromise {
  for (const [k, v] of Object.entries(c)) checkCount(k, v);
  if (promised !== null && !(Number.isFinite(promised) && promised >= 0 && promised <= 1)) {
    throw new InvalidInputError(`promised must be a rate in [0, 1] or null, got ${promised}`);
  }
  const goodParts = c.okGood + c.okPending + c.ngGood;
  const low = wilsonInterval(c.ngGood, goodParts);
  const high = wilsonInterval(c.ngGood + c.ngPending, goodParts + c.ngPending);
  const interval95 = { lower: goodParts ? low.lower : 0, upper: goodParts + c.ngPending ? high.upper : 1 };
  let verdict: PromiseVerdict = "open";
  if (promised !== null) {
    if (interval95.upper <= promised + tolerance) verdict = "kept";
    else if (goodParts && low.lower > promised + tolerance) verdict = "broken";
  }
  return {
    inspections: c.ngGood + c.ngDefect + c.ngPending + c.okGood + c.okPending + c.okDefect,
    goodParts,
    falseRejects: c.ngGood,
    pendingNg: c.ngPending,
    missesFound: c.okDefect,
    rateLow: goodParts ? c.ngGood / goodParts : null,
    rateHigh: goodParts + c.ngPending ? (c.ngGood + c.ngPending) / (goodParts + c.ngPending) : null,
    interval95,
    promised,
    tolerance,
    verdict,
  };
}
