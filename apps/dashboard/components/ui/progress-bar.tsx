import { cn } from "@/lib/cn";

/**
 * Determinate when `value` (0..1) is given, indeterminate otherwise. Meant for streamed job progress (fit), fed by
 * a tRPC subscription, not by polling.
 */
export function ProgressBar({
  value,
  label,
  detail,
  tone = "brand",
  testId = "progress",
}: {
  value?: number | null;
  label?: string;
  detail?: string;
  tone?: "brand" | "ok" | "ng";
  testId?: string;
}) {
  const pct = value == null || !Number.isFinite(value) ? null : Math.max(0, Math.min(1, value)) * 100;
  const bar = tone === "ok" ? "bg-emerald-500" : tone === "ng" ? "bg-rose-500" : "bg-brand-600";
  return (
    <div data-testid={testId}>
      {(label || pct != null) && (
        <div className="mb-1.5 flex items-baseline justify-between gap-3 text-sm">
          <span className="font-medium text-slate-800">{label}</span>
          {pct != null && <span className="tabular-nums text-slate-600">{pct.toFixed(0)}%</span>}
        </div>
      )}
      <div
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct == null ? undefined : Math.round(pct)}
        className="h-2 w-full overflow-hidden rounded-full bg-slate-200"
      >
        {pct == null ? (
          <div className={cn("h-full w-1/3 animate-pulse rounded-full", bar)} />
        ) : (
          <div className={cn("h-full rounded-full transition-[width] duration-300", bar)} style={{ width: `${pct}%` }} />
        )}
      </div>
      {detail && <p className="mt-1 text-xs text-slate-500">{detail}</p>}
    </div>
  );
}
