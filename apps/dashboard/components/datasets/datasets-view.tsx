"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useRef, useState, type Key } from "react";
import { RoiSelect, RoiTitle, useRoiSelection, WithRoi, type RoiItem } from "@/components/roi/roi-select";
import { Badge, LabelBadge } from "@/components/ui/badge";
import { Button, inputClass } from "@/components/ui/button";
import { DateRange } from "@/components/ui/date-range";
import { EmptyState } from "@/components/ui/empty-state";
import { ErrorBanner } from "@/components/ui/error-banner";
import { ImageGrid } from "@/components/ui/image-grid";
import { MutationError } from "@/components/ui/mutation-error";
import { CursorPagination } from "@/components/ui/pagination";
import { Segmented } from "@/components/ui/segmented";
import { nextDay } from "@/lib/audit";
import { useAssetUrl } from "@/lib/assets";
import { describeError } from "@/lib/errors";
import { formatDateTime } from "@/lib/format";
import { useTRPC } from "@/lib/trpc";
import { useCursorPages } from "@/lib/use-cursor-pages";
import { useSearchParam } from "@/lib/use-search-param";
import { NewRoiToggle, UploadPanel } from "./upload-panel";
import { SampleDetail } from "./sample-detail";

const PAGE = 48;
type LabelFilter = "all" | "ok" | "ng" | "unlabeled";
type Source = "" | "legacy-upload" | "dashboard" | "infer-capture" | "import";
type Bin = "exclude" | "only";

export function DatasetsView() {
  const selection = useRoiSelection();
  const [creating, setCreating] = useState(false);
  const noRoi = (selection.rois.data?.length ?? 0) === 0 && !selection.rois.isPending && !selection.rois.error;
  return (
    <div className="space-y-4">
      <RoiTitle page="Datasets" roi={creating ? null : selection.roi} />
      <div className="flex flex-wrap items-center gap-3">
        <RoiSelect selection={selection} />
        {!noRoi && <NewRoiToggle on={creating} onChange={setCreating} />}
      </div>
      {creating || noRoi ? (
        <>
          {noRoi && (
            <EmptyState
              title="No ROI yet: create one by uploading its first crops"
              description="Name the recipe, the role and the ROI, then drop at least 10 OK crops (a fit needs them) and, for calibration, a few NG crops."
              testId="datasets-empty"
            />
          )}
          <UploadPanel
            target={{ kind: "new" }}
            onUploaded={(r) => {
              setCreating(false);
              selection.setRoiId(r.roi.id);
            }}
          />
        </>
      ) : (
        <WithRoi selection={selection}>{(roi) => <RoiDataset key={roi.id} roi={roi} />}</WithRoi>
      )}
    </div>
  );
}

