// Display binning for score histograms (OK vs NG scores of a calibration). Pure; no domain math here — thresholds,
// rates and ROC come from the service / packages/core.

export type Binned = {
  /** bins + 1 ascending edges; bin i covers [edges[i], edges[i+1]) and the last bin also includes its right edge. */
  edges: number[];
  /** One count array per input series, each of length `bins`. */
  counts: number[][];
  /** Largest count over every series and bin (0 when every series is empty). */
  maxCount: number;
};

/**
 * Bins several score series on shared edges so they can be drawn on one axis. The range spans every finite value
 * (and `include`, e.g. a threshold, so its marker is always on the chart); non-finite values are ignored.
 */
export function binSeries(series: ReadonlyArray<ReadonlyArray<number>>, bins = 30, include: number[] = []): Binned {
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`bins must be a positive integer, got ${bins}`);
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of series) for (const v of s) if (Number.isFinite(v)) ((lo = Math.min(lo, v)), (hi = Math.max(hi, v)));
  for (const v of include) if (Number.isFinite(v)) ((lo = Math.min(lo, v)), (hi = Math.max(hi, v)));
  if (lo === Infinity) return { edges: [], counts: series.map(() => new Array<number>(bins).fill(0)), maxCount: 0 };
  if (lo === hi) {
    const pad = Math.abs(lo) > 0 ? Math.abs(lo) * 0.05 : 0.5;
    lo -= pad;
    hi += pad;
  }
  const width = (hi - lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? hi : lo + i * width));
  let maxCount = 0;
  const counts = series.map((s) => {
    const c = new Array<number>(bins).fill(0);
    for (const v of s) {
      if (!Number.isFinite(v)) continue;
      const i = Math.min(bins - 1, Math.max(0, Math.floor((v - lo) / width)));
      c[i]! += 1;
    }
    for (const n of c) maxCount = Math.max(maxCount, n);
    return c;
  });
  return { edges, counts, maxCount };
}
