// Helpers of the calibration view: the slider's range and step over the stored scores. Rates, confusion and ROC
// come from the service (calibration.rescore); nothing here decides OK/NG.

export type SliderRange = { min: number; max: number; step: number };

/** A range covering every score and the thresholds to show, padded by 5 %, with ~400 steps. */
export function thresholdRange(scores: readonly number[], marks: ReadonlyArray<number | null | undefined> = []): SliderRange | null {
  const all = [...scores, ...marks.filter((v): v is number => v != null)].filter(Number.isFinite);
  if (all.length === 0) return null;
  let lo = Math.min(...all);
  let hi = Math.max(...all);
  if (hi === lo) {
    const pad = Math.abs(lo) > 0 ? Math.abs(lo) * 0.1 : 1;
    lo -= pad;
    hi += pad;
  }
  const pad = (hi - lo) * 0.05;
  lo = Math.max(0, lo - pad);
  hi = hi + pad;
  const raw = (hi - lo) / 400;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  return { min: Math.floor(lo / step) * step, max: Math.ceil(hi / step) * step, step };
}

/** The confusion's operating point on the ROC plane (NG = positive). */
export function operatingPoint(c: { tp: number; fp: number; tn: number; fn: number }): { fpr: number; tpr: number } | null {
  const ok = c.tn + c.fp;
  const ng = c.tp + c.fn;
  if (ok === 0 && ng === 0) return null;
  return { fpr: ok ? c.fp / ok : 0, tpr: ng ? c.tp / ng : 0 };
}