function RoiDataset({ roi }: { roi: RoiItem }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const asset = useAssetUrl();
  const [label, setLabel] = useState<LabelFilter>("all");
  const [source, setSource] = useState<Source>("");
  const [bin, setBin] = useState<Bin>("exclude");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const pages = useCursorPages();
  const [openId, setOpenId] = useSearchParam("sample");
  const [selected, setSelected] = useState<Set<Key>>(new Set());
  const lastClicked = useRef<number>(-1);

  const filterKey = `${label}|${source}|${bin}|${from}|${to}`;
  const resetPages = pages.reset;
  useEffect(() => {
    resetPages();
    setSelected(new Set());
  }, [filterKey, resetPages]);

  const input = {
    roiId: roi.id,
    label: label === "all" ? undefined : label,
    source: source || undefined,
    deleted: bin,
    from: /^\d{4}-\d{2}-\d{2}$/.test(from) ? from : undefined,
    to: /^\d{4}-\d{2}-\d{2}$/.test(to) ? nextDay(to) : undefined,
    cursor: pages.cursor,
    limit: PAGE,
  };
  const q = useQuery(trpc.samples.list.queryOptions(input, { placeholderData: (prev) => prev }));
  const items = q.data?.items;
  const bulk = useMutation(
    trpc.samples.bulk.mutationOptions({
      onSuccess: async () => {
        setSelected(new Set());
        await qc.invalidateQueries();
      },
    }),
  );

  const gridItems = useMemo(
    () =>
      items?.map((s) => ({
        key: s.id,
        src: asset(s.thumbUrl, { size: "256" })!,
        alt: s.originalFileName ?? s.fileName,
        muted: !!s.deletedAt,
        overlay: (
          <>
            <LabelBadge label={s.label} />
            {s.ngRegions && s.ngRegions.length > 0 && <Badge tone="ng">{s.ngRegions.length} region{s.ngRegions.length > 1 ? "s" : ""}</Badge>}
            {s.note && <Badge tone="info">note</Badge>}
            {s.deletedAt && <Badge tone="warn">deleted</Badge>}
          </>
        ),
        caption: (
          <span title={`${s.originalFileName ?? s.fileName} (stored as ${s.fileName}) · ${s.source} · ${formatDateTime(s.createdAt)}`}>
            <span className="font-medium text-slate-700">{s.originalFileName ?? s.fileName}</span> · {formatDateTime(s.createdAt)}
          </span>
        ),
      })),
    [items, asset],
  );

  const toggle = (key: Key, { shift }: { shift: boolean }) => {
    const idx = items?.findIndex((s) => s.id === key) ?? -1;
    setSelected((prev) => {
      const next = new Set(prev);
      if (shift && lastClicked.current >= 0 && idx >= 0 && items) {
        const [a, b] = [Math.min(idx, lastClicked.current), Math.max(idx, lastClicked.current)];
        for (let i = a; i <= b; i++) next.add(items[i]!.id);
      } else if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });
    lastClicked.current = idx;
  };
  const ids = [...selected].map(String);
  // Tiles take the page's typical crop shape (the median aspect), so wide crops get wide tiles and fewer columns.
  const aspect = medianAspect(items);
  const wide = aspect > 1.6;

  return (
    <div className="space-y-4">
      <UploadPanel target={{ kind: "roi", roiId: roi.id, label: `${roi.roleId} / ${roi.roiName}` }} onUploaded={() => pages.reset()} />
      <div className="flex flex-wrap items-center gap-3" data-testid="sample-filters">
        <Segmented
          label="Label"
          value={label}
          onChange={setLabel}
          options={[
            { value: "all", label: `All` },
            { value: "ok", label: `OK (${roi.counts.ok})` },
            { value: "ng", label: `NG (${roi.counts.ng})` },
            { value: "unlabeled", label: "Unlabeled" },
          ]}
          testId="filter-label"
        />
        <select className={inputClass} value={source} onChange={(e) => setSource(e.target.value as Source)} aria-label="Source" data-testid="filter-source">
          <option value="">Any source</option>
          <option value="dashboard">Dashboard upload</option>
          <option value="legacy-upload">Legacy client upload</option>
          <option value="infer-capture">From an inspection</option>
          <option value="import">Import</option>
        </select>
        <DateRange from={from} to={to} onFrom={setFrom} onTo={setTo} testId="filter" />
        <Segmented
          label="Live or deleted"
          value={bin}
          onChange={setBin}
          options={[
            { value: "exclude", label: "Live" },
            { value: "only", label: "Deleted" },
          ]}
          testId="filter-bin"
        />
      </div>

      <div className="flex min-h-10 flex-wrap items-center gap-2 rounded-lg border border-slate-200 bg-white px-3 py-1.5 text-sm" data-testid="bulk-bar">
        {ids.length === 0 ? (
          <span className="text-slate-500">
            Tick thumbnails (Shift-click for a range) to relabel, delete or restore several at once; click a thumbnail to open it.
          </span>
        ) : (
          <>
            <span className="font-medium text-slate-800" data-testid="bulk-count">
              {ids.length} selected
            </span>
            <Button size="sm" variant="ok" disabled={bulk.isPending} onClick={() => bulk.mutate({ action: "relabel", ids, label: "ok" })} data-testid="bulk-ok">
              Label OK
            </Button>
            <Button size="sm" variant="ng" disabled={bulk.isPending} onClick={() => bulk.mutate({ action: "relabel", ids, label: "ng" })} data-testid="bulk-ng">
              Label NG
            </Button>
            {bin === "only" ? (
              <Button size="sm" disabled={bulk.isPending} onClick={() => bulk.mutate({ action: "restore", ids })} data-testid="bulk-restore">
                Restore
              </Button>
            ) : (
              <Button size="sm" disabled={bulk.isPending} onClick={() => bulk.mutate({ action: "delete", ids })} data-testid="bulk-delete">
                Delete
              </Button>
            )}
            <Button size="sm" variant="ghost" onClick={() => setSelected(new Set(items?.map((s) => s.id) ?? []))}>
              Select page
            </Button>
            <Button size="sm" variant="ghost" onClick={() => setSelected(new Set())}>
              Clear
            </Button>
          </>
        )}
      </div>
      <MutationError error={bulk.error} title="Bulk action rejected" onDismiss={() => bulk.reset()} />

      <div className={openId ? "grid gap-4 lg:grid-cols-[minmax(0,1fr)_26rem]" : ""}>
        <div>
          {q.error ? (
            <ErrorBanner title="Could not list the samples" onRetry={() => void q.refetch()} retrying={q.isFetching}>
              {describeError(q.error).message}
            </ErrorBanner>
          ) : (
            <ImageGrid
              items={gridItems}
              loading={q.isPending}
              selected={selected}
              onToggle={toggle}
              onOpen={(k) => setOpenId(String(k))}
              aspect={aspect}
              colsClass={
                wide
                  ? openId ? "grid-cols-1 sm:grid-cols-2 md:grid-cols-3" : "grid-cols-1 sm:grid-cols-2 md:grid-cols-3 lg:grid-cols-4"
                  : openId ? "grid-cols-2 sm:grid-cols-3 md:grid-cols-4" : "grid-cols-2 sm:grid-cols-3 md:grid-cols-4 lg:grid-cols-6"
              }
              empty={
                <EmptyState
                  title={bin === "only" ? "Nothing deleted" : label === "all" && !source && !from && !to ? "No samples in this ROI yet" : "No sample matches these filters"}
                  description={
                    bin === "only"
                      ? "Deleted samples land here and can be restored."
                      : label === "all" && !source && !from && !to
                        ? "Drop OK crops above (at least 10 for a fit) and a few NG crops for calibration."
                        : "Clear a filter to see more."
                  }
                  testId="samples-empty"
                />
              }
            />
          )}
          {(pages.page > 0 || q.data?.nextCursor) && (
            <CursorPagination
              page={pages.page}
              hasNext={!!q.data?.nextCursor}
              busy={q.isFetching}
              onPrev={pages.prev}
              onNext={() => pages.next(q.data?.nextCursor)}
              summary={`Page ${pages.page + 1} · ${items?.length ?? 0} shown`}
            />
          )}
        </div>
        {openId && (
          <div className="lg:sticky lg:top-32 lg:self-start">
            <SampleDetail id={openId} onClose={() => setOpenId(null)} />
          </div>
        )}
      </div>
    </div>
  );
}

function medianAspect(items: Array<{ width: number | null; height: number | null }> | undefined): number {
  const a = (items ?? []).filter((s) => s.width && s.height).map((s) => s.width! / s.height!).sort((x, y) => x - y);
  return a.length ? a[Math.floor(a.length / 2)]! : 1;
}
