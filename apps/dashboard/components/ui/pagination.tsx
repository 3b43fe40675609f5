"use client";

/**
 * Cursor pagination controls (tRPC list procedures return `{ items, nextCursor }`). The page keeps a stack of
 * cursors so "Previous" works without the service supporting backwards cursors.
 */
export function CursorPagination({
  page,
  hasNext,
  onPrev,
  onNext,
  summary,
  busy = false,
}: {
  page: number;
  hasNext: boolean;
  onPrev: () => void;
  onNext: () => void;
  summary?: string;
  busy?: boolean;
}) {
  const btn =
    "rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-50 disabled:cursor-not-allowed disabled:opacity-50";
  return (
    <nav aria-label="Pagination" className="flex items-center justify-between gap-3 py-3" data-testid="pagination">
      <p className="text-sm text-slate-500">{summary ?? `Page ${page + 1}`}</p>
      <div className="flex gap-2">
        <button type="button" className={btn} onClick={onPrev} disabled={busy || page === 0}>
          Previous
        </button>
        <button type="button" className={btn} onClick={onNext} disabled={busy || !hasNext}>
          Next
        </button>
      </div>
    </nav>
  );
}
