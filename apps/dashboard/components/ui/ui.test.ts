// Server-renders the shared UI components with react-dom/server: what they show for given props, without a browser.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createElement as h } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { ConfusionMatrix } from "./confusion-matrix.tsx";
import { DataTable } from "./data-table.tsx";
import { EmptyState } from "./empty-state.tsx";
import { Histogram } from "./histogram.tsx";
import { ImageGrid } from "./image-grid.tsx";
import { ProgressBar } from "./progress-bar.tsx";
import { QueryState } from "./query-state.tsx";
import { RocCurve } from "./roc-curve.tsx";

const count = (html: string, needle: string) => html.split(needle).length - 1;

test("EmptyState names the procedures a page waits for", () => {
  const html = renderToStaticMarkup(h(EmptyState, { title: "Nothing yet", requires: ["samples.list", "samples.upload"] }));
  assert.match(html, /Nothing yet/);
  assert.match(html, /<code[^>]*>samples\.list<\/code>/);
  assert.match(html, /<code[^>]*>samples\.upload<\/code>/);
});

test("DataTable renders one row per item, skeletons while loading, the empty slot when empty", () => {
  const columns = [
    { key: "id", header: "Id", cell: (r: { id: string; score: number }) => r.id },
    { key: "score", header: "Score", cell: (r: { id: string; score: number }) => r.score.toFixed(2), align: "right" as const },
  ];
  const rows = [
    { id: "a", score: 0.5 },
    { id: "b", score: 1.25 },
  ];
  const full = renderToStaticMarkup(h(DataTable<(typeof rows)[number]>, { columns, rows, rowKey: (r) => r.id }));
  assert.equal(count(full, 'data-testid="data-row"'), 2);
  assert.match(full, /1\.25/);
  const loading = renderToStaticMarkup(h(DataTable<(typeof rows)[number]>, { columns, rows: undefined, rowKey: (r) => r.id, loading: true, loadingRows: 3 }));
  assert.equal(count(loading, 'data-testid="data-row"'), 0);
  assert.equal(count(loading, "animate-pulse"), 6);
  const empty = renderToStaticMarkup(h(DataTable<(typeof rows)[number]>, { columns, rows: [], rowKey: (r) => r.id, empty: "No inspections match" }));
  assert.match(empty, /No inspections match/);
});

test("ImageGrid keeps one box per tile (square, or the given crop aspect) and marks the selection", () => {
  const items = [
    { key: "s1", src: "/img/1.png", alt: "sample 1" },
    { key: "s2", src: "/img/2.png", alt: "sample 2", muted: true },
  ];
  const html = renderToStaticMarkup(h(ImageGrid, { items, selected: new Set(["s2"]), onToggle: () => undefined }));
  assert.equal(count(html, 'data-testid="grid-item"'), 2);
  assert.equal(count(html, "aspect-ratio:1"), 2);
  const wide = renderToStaticMarkup(h(ImageGrid, { items, aspect: 2.5 }));
  assert.equal(count(wide, "aspect-ratio:2.5"), 2, "wide crops get wide tiles");
  assert.equal(count(renderToStaticMarkup(h(ImageGrid, { items, aspect: 40 })), "aspect-ratio:3"), 2, "clamped");
  assert.equal(count(html, 'loading="lazy"'), 2);
  assert.equal(count(html, 'data-selected="true"'), 1);
  assert.equal(count(html, 'type="checkbox"'), 2);
});

test("ProgressBar is determinate with a value and indeterminate without", () => {
  const det = renderToStaticMarkup(h(ProgressBar, { value: 0.42, label: "Embedding" }));
  assert.match(det, /aria-valuenow="42"/);
  assert.match(det, /42%/);
  assert.match(det, /width:42%/);
  const indet = renderToStaticMarkup(h(ProgressBar, { label: "Queued" }));
  assert.doesNotMatch(indet, /aria-valuenow/);
  assert.match(indet, /animate-pulse/);
  assert.match(renderToStaticMarkup(h(ProgressBar, { value: 7 })), /aria-valuenow="100"/);
});

test("Histogram draws both series and the threshold marker", () => {
  const html = renderToStaticMarkup(
    h(Histogram, {
      series: [
        { name: "OK", values: [1, 1, 2], color: "#10b981" },
        { name: "NG", values: [5, 6], color: "#f43f5e" },
      ],
      threshold: 3.5,
      bins: 10,
    }),
  );
  assert.match(html, /data-testid="histogram-threshold"/);
  assert.match(html, /OK \(3\)/);
  assert.match(html, /NG \(2\)/);
  assert.ok(count(html, "<rect") >= 3);
  assert.match(renderToStaticMarkup(h(Histogram, { series: [{ name: "OK", values: [], color: "#000" }] })), /No scores to plot/);
});

test("ConfusionMatrix shows counts and the false-reject and miss rates", () => {
  const html = renderToStaticMarkup(h(ConfusionMatrix, { tp: 9, fn: 1, tn: 95, fp: 5 }));
  assert.match(html, /data-testid="cm-fp"[^>]*>5</);
  assert.match(html, /data-testid="cm-frr"[^>]*>5\.0%</);
  assert.match(html, /data-testid="cm-miss"[^>]*>10\.0%</);
});

test("RocCurve plots the points and the operating point", () => {
  const html = renderToStaticMarkup(h(RocCurve, { points: [{ fpr: 1, tpr: 1 }, { fpr: 0, tpr: 0 }, { fpr: 0.1, tpr: 0.9 }], current: { fpr: 0.1, tpr: 0.9 }, auc: 0.945 }));
  assert.match(html, /<path d="M28\.0,192\.0 L44\.4,44\.4 L192\.0,28\.0"/);
  assert.match(html, /data-testid="roc-current"/);
  assert.match(html, /AUC 0\.945/);
});

test("QueryState shows service errors as a message with Retry", () => {
  const base = { isFetching: false, refetch: () => undefined };
  const err = renderToStaticMarkup(
    h(QueryState<number>, {
      query: { ...base, data: undefined, isPending: false, error: Object.assign(new Error("ROI not found"), { data: { code: "NOT_FOUND" } }) },
      children: (n: number) => `value ${n}`,
    }),
  );
  assert.match(err, /NOT_FOUND: ROI not found/);
  assert.match(err, />Retry</);
  const down = renderToStaticMarkup(
    h(QueryState<number>, { query: { ...base, data: undefined, isPending: false, error: new TypeError("Failed to fetch") }, children: () => "x" }),
  );
  assert.match(down, /unreachable/);
  const ok = renderToStaticMarkup(h(QueryState<number>, { query: { ...base, data: 3, isPending: false, error: null }, children: (n: number) => `value ${n}` }));
  assert.equal(ok, "value 3");
  const empty = renderToStaticMarkup(
    h(QueryState<number[]>, { query: { ...base, data: [], isPending: false, error: null }, isEmpty: (d) => d.length === 0, empty: "none yet", children: () => "rows" }),
  );
  assert.equal(empty, "none yet");
});

test("ReasonDialog renders closed with its confirm disabled until a valid reason is typed", async () => {
  const { ReasonDialog } = await import("./reason-dialog.tsx");
  const html = renderToStaticMarkup(h(ReasonDialog, { open: false, title: "Activate v3", onConfirm: () => undefined, onClose: () => undefined }));
  assert.match(html, /<dialog/);
  assert.match(html, /Activate v3/);
  assert.match(html, /data-testid="reason-confirm"[^>]*disabled=""|disabled=""[^>]*data-testid="reason-confirm"/);
});
