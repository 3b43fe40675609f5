"use client";
import { useMemo } from "react";
import { binSeries } from "@/lib/histogram";

export type HistogramSeries = { name: string; values: ReadonlyArray<number>; color: string };

/**
 * OK vs NG score histogram on shared bins, with the threshold drawn as a vertical line (the slider's, dashed) and,
 * apart from it, the threshold in force (solid, `inForce`) so moving the slider never hides what production uses. Scores come from the
 * service (a calibration's stored OK/NG scores); nothing is computed here but the bins.
 */
export function Histogram({
  series,
  threshold,
  inForce,
  bins = 30,
  height = 180,
  xLabel = "anomaly score",
  testId = "histogram",
}: {
  series: HistogramSeries[];
  threshold?: number | null;
  /** the threshold production uses now; drawn separately from `threshold` */
  inForce?: number | null;
  bins?: number;
  height?: number;
  xLabel?: string;
  testId?: string;
}) {
  const W = 640;
  const H = height;
  const pad = { l: 36, r: 12, t: 10, b: 30 };
  const h = useMemo(
    () => binSeries(series.map((s) => s.values), bins, [threshold, inForce].filter((v): v is number => v != null && Number.isFinite(v))),
    [series, bins, threshold, inForce],
  );
  if (h.edges.length === 0) {
    return <p className="text-sm text-slate-500" data-testid={testId}>No scores to plot.</p>;
  }
  const lo = h.edges[0]!;
  const hi = h.edges[h.edges.length - 1]!;
  const x = (v: number) => pad.l + ((v - lo) / (hi - lo)) * (W - pad.l - pad.r);
  const y = (c: number) => H - pad.b - (h.maxCount === 0 ? 0 : (c / h.maxCount) * (H - pad.t - pad.b));
  const ticks = 5;
  return (
    <figure data-testid={testId}>
      <svg viewBox={`0 0 ${W} ${H}`} className="h-auto w-full" role="img" aria-label={`Histogram of ${series.map((s) => s.name).join(" and ")} scores`}>
        <line x1={pad.l} x2={W - pad.r} y1={H - pad.b} y2={H - pad.b} className="stroke-slate-300" />
        {Array.from({ length: ticks + 1 }, (_, i) => {
          const v = lo + ((hi - lo) * i) / ticks;
          return (
            <text key={i} x={x(v)} y={H - pad.b + 14} textAnchor="middle" className="fill-slate-500 text-[10px]">
              {formatTick(v)}
            </text>
          );
        })}
        <text x={pad.l - 6} y={pad.t + 8} textAnchor="end" className="fill-slate-500 text-[10px]">
          {h.maxCount}
        </text>
        <text x={(W + pad.l) / 2} y={H - 2} textAnchor="middle" className="fill-slate-500 text-[10px]">
          {xLabel}
        </text>
        {h.counts.map((counts, si) =>
          counts.map((c, bi) =>
            c === 0 ? null : (
              <rect
                key={`${si}-${bi}`}
                x={x(h.edges[bi]!) + 0.5}
                width={Math.max(1, x(h.edges[bi + 1]!) - x(h.edges[bi]!) - 1)}
                y={y(c)}
                height={H - pad.b - y(c)}
                fill={series[si]!.color}
                fillOpacity={0.55}
              >
                <title>{`${series[si]!.name}: ${c} in [${formatTick(h.edges[bi]!)}, ${formatTick(h.edges[bi + 1]!)})`}</title>
              </rect>
            ),
          ),
        )}
        {inForce != null && Number.isFinite(inForce) && (
          <g data-testid="histogram-in-force">
            <line x1={x(inForce)} x2={x(inForce)} y1={pad.t} y2={H - pad.b} className="stroke-brand-700" strokeWidth={2} />
            <text
              x={x(inForce) < W * 0.25 ? x(inForce) + 4 : x(inForce) - 4}
              textAnchor={x(inForce) < W * 0.25 ? "start" : "end"}
              y={H - pad.b - 6}
              className="fill-brand-700 text-[10px] font-medium"
            >
              in force {formatTick(inForce)}
            </text>
          </g>
        )}
        {threshold != null && Number.isFinite(threshold) && (
          <g data-testid="histogram-threshold">
            <line x1={x(threshold)} x2={x(threshold)} y1={pad.t} y2={H - pad.b} className="stroke-slate-900" strokeWidth={1.5} strokeDasharray="4 3" />
            <text
              x={x(threshold) > W * 0.75 ? x(threshold) - 4 : x(threshold) + 4}
              textAnchor={x(threshold) > W * 0.75 ? "end" : "start"}
              y={pad.t + 10}
              className="fill-slate-900 text-[10px] font-medium"
            >
              {inForce != null ? "slider" : "threshold"} {formatTick(threshold)}
            </text>
          </g>
        )}
      </svg>
      <figcaption className="mt-1 flex flex-wrap gap-4 text-xs text-slate-600">
        {series.map((s) => (
          <span key={s.name} className="inline-flex items-center gap-1.5">
            <span aria-hidden className="size-2.5 rounded-sm" style={{ background: s.color, opacity: 0.7 }} />
            {s.name} ({s.values.length})
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

function formatTick(v: number): string {
  const a = Math.abs(v);
  if (a !== 0 && (a < 0.01 || a >= 1e4)) return v.toExponential(1);
  return v.toFixed(a < 1 ? 3 : a < 100 ? 2 : 0);
}
