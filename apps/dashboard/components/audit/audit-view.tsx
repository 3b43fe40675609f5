"use client";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Button, inputClass } from "@/components/ui/button";
import { DataTable, type Column } from "@/components/ui/data-table";
import { EmptyState } from "@/components/ui/empty-state";
import { ErrorBanner } from "@/components/ui/error-banner";
import { CursorPagination } from "@/components/ui/pagination";
import { auditCsvUrl, auditFilterInput, EMPTY_AUDIT_FILTER, type AuditFilterState } from "@/lib/audit";
import { describeError } from "@/lib/errors";
import { SERVICE_BASE_PATH } from "@/lib/service-url";
import { actionWords, auditValue } from "@/lib/audit-words";
import { formatDateTime } from "@/lib/format";
import { useSearchParam } from "@/lib/use-search-param";
import { useTRPC, type RouterOutputs } from "@/lib/trpc";
import { useCursorPages } from "@/lib/use-cursor-pages";

type Event = RouterOutputs["audit"]["list"]["items"][number];

/** A filter drop-down over the values seen in the log, each with its count. */
function FacetSelect(props: {
  label: string;
  anyLabel: string;
  value: string;
  onChange: (e: { target: { value: string } }) => void;
  facets: { value: string; count: number }[] | undefined;
  testId: string;
  words?: (code: string) => string;
}) {
  return (
    <label className="text-xs font-medium text-slate-600">
      {props.label}
      <select className={`${inputClass} block`} value={props.value} onChange={props.onChange} data-testid={props.testId}>
        <option value="">{props.anyLabel}</option>
        {props.facets?.map((a) => (
          <option key={a.value} value={a.value}>
            {props.words ? `${props.words(a.value)} · ${a.value}` : a.value} ({a.count})
          </option>
        ))}
      </select>
    </label>
  );
}

const PREFIXES = ["sample.", "model_version.", "calibration.", "inspection.", "line.", "roi.", "recipe."];

