import type { ReactNode } from "react";
import { cn } from "@/lib/cn";

/**
 * What a page shows when there is nothing to list — or nothing it can list yet. `requires` names the service
 * procedures a feature is waiting for, so an unfinished page says so plainly instead of showing invented data.
 */
export function EmptyState({
  title,
  description,
  action,
  requires,
  icon,
  className,
  testId = "empty-state",
}: {
  title: string;
  description?: ReactNode;
  action?: ReactNode;
  requires?: string[];
  icon?: ReactNode;
  className?: string;
  testId?: string;
}) {
  return (
    <div
      className={cn(
        "flex flex-col items-center justify-center rounded-xl border border-dashed border-slate-300 bg-white px-6 py-12 text-center",
        className,
      )}
      data-testid={testId}
    >
      <div aria-hidden className="mb-3 flex size-10 items-center justify-center rounded-full bg-slate-100 text-slate-500">
        {icon ?? <InboxIcon />}
      </div>
      <h3 className="text-sm font-semibold text-slate-900">{title}</h3>
      {description && <div className="mt-1 max-w-lg text-sm text-slate-600">{description}</div>}
      {requires && requires.length > 0 && (
        <div className="mt-4 max-w-lg text-xs text-slate-500" data-testid="requires">
          <span className="font-medium">Waiting for service procedures:</span>{" "}
          {requires.map((r, i) => (
            <span key={r}>
              {i > 0 && ", "}
              <code className="rounded bg-slate-100 px-1 py-0.5 font-mono text-slate-700">{r}</code>
            </span>
          ))}
        </div>
      )}
      {action && <div className="mt-5">{action}</div>}
    </div>
  );
}

function InboxIcon() {
  return (
    <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={1.6} className="size-5">
      <path d="M3 13h4l2 3h6l2-3h4" strokeLinecap="round" strokeLinejoin="round" />
      <path d="M5 5h14l2 8v5a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1v-5l2-8Z" strokeLinejoin="round" />
    </svg>
  );
}
