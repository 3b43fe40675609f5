"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import Link from "next/link";
import { LabelBadge } from "@/components/ui/badge";
import { Button, inputClass } from "@/components/ui/button";
import { DateRange } from "@/components/ui/date-range";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { DropZone } from "@/components/ui/drop-zone";
import { EmptyState } from "@/components/ui/empty-state";
import { ErrorBanner } from "@/components/ui/error-banner";
import { MutationError } from "@/components/ui/mutation-error";
import { CursorPagination } from "@/components/ui/pagination";
import { Segmented } from "@/components/ui/segmented";
import { describeError } from "@/lib/errors";
import { formatScore } from "@/lib/format";
import { REVIEW_KEYS, reviewHotkeys, step, type ReviewAction } from "@/lib/review-keys";
import { useTRPC, type RouterOutputs } from "@/lib/trpc";
import { useCursorPages } from "@/lib/use-cursor-pages";
import { useHotkeys } from "@/lib/use-hotkeys";
import { useSearchParam } from "@/lib/use-search-param";
import { InspectionDetail, Kbd, REVIEW_LABELS } from "./inspection-detail";
import { ReviewQueue } from "./review-queue";
import { RoiTitle, useDocumentTitle } from "@/components/roi/roi-select";
import { nextDay } from "@/lib/audit";

type Decision = "all" | "ok" | "ng";
type Status = "" | "pending" | "confirmed_ng" | "false_positive" | "relabelled_ok" | "relabelled_ng";

