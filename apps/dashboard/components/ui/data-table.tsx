"use client";
import type { Key, ReactNode } from "react";
import { cn } from "@/lib/cn";
import { Skeleton } from "./skeleton";

export type Column<T> = {
  key: string;
  header: ReactNode;
  cell: (row: T) => ReactNode;
  align?: "left" | "right" | "center";
  /** Tailwind width class, e.g. "w-32". */
  width?: string;
  /** Hidden below the md breakpoint (tablet portrait and narrower). */
  hideOnNarrow?: boolean;
};

/**
 * A plain, dense table for lists the service pages through (inspections, versions, audit events). Rows are
 * keyboard-selectable when `onRowClick` is given; `selectedKey` highlights the row shown in a detail pane.
 */
export function DataTable<T>({
  columns,
  rows,
  rowKey,
  loading = false,
  loadingRows = 8,
  empty,
  onRowClick,
  selectedKey,
  caption,
  testId = "data-table",
}: {
  columns: Column<T>[];
  rows: T[] | undefined;
  rowKey: (row: T) => Key;
  loading?: boolean;
  loadingRows?: number;
  empty?: ReactNode;
  onRowClick?: (row: T) => void;
  selectedKey?: Key | null;
  caption?: string;
  testId?: string;
}) {
  const alignClass = (a: Column<T>["align"]) => (a === "right" ? "text-right" : a === "center" ? "text-center" : "text-left");
  const showEmpty = !loading && (rows?.length ?? 0) === 0;
  return (
    <div className="overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm" data-testid={testId}>
      <div className="overflow-x-auto">
        <table className="min-w-full divide-y divide-slate-200 text-sm">
          {caption && <caption className="sr-only">{caption}</caption>}
          <thead className="bg-slate-50">
            <tr>
              {columns.map((c) => (
                <th
                  key={c.key}
                  scope="col"
                  className={cn(
                    "px-4 py-2.5 text-xs font-semibold uppercase tracking-wide text-slate-500",
                    alignClass(c.align),
                    c.width,
                    c.hideOnNarrow && "hidden md:table-cell",
                  )}
                >
                  {c.header}
                </th>
              ))}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {loading &&
              Array.from({ length: loadingRows }, (_, i) => (
                <tr key={`sk-${i}`}>
                  {columns.map((c) => (
                    <td key={c.key} className={cn("px-4 py-3", c.hideOnNarrow && "hidden md:table-cell")}>
                      <Skeleton className="h-4 w-full max-w-32" />
                    </td>
                  ))}
                </tr>
              ))}
            {!loading &&
              rows?.map((row) => {
                const k = rowKey(row);
                const selected = selectedKey != null && selectedKey === k;
                return (
                  <tr
                    key={k}
                    data-testid="data-row"
                    aria-selected={onRowClick ? selected : undefined}
                    tabIndex={onRowClick ? 0 : undefined}
                    onClick={onRowClick ? () => onRowClick(row) : undefined}
                    onKeyDown={
                      onRowClick
                        ? (e) => {
                            if (e.key === "Enter" || e.key === " ") {
                              e.preventDefault();
                              onRowClick(row);
                            }
                          }
                        : undefined
                    }
                    className={cn(
                      onRowClick && "cursor-pointer hover:bg-slate-50",
                      selected && "bg-brand-50 hover:bg-brand-50",
                    )}
                  >
                    {columns.map((c) => (
                      <td
                        key={c.key}
                        className={cn(
                          "px-4 py-2.5 text-slate-700",
                          alignClass(c.align),
                          c.hideOnNarrow && "hidden md:table-cell",
                        )}
                      >
                        {c.cell(row)}
                      </td>
                    ))}
                  </tr>
                );
              })}
          </tbody>
        </table>
      </div>
      {showEmpty && <div className="border-t border-slate-100 p-6">{empty ?? <p className="text-center text-sm text-slate-500">Nothing to show.</p>}</div>}
    </div>
  );
}
