// Bank size bound: the coreset rate falls with the number of patches once rate × patches would pass the cap, so the
// bank, the 1-NN cost of every /infer and the k-center work per chunk stop growing with the training set.
// Measured (bundled backbone, input 768, int8 search): 1-NN 225 ms per bsdata crop at a 30.7k bank, growing
// linearly with the bank; 400 near-square crops at rate 0.05 built a 134k bank (seconds per /infer).
// 32,768 vectors leaves every dev-set fit at 768 / 0.05 unchanged (bsdata 30.7k) and caps the 1-NN at ~240 ms.
import { InvalidInputError } from "../errors.ts";

export const BANK_CAP = 32_768;

/**
 * Rate that keeps `rate × candidates` at or below `cap` (the rate itself when it already does). A rate ≥ 1 is the
 * legacy `memory_fit=true` ("keep every patch"), an explicit choice that is not capped.
 */
export function cappedCoresetRate(rate: number, candidates: number, cap = BANK_CAP): number {
  if (!(rate > 0) || !(Number.isFinite(candidates) && candidates >= 0) || !(cap >= 1)) {
    throw new InvalidInputError(`cappedCoresetRate needs rate > 0, candidates ≥ 0, cap ≥ 1 (got ${rate}, ${candidates}, ${cap})`);
  }
  if (rate >= 1) return 1;
  return candidates * rate <= cap ? rate : cap / candidates;
}
