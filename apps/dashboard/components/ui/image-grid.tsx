"use client";
import type { Key, ReactNode } from "react";
import { cn } from "@/lib/cn";
import { Skeleton } from "./skeleton";

export type GridItem = {
  key: Key;
  /** Thumbnail URL served by the inference service. */
  src: string;
  alt: string;
  /** Badges over the image (label, source…). */
  overlay?: ReactNode;
  /** One or two lines under the image. */
  caption?: ReactNode;
  /** Greyed out (e.g. soft-deleted). */
  muted?: boolean;
};

/**
 * Thumbnail grid for dataset curation. Every tile has the same fixed box (object-contain) — square, or `aspect`
 * (width / height) for a ROI whose crops are wide — so images loading in never shift the layout and a 2.5:1 crop is
 * not a thin strip in a square; captions get two lines. Images load lazily. Selection is controlled by the parent (bulk relabel/delete).
 */
export function ImageGrid({
  items,
  loading = false,
  loadingCount = 12,
  selected,
  onToggle,
  onOpen,
  empty,
  colsClass = "grid-cols-2 sm:grid-cols-3 md:grid-cols-4 lg:grid-cols-6",
  aspect = 1,
  testId = "image-grid",
}: {
  items: GridItem[] | undefined;
  loading?: boolean;
  loadingCount?: number;
  selected?: ReadonlySet<Key>;
  onToggle?: (key: Key, opts: { shift: boolean }) => void;
  onOpen?: (key: Key) => void;
  empty?: ReactNode;
  /** Tailwind grid-cols classes (the tiles stay square whatever the count). */
  colsClass?: string;
  /** width / height of every tile's image box (clamped to 0.5…3) */
  aspect?: number;
  testId?: string;
}) {
  const cols = `grid gap-3 ${colsClass}`;
  const box = { aspectRatio: String(Math.min(3, Math.max(0.5, Number.isFinite(aspect) ? aspect : 1))) };
  if (loading) {
    return (
      <div className={cols} data-testid={testId} aria-busy>
        {Array.from({ length: loadingCount }, (_, i) => (
          <div key={i} className="overflow-hidden rounded-lg border border-slate-200 bg-white">
            <div style={box}>
              <Skeleton className="size-full rounded-none" />
            </div>
            <div className="p-2">
              <Skeleton className="h-3 w-2/3" />
            </div>
          </div>
        ))}
      </div>
    );
  }
  if (!items || items.length === 0) return <>{empty ?? null}</>;
  return (
    <ul className={cols} data-testid={testId}>
      {items.map((it) => {
        const isSel = selected?.has(it.key) ?? false;
        return (
          <li
            key={it.key}
            data-testid="grid-item"
            data-key={String(it.key)}
            data-selected={isSel ? "true" : "false"}
            className={cn(
              "group relative overflow-hidden rounded-lg border bg-white shadow-sm transition",
              isSel ? "border-brand-500 ring-2 ring-brand-500" : "border-slate-200 hover:border-slate-300",
              it.muted && "opacity-50",
            )}
          >
            <button
              type="button"
              className="block w-full text-left"
              onClick={(e) => (onOpen ? onOpen(it.key) : onToggle?.(it.key, { shift: e.shiftKey }))}
            >
              <div className="relative w-full bg-slate-100" style={box}>
                {/* Plain <img>: images come from the inference service, not from Next's image optimizer. */}
                <img src={it.src} alt={it.alt} loading="lazy" decoding="async" className="absolute inset-0 size-full object-contain" />
                {it.overlay && <div className="absolute left-1.5 top-1.5 flex flex-wrap gap-1">{it.overlay}</div>}
              </div>
              {it.caption && <div className="line-clamp-2 h-[2.75rem] break-all px-2 py-1.5 text-xs leading-4 text-slate-600">{it.caption}</div>}
            </button>
            {onToggle && (
              <label className="absolute right-1.5 top-1.5 flex size-6 cursor-pointer items-center justify-center rounded bg-white/90 shadow ring-1 ring-slate-200">
                <span className="sr-only">Select {it.alt}</span>
                <input
                  type="checkbox"
                  className="size-4 accent-brand-600"
                  checked={isSel}
                  onClick={(e) => onToggle(it.key, { shift: e.shiftKey })}
                  onChange={() => undefined}
                />
              </label>
            )}
          </li>
        );
      })}
    </ul>
  );
}
