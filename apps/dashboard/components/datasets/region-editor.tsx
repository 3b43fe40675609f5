"use client";
import type { NgRegion } from "@bdi/core/dashboard/samples";
import { useEffect, useRef, useState, type PointerEvent as RPointerEvent } from "react";
import { Button } from "@/components/ui/button";
import { Segmented } from "@/components/ui/segmented";
import { describeRegion, polygonFromPoints, polylinePath, rectFromPoints, type Pt } from "@/lib/regions";

type Mode = "rect" | "polygon" | "pan";
type View = [x: number, y: number, w: number, h: number];

/**
 * Ground-truth NG regions drawn over a sample with an SVG overlay in crop pixels (viewBox = the crop), so what is
 * stored does not depend on the zoom. Rectangle: drag. Polygon: click the points, then double-click, click the first
 * point or press Enter to close; Escape cancels the shape being drawn. Saved through `onSave` (samples.setNgRegions).
 * Zoom (buttons, or the wheel at the pointer) and pan (Pan mode, or the middle button) change the viewBox only —
 * pits are a few pixels wide — and the coordinates drawn stay in crop pixels.
 */
export function RegionEditor({
  src,
  width,
  height,
  initial,
  mmPerPx,
  editable,
  saving,
  onSave,
}: {
  src: string;
  width: number;
  height: number;
  initial: NgRegion[];
  mmPerPx?: number | null;
  editable: boolean;
  saving: boolean;
  onSave: (regions: NgRegion[]) => void;
}) {
  const svg = useRef<SVGSVGElement>(null);
  const [regions, setRegions] = useState<NgRegion[]>(initial);
  const [mode, setMode] = useState<Mode>("rect");
  const [drag, setDrag] = useState<{ a: Pt; b: Pt } | null>(null);
  const [poly, setPoly] = useState<Pt[]>([]);
  const [hover, setHover] = useState<Pt | null>(null);
  const [view, setView] = useState<View>([0, 0, width, height]);
  const [panFrom, setPanFrom] = useState<{ client: Pt; view: View } | null>(null);
  useEffect(() => setView([0, 0, width, height]), [width, height]);
  const zoomBy = (factor: number, at?: Pt) =>
    setView(([x, y, w, h]) => {
      const nw = Math.min(width, Math.max(width / 16, w / factor));
      const nh = (nw * height) / width;
      const [cx, cy] = at ?? [x + w / 2, y + h / 2];
      const nx = Math.min(width - nw, Math.max(0, cx - ((cx - x) * nw) / w));
      const ny = Math.min(height - nh, Math.max(0, cy - ((cy - y) * nh) / h));
      return [nx, ny, nw, nh];
    });
  const zoomLevel = width / view[2];
  // The wheel zooms at the pointer; a native listener, because React's wheel listener cannot stop the page scroll.
  useEffect(() => {
    const el = svg.current;
    if (!el) return;
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      zoomBy(e.deltaY < 0 ? 1.25 : 0.8, toCrop(e));
    };
    el.addEventListener("wheel", onWheel, { passive: false });
    return () => el.removeEventListener("wheel", onWheel);
  });
  const initialKey = JSON.stringify(initial);
  useEffect(() => {
    setRegions(JSON.parse(initialKey) as NgRegion[]);
    setPoly([]);
    setDrag(null);
  }, [initialKey]);
  const dirty = JSON.stringify(regions) !== initialKey;

  const toCrop = (e: { clientX: number; clientY: number }): Pt => {
    const el = svg.current!;
    const m = el.getScreenCTM();
    if (!m) return [0, 0];
    const p = new DOMPoint(e.clientX, e.clientY).matrixTransform(m.inverse());
    return [p.x, p.y];
  };
  const closePolygon = () => {
    const p = polygonFromPoints(poly, width, height);
    if (p) setRegions((r) => [...r, p]);
    setPoly([]);
  };
  useEffect(() => {
    if (!editable) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") {
        setPoly([]);
        setDrag(null);
      } else if (e.key === "Enter" && poly.length >= 3) {
        e.preventDefault();
        closePolygon();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });

  const onDown = (e: RPointerEvent<SVGSVGElement>) => {
    if (e.button === 1 || (e.button === 0 && mode === "pan")) {
      e.preventDefault();
      e.currentTarget.setPointerCapture(e.pointerId);
      setPanFrom({ client: [e.clientX, e.clientY], view });
      return;
    }
    if (!editable || e.button !== 0) return;
    const p = toCrop(e);
    if (mode === "rect") {
      e.currentTarget.setPointerCapture(e.pointerId);
      setDrag({ a: p, b: p });
    } else {
      const first = poly[0];
      const near = first && svg.current ? Math.hypot(first[0] - p[0], first[1] - p[1]) < Math.max(view[2], view[3]) * 0.02 : false;
      if (near && poly.length >= 3) closePolygon();
      else setPoly((pts) => [...pts, p]);
    }
  };
  const onMove = (e: RPointerEvent<SVGSVGElement>) => {
    if (panFrom) {
      const box = e.currentTarget.getBoundingClientRect();
      const [x, y, w, h] = panFrom.view;
      const k = w / Math.max(1, box.width);
      const nx = Math.min(width - w, Math.max(0, x - (e.clientX - panFrom.client[0]) * k));
      const ny = Math.min(height - h, Math.max(0, y - (e.clientY - panFrom.client[1]) * k));
      setView([nx, ny, w, h]);
      return;
    }
    if (!editable) return;
    const p = toCrop(e);
    if (drag) setDrag({ ...drag, b: p });
    if (mode === "polygon") setHover(p);
  };
  const onUp = () => {
    if (panFrom) return setPanFrom(null);
    if (!drag) return;
    const r = rectFromPoints(drag.a, drag.b, width, height);
    if (r) setRegions((rs) => [...rs, r]);
    setDrag(null);
  };

  const preview = drag ? rectFromPoints(drag.a, drag.b, width, height, 0) : null;
  return (
    <div data-testid="region-editor">
      <div className="mb-2 flex flex-wrap items-center gap-2">
        {editable && (
          <Segmented
            label="Tool"
            value={mode}
            onChange={(m) => {
              setMode(m);
              setPoly([]);
            }}
            options={[
              { value: "rect", label: "Rectangle" },
              { value: "polygon", label: "Polygon" },
              { value: "pan", label: "Pan" },
            ]}
            testId="region-mode"
          />
        )}
        <span className="inline-flex items-center gap-1" data-testid="region-zoom">
          <Button size="sm" variant="secondary" onClick={() => zoomBy(0.5)} disabled={zoomLevel <= 1} aria-label="Zoom out" data-testid="region-zoom-out">
            −
          </Button>
          <span className="w-12 text-center text-xs tabular-nums text-slate-600" data-testid="region-zoom-level">
            {zoomLevel.toFixed(zoomLevel < 10 ? 1 : 0)}×
          </span>
          <Button size="sm" variant="secondary" onClick={() => zoomBy(2)} disabled={zoomLevel >= 16} aria-label="Zoom in" data-testid="region-zoom-in">
            +
          </Button>
          <Button size="sm" variant="ghost" onClick={() => setView([0, 0, width, height])} disabled={zoomLevel <= 1}>
            Fit
          </Button>
        </span>
        <span className="text-xs text-slate-500">
          {mode === "pan"
            ? "Drag to move the zoomed view."
            : !editable
              ? "Wheel to zoom, middle button to pan."
              : mode === "rect"
                ? "Drag over the defect. Wheel zooms, middle button pans."
                : "Click the corners; double-click, Enter or the first point closes it; Esc cancels."}
        </span>
      </div>
      <div
        className="relative w-full overflow-hidden rounded-lg border border-slate-200 bg-slate-900"
        style={{ aspectRatio: `${Math.max(1, width)} / ${Math.max(1, height)}` }}
      >
        <svg
          ref={svg}
          viewBox={view.join(" ")}
          className={`absolute inset-0 size-full touch-none select-none ${mode === "pan" || panFrom ? "cursor-grab" : editable ? "cursor-crosshair" : ""}`}
          onPointerDown={onDown}
          onPointerMove={onMove}
          onPointerUp={onUp}
          onDoubleClick={() => mode === "polygon" && poly.length >= 3 && closePolygon()}
          data-testid="region-canvas"
          role="img"
          aria-label={`${regions.length} NG region(s)`}
        >
          {/* the crop inside the SVG, so zoom and pan move it with the shapes; pixelated to see single pixels */}
          <image href={src} x={0} y={0} width={width} height={height} style={{ imageRendering: zoomLevel >= 3 ? "pixelated" : "auto" }} data-testid="region-image" />
          {regions.map((r, i) =>
            r.kind === "rect" ? (
              <rect key={i} x={r.x} y={r.y} width={r.w} height={r.h} className="fill-rose-500/25 stroke-rose-500" strokeWidth={2} vectorEffect="non-scaling-stroke" data-testid="region-shape" />
            ) : (
              <path key={i} d={polylinePath(r.points, true)} className="fill-rose-500/25 stroke-rose-500" strokeWidth={2} vectorEffect="non-scaling-stroke" data-testid="region-shape" />
            ),
          )}
          {preview && (
            <rect x={preview.x} y={preview.y} width={preview.w} height={preview.h} className="fill-amber-400/20 stroke-amber-400" strokeDasharray="4 3" strokeWidth={2} vectorEffect="non-scaling-stroke" />
          )}
          {poly.length > 0 && (
            <>
              <path d={polylinePath(hover ? [...poly, hover] : poly, false)} fill="none" className="stroke-amber-400" strokeWidth={2} vectorEffect="non-scaling-stroke" />
              {poly.map(([x, y], i) => (
                <circle key={i} cx={x} cy={y} r={Math.max(view[2], view[3]) * 0.006} className={i === 0 ? "fill-amber-300" : "fill-amber-500"} />
              ))}
            </>
          )}
        </svg>
      </div>
      <ol className="mt-2 space-y-1 text-sm" data-testid="region-list">
        {regions.length === 0 && <li className="text-slate-500">{editable ? "No region drawn yet." : "No NG regions."}</li>}
        {regions.map((r, i) => (
          <li key={i} className="flex items-center justify-between gap-2 rounded bg-slate-50 px-2 py-1">
            <span className="text-slate-700">
              {i + 1}. {describeRegion(r, mmPerPx)}
            </span>
            {editable && (
              <Button size="sm" variant="ghost" onClick={() => setRegions((rs) => rs.filter((_, j) => j !== i))} aria-label={`Remove region ${i + 1}`}>
                Remove
              </Button>
            )}
          </li>
        ))}
      </ol>
      {editable && (
        <div className="mt-2 flex flex-wrap gap-2">
          <Button variant="primary" size="sm" disabled={!dirty || saving} onClick={() => onSave(regions)} data-testid="regions-save">
            {saving ? "Saving…" : `Save ${regions.length} region${regions.length === 1 ? "" : "s"}`}
          </Button>
          <Button size="sm" disabled={!dirty || saving} onClick={() => setRegions(JSON.parse(initialKey) as NgRegion[])}>
            Discard changes
          </Button>
          <Button size="sm" disabled={regions.length === 0 || saving} onClick={() => setRegions([])}>
            Clear all
          </Button>
        </div>
      )}
    </div>
  );
}
