"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useState } from "react";
import { EmptyState } from "@/components/ui/empty-state";
import { QueryState } from "@/components/ui/query-state";
import { Skeleton } from "@/components/ui/skeleton";
import { inputClass } from "@/components/ui/button";
import { useTRPC, type RouterOutputs } from "@/lib/trpc";
import { rememberedRoi, rememberRoi, resolveRoi, roiTitle } from "@/lib/roi-link";
import { useSearchParam } from "@/lib/use-search-param";

export type RoiItem = RouterOutputs["rois"]["list"][number];

/**
 * The ROI a page works on, kept in the address (`?roi=<id>`; lib/roi-link.ts): deep-linkable, kept on reload and
 * carried by the navigation. Without one the remembered ROI (else the first) is put in the address. An id the list
 * does not know is refetched once (a ROI created a moment ago) and then reported as unknown — never swapped for
 * another ROI, so an upload cannot land in the wrong one.
 */
export function useRoiSelection() {
  const trpc = useTRPC();
  const rois = useQuery(trpc.rois.list.queryOptions({}));
  const [param, setParam] = useSearchParam("roi");
  const [recheckedFor, setRecheckedFor] = useState<string | null>(null);
  const list = rois.data;
  const resolved = list ? resolveRoi(list, param, rememberedRoi()) : null;
  const { refetch } = rois;
  useEffect(() => {
    if (resolved?.kind === "choose") setParam(resolved.id);
    else if (resolved?.kind === "ok") rememberRoi(resolved.id);
    else if (resolved?.kind === "unknown" && param && recheckedFor !== param) {
      setRecheckedFor(param);
      void refetch();
    }
  }, [resolved?.kind, resolved && "id" in resolved ? resolved.id : null, param, recheckedFor, setParam, refetch]);
  const roi = resolved?.kind === "ok" ? (list!.find((r) => r.id === resolved.id) ?? null) : null;
  const unknown = resolved?.kind === "unknown" && recheckedFor === param && !rois.isFetching;
  return { rois, roi, roiId: roi?.id ?? null, setRoiId: setParam, unknownRoiId: unknown ? param : null };
}

/**
 * Says which ROI the page acts on: a visible line under the page header and the browser tab's title
 * ("Fit & calibrate · master / ring (disc-a)").
 */
export function RoiTitle({ page, roi }: { page: string; roi: Pick<RoiItem, "recipeId" | "roleId" | "roiName"> | null }) {
  const title = roiTitle(page, roi);
  useDocumentTitle(title);
  if (!roi) return null;
  return (
    <p className="text-sm text-slate-600" data-testid="roi-title">
      {page} for ROI <span className="font-semibold text-slate-900">{roi.roleId} / {roi.roiName}</span> of recipe{" "}
      <span className="font-semibold text-slate-900">{roi.recipeId}</span>
    </p>
  );
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
        className={`${inputClass} w-auto min-w-72 max-w-full`}
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
                  {r.roleId} / {r.roiName} — {r.counts.ok} OK, {r.counts.ng} NG{r.activeVersionNumber != null ? `, v${r.activeVersionNumber}` : ""}
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
      {() =>
        selection.roi ? (
          children(selection.roi)
        ) : selection.unknownRoiId ? (
          <EmptyState
            title="This ROI does not exist"
            description="The address names a ROI the service does not know (deleted, or a link from another installation). Pick one above."
            testId="unknown-roi"
          />
        ) : (
          <Skeleton className="h-40 w-full" />
        )
      }
    </QueryState>
  );
}

/**
 * Keeps the browser tab's title at `title` · BrakeDiscInspector. Next re-applies the page's static metadata title
 * when the address changes (e.g. ?roi=), so the title element is watched and set again.
 */
export function useDocumentTitle(title: string) {
  useEffect(() => {
    const want = `${title} · BrakeDiscInspector`;
    const apply = () => {
      if (document.title !== want) document.title = want;
    };
    apply();
    const watch = new MutationObserver(apply);
    watch.observe(document.head, { subtree: true, childList: true, characterData: true });
    return () => watch.disconnect();
  }, [title]);
}
