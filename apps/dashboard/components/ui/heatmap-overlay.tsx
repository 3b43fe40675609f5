"use client";
import { useId, useState, type ReactNode } from "react";

/**
 * A crop with its anomaly heatmap on top (both images served by the inference service, same size). Opacity slider
 * and a toggle (controlled with `visible` / `onVisibleChange`, e.g. for a keyboard shortcut). The box keeps the crop's
 * aspect ratio so nothing moves while images load; `children` are drawn on top (e.g. an SVG of the regions).
 */
export function HeatmapOverlay({
  cropSrc,
  heatmapSrc,
  width,
  height,
  alt,
  initialOpacity = 0.5,
  visible: visibleProp,
  onVisibleChange,
  children,
  testId = "heatmap-overlay",
}: {
  cropSrc: string;
  heatmapSrc: string | null;
  width: number;
  height: number;
  alt: string;
  initialOpacity?: number;
  visible?: boolean;
  onVisibleChange?: (v: boolean) => void;
  children?: ReactNode;
  testId?: string;
}) {
  const [opacity, setOpacity] = useState(initialOpacity);
  const [visibleState, setVisibleState] = useState(true);
  const visible = visibleProp ?? visibleState;
  const setVisible = (v: boolean) => (onVisibleChange ? onVisibleChange(v) : setVisibleState(v));
  const id = useId();
  return (
    <div data-testid={testId}>
      <div
        className="relative w-full overflow-hidden rounded-lg border border-slate-200 bg-slate-900"
        style={{ aspectRatio: `${Math.max(1, width)} / ${Math.max(1, height)}` }}
      >
        <img src={cropSrc} alt={alt} className="absolute inset-0 size-full object-contain" />
        {heatmapSrc && visible && (
          <img
            src={heatmapSrc}
            alt=""
            aria-hidden
            data-testid="heatmap-layer"
            className="pointer-events-none absolute inset-0 size-full object-contain mix-blend-normal"
            style={{ opacity }}
          />
        )}
        {children}
      </div>
      {heatmapSrc ? (
        <div className="mt-3 flex flex-wrap items-center gap-4 text-sm">
          <label className="inline-flex items-center gap-2">
            <input type="checkbox" className="size-4 accent-brand-600" checked={visible} onChange={(e) => setVisible(e.target.checked)} data-testid="heatmap-toggle" />
            Heatmap
          </label>
          <label htmlFor={id} className="text-slate-600">
            Opacity
          </label>
          <input
            id={id}
            type="range"
            min={0}
            max={1}
            step={0.05}
            value={opacity}
            disabled={!visible}
            onChange={(e) => setOpacity(Number(e.target.value))}
            className="w-40 accent-brand-600"
            data-testid="heatmap-opacity"
          />
          <span className="tabular-nums text-slate-500">{Math.round(opacity * 100)}%</span>
        </div>
      ) : (
        <p className="mt-2 text-sm text-slate-500">No heatmap stored for this inspection.</p>
      )}
    </div>
  );
}
