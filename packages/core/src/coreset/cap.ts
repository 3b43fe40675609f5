// Bank size bound: the coreset rate falls with the number of patches once rate × patches would pass the cap, so the
// bank, the 1-NN cost of every /infer and the k-center work per chunk stop growing with the training set.
// Measured (bundled backbone, input 768, int8 search, 2 cores): 9,216 query patches (a square crop) cost 103 / 159 /
// 274 / 468 ms against 1k / 10k / 20k / 32.8k vectors, and 400 near-square crops at rate 0.05 built a 134k bank.
// 16,384 vectors: with per-position normalisation, bsdata_pitting (bank 30.7k → 16.4k) image AUROC 0.955 → 0.950,
// pixel AUROC 0.992 → 0.991, AUPRO 0.892 → 0.886, recall at the calibrated threshold unchanged (0.80);
// kolektorsdd_crack (49.4k → 16.4k) 0.909 → 0.908, 0.945 → 0.943, 0.742 → 0.730 — for half the 1-NN time.
import { InvalidInputError } from "../errors.ts";

export const BANK_CAP = 16_384;

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
