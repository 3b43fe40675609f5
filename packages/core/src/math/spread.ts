// Evenly spread picks from an ordered list: the fit's out-of-sample crops per fold, its brightness and channel-weight
// crops, the crops `npm run eval --holdout` keeps out and the OK crops `npm run eval:rest` uploads.
import { InvalidInputError } from "../errors.ts";

/** `count` indices spread evenly over 0…total−1 (the middle of each of `count` equal runs); every index when fewer. */
export function spreadIndices(total: number, count: number): number[] {
  if (!Number.isInteger(total) || total < 0 || !Number.isInteger(count) || count < 0) throw new InvalidInputError(`spreadIndices needs whole numbers ≥ 0 (got ${total}, ${count})`);
  if (count >= total) return Array.from({ length: total }, (_, i) => i);
  return Array.from({ length: count }, (_, j) => Math.floor(((j + 0.5) * total) / count));
}