export function AuditView() {
  const trpc = useTRPC();
  const [f, setF] = useState<AuditFilterState>(EMPTY_AUDIT_FILTER);
  // The ROI filter lives in the address (the navigation carries it): "who changed this ROI's threshold?"
  const [roiId, setRoiId] = useSearchParam("roi");
  const rois = useQuery(trpc.rois.list.queryOptions({}));
  const roiName = (id: string | null) => {
    const r = id ? rois.data?.find((x) => x.id === id) : null;
    return r ? `${r.roleId} / ${r.roiName} (${r.recipeId})` : id ? id.slice(0, 10) : "—";
  };
  const set = (k: keyof AuditFilterState) => (e: { target: { value: string } }) => setF((s) => ({ ...s, [k]: e.target.value }));
  const pages = useCursorPages();
  const key = JSON.stringify({ ...f, roiId });
  const resetPages = pages.reset;
  useEffect(() => resetPages(), [key, resetPages]);
  const facets = useQuery(trpc.audit.facets.queryOptions());
  const q = useQuery(
    trpc.audit.list.queryOptions({ ...auditFilterInput(f), roiId: roiId ?? undefined, cursor: pages.cursor, limit: 50 }, { placeholderData: (p) => p }),
  );
  const filtered = JSON.stringify(f) !== JSON.stringify(EMPTY_AUDIT_FILTER) || !!roiId;

  const columns: Column<Event>[] = [
    { key: "at", header: "When", cell: (e) => <span className="whitespace-nowrap text-xs">{formatDateTime(e.at)}</span> },
    { key: "actor", header: "Who", cell: (e) => <span className="text-xs font-medium">{e.actor}</span> },
    {
      key: "action",
      header: "Action",
      cell: (e) => (
        <span className="text-xs" data-testid="audit-action" data-action={e.action} title={`${e.action} · ${e.entityType} ${e.entityId}`}>
          {actionWords(e.action)}
        </span>
      ),
    },
    { key: "roi", header: "ROI", cell: (e) => <span className="text-xs text-slate-600" data-testid="audit-roi">{roiName(e.roiId)}</span> },
    { key: "reason", header: "Reason", cell: (e) => <span className="text-xs" data-testid="audit-reason">{e.reason ?? ""}</span> },
    { key: "change", header: "Change", cell: (e) => <Change before={e.before} after={e.after} />, hideOnNarrow: true },
  ];

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end gap-3" data-testid="audit-filters">
        <FacetSelect label="Who" anyLabel="anyone" value={f.actor} onChange={set("actor")} facets={facets.data?.actors} testId="audit-actor" />
        <FacetSelect label="Action" anyLabel="any action" value={f.action} onChange={set("action")} facets={facets.data?.actions} testId="audit-action-filter" words={actionWords} />
        <label className="text-xs font-medium text-slate-600">
          ROI
          <select className={`${inputClass} block max-w-56`} value={roiId ?? ""} onChange={(e) => setRoiId(e.target.value || null)} data-testid="audit-roi-filter">
            <option value="">every ROI</option>
            {rois.data?.map((r) => (
              <option key={r.id} value={r.id}>
                {r.roleId} / {r.roiName} ({r.recipeId})
              </option>
            ))}
          </select>
        </label>
        <label className="text-xs font-medium text-slate-600">
          Kind
          <select className={`${inputClass} block`} value={f.actionPrefix} onChange={set("actionPrefix")} data-testid="audit-prefix">
            <option value="">all kinds</option>
            {PREFIXES.map((p) => (
              <option key={p} value={p}>
                {p.slice(0, -1)}
              </option>
            ))}
          </select>
        </label>
        <label className="text-xs font-medium text-slate-600">
          From
          <input type="date" className={`${inputClass} block`} value={f.from} onChange={set("from")} />
        </label>
        <label className="text-xs font-medium text-slate-600">
          To
          <input type="date" className={`${inputClass} block`} value={f.to} onChange={set("to")} />
        </label>
        {filtered && (
          <Button
            onClick={() => {
              setF(EMPTY_AUDIT_FILTER);
              setRoiId(null);
            }}
          >
            Clear filters
          </Button>
        )}
        <span className="grow" />
        <a href={auditCsvUrl(SERVICE_BASE_PATH, f, roiId)} className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-50" data-testid="audit-csv" download>
          Export CSV
        </a>
      </div>
      {q.error ? (
        <ErrorBanner title="Could not load the audit log" onRetry={() => void q.refetch()} retrying={q.isFetching}>
          {describeError(q.error).message}
        </ErrorBanner>
      ) : (
        <DataTable
          columns={columns}
          rows={q.data?.items}
          rowKey={(e) => e.id}
          loading={q.isPending}
          caption="Audit events, newest first"
          testId="audit-table"
          empty={
            <EmptyState
              title={filtered ? "No event matches these filters" : "Nothing audited yet"}
              description={filtered ? "Clear a filter to see more." : "Uploads, relabels, fits, thresholds, activations and reviews are recorded here with who, when and why."}
              testId="audit-empty"
            />
          }
        />
      )}
      {(pages.page > 0 || q.data?.nextCursor) && (
        <CursorPagination page={pages.page} hasNext={!!q.data?.nextCursor} busy={q.isFetching} onPrev={pages.prev} onNext={() => pages.next(q.data?.nextCursor)} />
      )}
    </div>
  );
}

/** Fields that changed between before and after (flat objects), or the after value. */
function Change({ before, after }: { before: unknown; after: unknown }) {
  const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);
  const show = auditValue;
  if (isObj(before) && isObj(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
    if (keys.length === 0) return null;
    return (
      <ul className="text-xs text-slate-600">
        {keys.slice(0, 4).map((k) => (
          <li key={k}>
            <span className="font-medium">{k}</span>: {show(before[k])} → {show(after[k])}
          </li>
        ))}
      </ul>
    );
  }
  if (after == null) return null;
  return (
    <details className="text-xs text-slate-600">
      <summary className="cursor-pointer">details</summary>
      <pre className="max-w-xs overflow-auto whitespace-pre-wrap">{JSON.stringify(after, null, 1).slice(0, 600)}</pre>
    </details>
  );
}