export function ReviewView() {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const rois = useQuery(trpc.rois.list.queryOptions({}));
  const [roiId, setRoiId] = useSearchParam("roi");
  const [selectedId, setSelectedId] = useSearchParam("inspection");
  const [decision, setDecision] = useState<Decision>("all");
  const [status, setStatus] = useState<Status>("");
  const [minScore, setMinScore] = useState("");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [order, setOrder] = useState<"newest" | "uncertain">("newest");
  const [heatmap, setHeatmap] = useState(true);
  const pages = useCursorPages();
  const filterKey = `${roiId}|${decision}|${status}|${minScore}|${from}|${to}|${order}`;
  const resetPages = pages.reset;
  useEffect(() => resetPages(), [filterKey, resetPages]);
  const min = minScore.trim() && Number.isFinite(Number(minScore)) ? Number(minScore) : undefined;
  const day = (d: string) => (/^\d{4}-\d{2}-\d{2}$/.test(d) ? d : undefined);

  const q = useQuery(
    trpc.inspections.list.queryOptions(
      {
        roiId: roiId ?? undefined, decision: decision === "all" ? undefined : decision, reviewStatus: status || undefined, minScore: min,
        from: day(from) ? localDayStart(from) : undefined, to: day(to) ? localDayStart(nextDay(to)) : undefined, order,
        cursor: pages.cursor, limit: 25,
      },
      { placeholderData: (prev) => prev, refetchInterval: 15_000 },
    ),
  );
  const rows = q.data?.items;
  const roiName = (id: string) => {
    const r = rois.data?.find((x) => x.id === id);
    return r ? `${r.roleId} / ${r.roiName}` : id.slice(0, 8);
  };

  const refresh = () => qc.invalidateQueries();
  const review = useMutation(trpc.inspections.review.mutationOptions({ onSuccess: refresh }));
  const add = useMutation(trpc.inspections.addToDataset.mutationOptions({ onSuccess: refresh }));
  const busy = review.isPending || add.isPending;
  const act = (a: ReviewAction) => {
    const idx = rows?.findIndex((r) => r.id === selectedId) ?? -1;
    if (a === "next" || a === "prev") {
      const n = step(idx, a === "next" ? 1 : -1, rows?.length ?? 0);
      if (n >= 0 && rows) setSelectedId(rows[n]!.id);
      return;
    }
    if (a === "toggleHeatmap") return setHeatmap((h) => !h);
    if (!selectedId || busy) return;
    if (a === "confirmNg") review.mutate({ id: selectedId, verdict: "confirmed_ng" });
    else if (a === "falsePositive") review.mutate({ id: selectedId, verdict: "false_positive" });
    else if (a === "addOk") add.mutate({ id: selectedId, label: "ok" });
    else if (a === "addNg") add.mutate({ id: selectedId, label: "ng" });
  };
  useHotkeys(reviewHotkeys(act));

  const roi = rois.data?.find((r) => r.id === roiId) ?? null;
  return (
    <div className="space-y-4">
      {roi ? <RoiTitle page="Review" roi={roi} /> : <AllRoisTitle />}
      <div className="flex flex-wrap items-center gap-3" data-testid="review-filters">
        <select className={inputClass} value={roiId ?? ""} onChange={(e) => setRoiId(e.target.value || null)} aria-label="ROI" data-testid="review-roi">
          <option value="">All ROIs</option>
          {rois.data?.map((r) => (
            <option key={r.id} value={r.id}>
              {r.label}
            </option>
          ))}
        </select>
        <Segmented
          label="Decision"
          value={decision}
          onChange={setDecision}
          options={[
            { value: "all", label: "All" },
            { value: "ng", label: "NG" },
            { value: "ok", label: "OK" },
          ]}
          testId="review-decision"
        />
        <select className={inputClass} value={status} onChange={(e) => setStatus(e.target.value as Status)} aria-label="Review status" data-testid="review-status">
          <option value="">Any review status</option>
          {Object.entries(REVIEW_LABELS).map(([k, v]) => (
            <option key={k} value={k}>
              {v.text}
            </option>
          ))}
        </select>
        <label className="inline-flex items-center gap-1.5 text-sm text-slate-600">
          <input type="checkbox" className="size-4 accent-brand-600" checked={status === "pending"} onChange={(e) => setStatus(e.target.checked ? "pending" : "")} data-testid="review-pending-only" />
          Pending only
        </label>
        <label className="inline-flex items-center gap-1.5 text-sm text-slate-600">
          Score ≥ <input className={`${inputClass} w-24`} value={minScore} onChange={(e) => setMinScore(e.target.value)} inputMode="decimal" placeholder="any" data-testid="review-min-score" />
        </label>
        <DateRange from={from} to={to} onFrom={setFrom} onTo={setTo} testId="review" />
        <Segmented
          label="Order"
          value={order}
          onChange={setOrder}
          options={[
            { value: "newest", label: "Newest first" },
            { value: "uncertain", label: "Near the threshold first" },
          ]}
          testId="review-order"
        />
      </div>

      <div className="grid gap-4 lg:grid-cols-[minmax(0,5fr)_minmax(0,6fr)]">
        <div className="space-y-3">
          {q.error ? (
            <ErrorBanner title="Could not load the review queue" onRetry={() => void q.refetch()} retrying={q.isFetching}>
              {describeError(q.error).message}
            </ErrorBanner>
          ) : (
            <ReviewQueue
              rows={rows}
              loading={q.isPending}
              selectedId={selectedId}
              onSelect={setSelectedId}
              roiName={roiName}
              showRoi={!roiId}
              empty={
                <EmptyState
                  title={!roiId && decision === "all" && !status && !minScore && !from && !to ? "No inspection yet" : "No inspection matches these filters"}
                  description={
                    <>
                      Inspections appear here from the legacy client&apos;s <code>/infer</code> and from a test upload (right). A ROI needs a fitted, calibrated
                      version first (<Link href={roiId ? `/fit?roi=${roiId}` : "/fit"} className="text-brand-700 underline">Fit & calibrate</Link>).
                    </>
                  }
                  testId="inspections-empty"
                />
              }
            />
          )}
          {(pages.page > 0 || q.data?.nextCursor) && (
            <CursorPagination page={pages.page} hasNext={!!q.data?.nextCursor} busy={q.isFetching} onPrev={pages.prev} onNext={() => pages.next(q.data?.nextCursor)} />
          )}
          <KeyLegend />
        </div>
        <div className="space-y-4">
          <MutationError error={review.error ?? add.error} onDismiss={() => (review.reset(), add.reset())} />
          {selectedId ? (
            <InspectionDetail
              id={selectedId}
              heatmap={heatmap}
              onHeatmap={setHeatmap}
              actions={{
                busy,
                confirmNg: () => act("confirmNg"),
                falsePositive: () => act("falsePositive"),
                addOk: () => act("addOk"),
                addNg: () => act("addNg"),
                pending: () => review.mutate({ id: selectedId, verdict: "pending" }),
              }}
            />
          ) : (
            <EmptyState title="Select an inspection" description="Click a row, or press j / ↓ to start at the newest." testId="detail-empty" />
          )}
          <TestUpload defaultRoi={roiId} rois={rois.data ?? []} onDone={(id) => setSelectedId(id)} />
        </div>
      </div>
    </div>
  );
}

