"use client";
import { LabelBadge, Badge } from "@/components/ui/badge";
import { Skeleton } from "@/components/ui/skeleton";
import { assetUrl } from "@/lib/assets";
import { cn } from "@/lib/cn";
import { formatDateTime, formatScore } from "@/lib/format";
import type { RouterOutputs } from "@/lib/trpc";
import { REVIEW_LABELS } from "./inspection-detail";

type Row = RouterOutputs["inspections"]["list"]["items"][number];

/**
 * The review queue as thumbnails, the way reviewers work: each row shows the crop and its map (only what is above the
 * threshold coloured, when the inspection kept its scale), the decision, score against threshold and the review
 * status — no column to scroll to, at 1024 px and up. Rows are buttons (Enter / click opens the detail).
 */
export function ReviewQueue({
  rows,
  loading,
  selectedId,
  onSelect,
  roiName,
  showRoi,
  empty,
}: {
  rows: Row[] | undefined;
  loading: boolean;
  selectedId: string | null;
  onSelect: (id: string) => void;
  roiName: (id: string) => string;
  showRoi: boolean;
  empty: React.ReactNode;
}) {
  if (loading)
    return (
      <div className="space-y-2" data-testid="inspections-table">
        {Array.from({ length: 6 }, (_, i) => (
          <Skeleton key={i} className="h-16 w-full" />
        ))}
      </div>
    );
  if (!rows || rows.length === 0) return <div data-testid="inspections-table">{empty}</div>;
  return (
    <ul className="divide-y divide-slate-100 overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm" data-testid="inspections-table" role="listbox" aria-label="Inspections">
      {rows.map((r) => {
        const selected = r.id === selectedId;
        const review = REVIEW_LABELS[r.reviewStatus];
        const ratio = r.threshold ? r.score / r.threshold : null;
        const map = r.heatmapUrl ? assetUrl(r.heatmapUrl, { style: r.heatmapRange && r.threshold != null ? "above" : "color" }) : null;
        return (
          <li key={r.id} role="presentation">
            <button
              type="button"
              role="option"
              onClick={() => onSelect(r.id)}
              aria-selected={selected}
              data-testid="data-row"
              data-status={r.reviewStatus}
              data-decision={r.decision}
              data-id={r.id}
              className={cn("flex w-full items-center gap-3 px-3 py-2 text-left hover:bg-slate-50", selected && "bg-brand-50 ring-2 ring-inset ring-brand-500 hover:bg-brand-50")}
            >
              <Thumb src={r.imageUrl ? assetUrl(r.imageUrl) : null} overlay={null} w={r.width} h={r.height} alt="crop" expired={!!r.evidenceExpiredAt} />
              <Thumb src={r.imageUrl ? assetUrl(r.imageUrl) : null} overlay={map} w={r.width} h={r.height} alt="anomaly map" />
              <span className="min-w-0 flex-1">
                <span className="flex flex-wrap items-center gap-1.5">
                  <LabelBadge label={r.decision} />
                  <span className="font-mono text-xs tabular-nums text-slate-800" title={`score ${r.score} / threshold ${r.threshold ?? "none"}`}>
                    {formatScore(r.score)}
                    <span className="text-slate-400"> / {formatScore(r.threshold)}</span>
                  </span>
                  {ratio != null && <span className="text-xs tabular-nums text-slate-500">{ratio.toFixed(2)}×</span>}
                </span>
                <span className="mt-0.5 block truncate text-xs text-slate-500">
                  {formatDateTime(r.createdAt)}
                  {showRoi && ` · ${roiName(r.roiId)}`}
                  {r.nRegions > 0 && ` · ${r.nRegions} region${r.nRegions > 1 ? "s" : ""}${r.maxRegionAreaMm2 ? ` (max ${r.maxRegionAreaMm2.toFixed(1)} mm²)` : ""}`}
                </span>
              </span>
              <Badge tone={review?.tone ?? "neutral"} data-testid="row-review-status">
                {review?.text ?? r.reviewStatus}
              </Badge>
            </button>
          </li>
        );
      })}
    </ul>
  );
}

/** A small tile in the crop's own aspect (wide crops stay wide), optionally with the map on top. */
function Thumb({ src, overlay, w, h, alt, expired }: { src: string | null; overlay: string | null; w: number; h: number; alt: string; expired?: boolean }) {
  const aspect = Math.max(0.5, Math.min(2.5, w / Math.max(1, h)));
  return (
    <span
      className="relative block h-10 shrink-0 overflow-hidden rounded border border-slate-200 bg-slate-900"
      style={{ width: `${Math.round(40 * aspect)}px` }}
      title={expired ? "image expired (retention)" : undefined}
    >
      {expired && <span className="absolute inset-0 grid place-items-center text-[9px] uppercase text-slate-400">expired</span>}
      {src && <img src={src} alt={alt} loading="lazy" className="absolute inset-0 size-full object-contain" />}
      {overlay && <img src={overlay} alt="" aria-hidden loading="lazy" className="absolute inset-0 size-full object-contain opacity-80" />}
    </span>
  );
}
