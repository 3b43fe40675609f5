"use client";
import { formatScore } from "@/lib/format";
import { jetGradient, thresholdOnScale } from "@/lib/heatmap-scale";

/**
 * The heatmap's legend: the colour ramp in score units (this crop's p1 … p99 of the anomaly map) with the threshold
 * marked, or a note where the threshold lies outside it. Without a stored range (inspections from before) it says
 * the colours are relative to the crop.
 */
export function HeatmapScale({ range, threshold, aboveOnly }: { range: [number, number] | null; threshold: number | null; aboveOnly: boolean }) {
  if (!range) {
    return (
      <p className="text-xs text-slate-500" data-testid="heatmap-scale" data-kind="relative">
        Colours are relative to this crop (blue = its lowest, red = its highest anomaly), not to the threshold: this inspection was stored before
        the scale was kept.
      </p>
    );
  }
  const at = threshold != null ? thresholdOnScale(threshold, range) : null;
  return (
    <div className="text-xs text-slate-600" data-testid="heatmap-scale" data-kind="score">
      <div className="relative mt-1">
        <div className="h-3 rounded" style={{ background: jetGradient() }} />
        {typeof at === "number" && (
          <>
            {aboveOnly && <div className="absolute inset-y-0 left-0 rounded-l bg-white/75" style={{ width: `${at * 100}%` }} title="not coloured: below the threshold" />}
            <div className="absolute -inset-y-1 w-0.5 bg-slate-900" style={{ left: `calc(${at * 100}% - 1px)` }} data-testid="heatmap-scale-threshold" title={`threshold ${formatScore(threshold)}`} />
          </>
        )}
      </div>
      <div className="mt-1 flex justify-between gap-2 tabular-nums">
        <span>{formatScore(range[0])}</span>
        {threshold != null && (
          <span className="font-medium text-slate-900" data-testid="heatmap-scale-label">
            {typeof at === "number"
              ? `▲ threshold ${formatScore(threshold)}: ${aboveOnly ? "only what is above it is coloured" : "colours right of the mark are above it"}`
              : at === "above"
                ? `threshold ${formatScore(threshold)} lies above this scale: at most the top 1 % of the crop could reach it`
                : `threshold ${formatScore(threshold)} is below this scale: the whole crop is above it`}
          </span>
        )}
        <span>{formatScore(range[1])}</span>
      </div>
    </div>
  );
}
