"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect } from "react";
import { EmptyState } from "@/components/ui/empty-state";
import { QueryState } from "@/components/ui/query-state";
import { Skeleton } from "@/components/ui/skeleton";
import { inputClass } from "@/components/ui/button";
import { useTRPC, type RouterOutputs } from "@/lib/trpc";
import { useSearchParam } from "@/lib/use-search-param";

export type RoiItem = RouterOutputs["rois"]["list"][number];

/**
 * The ROI a page works on, kept in the URL (`?roi=<id>`) so Overview can link straight to it. When none is chosen
 * the first ROI is selected.
 */
export function useRoiSelection() {
  const trpc = useTRPC();
  const rois = useQuery(trpc.rois.list.queryOptions({}));
  const [param, setParam] = useSearchParam("roi");
  const list = rois.data ?? [];
  const roi = list.find((r) => r.id === param) ?? null;
  useEffect(() => {
    if (rois.data && rois.data.length > 0 && (!param || !rois.data.some((r) => r.id === param))) setParam(rois.data[0]!.id);
  }, [rois.data, param, setParam]);
  return { rois, roi, roiId: roi?.id ?? null, setRoiId: setParam };
}

/** A ROI picker grouped by recipe, with the dataset counts. */
export function RoiSelect({ selection, label = "ROI" }: { selection: ReturnType<typeof useRoiSelection>; label?: string }) {
  const list = selection.rois.data ?? [];
  const recipes = [...new Set(list.map((r) => r.recipeId))];
  if (selection.rois.isPending) return <Skeleton className="h-8 w-64" />;
  return (
    <label className="inline-flex items-center gap-2 text-sm text-slate-600">
      <span className="font-medium">{label}</span>
      <select
        className={`${inputClass} max-w-xs`}
        value={selection.roiId ?? ""}
        onChange={(e) => selection.setRoiId(e.target.value || null)}
        data-testid="roi-select"
        disabled={list.length === 0}
      >
        {list.length === 0 && <option value="">no ROI yet</option>}
        {recipes.map((rec) => (
          <optgroup key={rec} label={`Recipe ${rec}`}>
            {list
              .filter((r) => r.recipeId === rec)
              .map((r) => (
                <option key={r.id} value={r.id}>
                  {r.roleId} / {r.roiName} · {r.counts.ok} OK · {r.counts.ng} NG
                  {r.activeVersionNumber != null ? ` · v${r.activeVersionNumber}` : ""}
                </option>
              ))}
          </optgroup>
        ))}
      </select>
    </label>
  );
}

/** The page body for the selected ROI; the errors of rois.list and "no ROI yet" handled once. */
export function WithRoi({
  selection,
  children,
  noRoi,
}: {
  selection: ReturnType<typeof useRoiSelection>;
  children: (roi: RoiItem) => React.ReactNode;
  noRoi?: React.ReactNode;
}) {
  return (
    <QueryState
      query={selection.rois}
      errorTitle="Could not list the ROIs"
      loading={<Skeleton className="h-40 w-full" />}
      isEmpty={(d) => d.length === 0}
      empty={
        noRoi ?? (
          <EmptyState
            title="No ROI yet"
            description={
              <>
                A ROI appears once crops are uploaded for it. Go to{" "}
                <Link className="font-medium text-brand-700 underline" href="/datasets">
                  Datasets
                </Link>{" "}
                and upload at least 10 OK crops for a new ROI, or upload them from the legacy client.
              </>
            }
            testId="no-roi"
          />
        )
      }
    >
      {() => (selection.roi ? children(selection.roi) : <Skeleton className="h-40 w-full" />)}
    </QueryState>
  );
}