function KeyLegend() {
  return (
    <Card data-testid="key-legend">
      <CardHeader title="Keyboard" description="Shortcuts work anywhere on this page except while typing in a field." />
      <CardBody>
        <dl className="grid grid-cols-1 gap-x-6 gap-y-1 text-sm sm:grid-cols-2">
          {REVIEW_KEYS.map((k) => (
            <div key={k.action} className="flex items-center gap-2">
              <dt className="flex gap-1">
                {k.keys.map((key) => (
                  <Kbd key={key}>{key === "ArrowDown" ? "↓" : key === "ArrowUp" ? "↑" : key === "N" ? "Shift+N" : key === "O" ? "Shift+O" : key}</Kbd>
                ))}
              </dt>
              <dd className="text-slate-600">{k.label}</dd>
            </div>
          ))}
        </dl>
      </CardBody>
    </Card>
  );
}

/** Runs an inference on an uploaded crop with the ROI's active version; the result lands in the queue. */
function TestUpload({ defaultRoi, rois, onDone }: { defaultRoi: string | null; rois: RouterOutputs["rois"]["list"]; onDone: (id: string) => void }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const [roi, setRoi] = useState<string>("");
  const usable = rois.filter((r) => r.activeModelVersionId);
  const target = roi || (defaultRoi && usable.some((r) => r.id === defaultRoi) ? defaultRoi : (usable[0]?.id ?? ""));
  const test = useMutation(
    trpc.inspections.testUpload.mutationOptions({
      onSuccess: async (i) => {
        await qc.invalidateQueries();
        onDone(i.id);
      },
    }),
  );
  return (
    <Card data-testid="test-upload">
      <CardHeader title="Test an image" description="Inspect one crop with the ROI's active version and threshold, as the line would. The result is added to the queue." />
      <CardBody className="space-y-3">
        {usable.length === 0 ? (
          <p className="text-sm text-slate-500">No ROI has a fitted version yet: fit one on Fit & calibrate first.</p>
        ) : (
          <>
            <select className={`${inputClass} w-full`} value={target} onChange={(e) => setRoi(e.target.value)} aria-label="ROI to test" data-testid="test-roi">
              {usable.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.label} · v{r.activeVersionNumber}
                </option>
              ))}
            </select>
            <DropZone
              onFiles={(files) => {
                const f = files[0];
                if (!f || !target) return;
                const fd = new FormData();
                fd.set("roiId", target);
                fd.set("file", f, f.name);
                test.mutate(fd);
              }}
              disabled={test.isPending}
              hint="One crop; the first file is used."
              testId="test-drop"
            />
            {test.isPending && <p className="text-sm text-slate-600">Inspecting…</p>}
            {test.data && !test.isPending && (
              <p className="text-sm" data-testid="test-result" role="status">
                Result: <LabelBadge label={test.data.decision} /> score {formatScore(test.data.score)} vs {formatScore(test.data.threshold)}
              </p>
            )}
            <MutationError error={test.error} title="The test inference failed" onDismiss={() => test.reset()} />
          </>
        )}
      </CardBody>
    </Card>
  );
}

function AllRoisTitle() {
  useDocumentTitle("Review · all ROIs");
  return (
    <p className="text-sm text-slate-600" data-testid="roi-title">
      Review for <span className="font-semibold text-slate-900">all ROIs</span>
    </p>
  );
}

/** Local midnight of a "YYYY-MM-DD" day as an ISO instant (the date pickers are in the reviewer's time zone). */
function localDayStart(day: string): string {
  const [y, m, d] = day.split("-").map(Number);
  return new Date(y!, m! - 1, d!).toISOString();
}
