"use client";
// The model versions page (~350 lines in one file on purpose): the ROI's version list, a version's detail with its
// activation / rollback, and the comparison of two versions are only used here; split when another page needs one.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { RoiSelect, RoiTitle, useRoiSelection, WithRoi, type RoiItem } from "@/components/roi/roi-select";
import { Badge, LabelBadge, type Tone } from "@/components/ui/badge";
import { Button, inputClass } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { DataTable, type Column } from "@/components/ui/data-table";
import { EmptyState } from "@/components/ui/empty-state";
import { ErrorBanner } from "@/components/ui/error-banner";
import { QueryState } from "@/components/ui/query-state";
import { ReasonDialog } from "@/components/ui/reason-dialog";
import { Skeleton } from "@/components/ui/skeleton";
import { useAssetUrl } from "@/lib/assets";
import { mapWords, ruleWords, scoreRuleWords } from "@/lib/audit-words";
import { describeError } from "@/lib/errors";
import { formatDateTime, formatMs, formatPercent, formatScore } from "@/lib/format";
import { useTRPC, type RouterOutputs } from "@/lib/trpc";
import { useSearchParam } from "@/lib/use-search-param";

type Version = RouterOutputs["models"]["list"]["versions"][number];

const STATUS_TONE: Record<string, Tone> = { ready: "ok", building: "info", failed: "ng", retired: "neutral" };

export function ModelsView() {
  const selection = useRoiSelection();
  return (
    <div className="space-y-4">
      <RoiTitle page="Models" roi={selection.roi} />
      <RoiSelect selection={selection} />
      <WithRoi selection={selection}>{(roi) => <RoiModels key={roi.id} roi={roi} />}</WithRoi>
    </div>
  );
}

/** The version's timings in words (the keys stay in the tooltip-free CSV/API). */
const TIMING_LABELS: Record<string, string> = {
  wallMs: "Fit time (start → files written)",
  totalMs: "Compute time",
  decodeMs: "Reading the crops",
  extractMs: "Feature extraction",
  coresetMs: "Memory bank (coreset)",
};

function totalMs(t: Record<string, number> | null): number | null {
  if (!t) return null;
  // wallMs: the fit's duration as the Fit page shows it (job start → version written); older versions: compute time
  if (typeof t.wallMs === "number") return t.wallMs;
  if (typeof t.totalMs === "number") return t.totalMs;
  if (typeof t.total === "number") return t.total;
  const v = Object.values(t).filter((x) => typeof x === "number");
  return v.length ? v.reduce((a, b) => a + b, 0) : null;
}

function RoiModels({ roi }: { roi: RoiItem }) {
  const trpc = useTRPC();
  const q = useQuery(trpc.models.list.queryOptions({ roiId: roi.id }));
  const [versionId, setVersionId] = useSearchParam("version");
  const columns: Column<Version>[] = [
    {
      key: "v",
      header: "Version",
      cell: (v) => (
        <span className="inline-flex items-center gap-1.5">
          <span className="font-semibold">v{v.versionNumber}</span>
          {v.active && (
            <Badge tone="brand" data-testid="version-active">
              active
            </Badge>
          )}
        </span>
      ),
    },
    { key: "status", header: "Status", cell: (v) => <Badge tone={STATUS_TONE[v.status] ?? "neutral"}>{v.status}</Badge> },
    { key: "samples", header: "Samples", align: "right", cell: (v) => v.nSamples ?? "—" },
    { key: "backbone", header: "Backbone", cell: (v) => <span className="font-mono text-xs">{v.backboneId}</span>, hideOnNarrow: true },
    { key: "coreset", header: "Coreset", align: "right", cell: (v) => (v.coresetSize != null ? `${v.coresetSize} / ${v.nEmbeddings ?? "?"}` : "—"), hideOnNarrow: true },
    { key: "time", header: "Fit time", align: "right", cell: (v) => formatMs(totalMs(v.timings)), hideOnNarrow: true },
    { key: "thr", header: "Threshold", align: "right", cell: (v) => <span className="font-mono">{formatScore(v.threshold)}</span> },
    { key: "at", header: "Created", cell: (v) => <span className="whitespace-nowrap text-xs">{formatDateTime(v.createdAt)}</span> },
  ];
  return (
    <div className="space-y-6">
      <QueryState query={q} loading={<Skeleton className="h-40 w-full" />} errorTitle="Could not list the versions">
        {(d) =>
          d.versions.length === 0 ? (
            <EmptyState title="No model version yet" description="Fit one on Fit & calibrate; every fit adds a version here with its lineage." testId="models-empty" />
          ) : (
            <>
              <DataTable
                columns={columns}
                rows={d.versions}
                rowKey={(v) => v.id}
                onRowClick={(v) => setVersionId(v.id)}
                selectedKey={versionId}
                caption="Model versions, newest first"
                testId="versions-table"
              />
              {versionId && d.versions.some((v) => v.id === versionId) && <VersionDetail key={versionId} id={versionId} />}
              <Compare versions={d.versions} />
            </>
          )
        }
      </QueryState>
    </div>
  );
}

function VersionDetail({ id }: { id: string }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const asset = useAssetUrl();
  const q = useQuery(trpc.models.get.queryOptions({ id }));
  const [open, setOpen] = useState(false);
  const activate = useMutation(trpc.models.activate.mutationOptions({ onSuccess: () => qc.invalidateQueries() }));
  return (
    <Card data-testid="version-detail">
      <QueryState query={q} loading={<Skeleton className="m-5 h-40" />} errorTitle="Could not load this version">
        {(v) => {
          const ok = v.lineage.filter((s) => s.label === "ok").length;
          const canActivate = !v.active && (v.status === "ready" || v.status === "retired");
          return (
            <>
              <CardHeader
                title={
                  <span className="flex items-center gap-2">
                    Version v{v.versionNumber} <Badge tone={STATUS_TONE[v.status] ?? "neutral"}>{v.status}</Badge>
                    {v.active && <Badge tone="brand">active</Badge>}
                  </span>
                }
                description={`Created ${formatDateTime(v.createdAt)}${v.actor ? ` by ${v.actor}` : ""}${v.parent ? ` · after v${v.parent.versionNumber}` : ""}${v.activatedAt ? ` · activated ${formatDateTime(v.activatedAt)}` : ""}`}
                actions={
                  canActivate ? (
                    <Button variant="primary" onClick={() => setOpen(true)} data-testid="version-activate">
                      {v.status === "retired" ? `Roll back to v${v.versionNumber}…` : `Activate v${v.versionNumber}…`}
                    </Button>
                  ) : null
                }
              />
              <CardBody className="space-y-4">
                {v.error && <ErrorBanner title="This version failed">{v.error}</ErrorBanner>}
                {activate.isSuccess && (
                  <p className="text-sm text-emerald-700" role="status" data-testid="activate-done">
                    v{activate.data.version.versionNumber} is active{activate.data.calibrated ? `, threshold ${formatScore(activate.data.threshold)}` : "; it has no calibration: save a threshold on Fit & calibrate"}.
                  </p>
                )}
                <dl className="grid grid-cols-2 gap-x-6 gap-y-3 text-sm md:grid-cols-4" data-testid="lineage">
                  <Info label="Trained on" value={`${v.nSamples} samples (${ok} OK)`} />
                  <Info label="Backbone" value={v.backboneId} mono hint={v.backboneSha256 ? `sha256 ${v.backboneSha256.slice(0, 12)}…` : undefined} />
                  <Info label="Input / layers" value={`${v.inputSize ?? "—"} px`} hint={v.featureLayers.join(", ")} />
                  <Info
                    label="Coreset"
                    value={v.coresetSize != null ? `${v.coresetSize} of ${v.nEmbeddings ?? "?"}` : "—"}
                    hint={`${formatPercent(v.coresetRateApplied, 2)} of the patch features kept (asked ${formatPercent(v.coresetRateRequested, 2)})`}
                  />
                  <Info
                    label="Memory"
                    value={`${v.memoryLayout === "positional" ? "positional" : "global"}${v.cropKind === "registered" ? " (registered crops)" : v.cropKind === "texture" ? " (a texture)" : ""}`}
                    hint={
                      v.registrationShare != null
                        ? `${formatPercent(v.registrationShare, 0)} of OK patches found their nearest OK patch within 2 cells of their own place (over 50 %: registered crops, kept positional — matched only near their own cell — unless too large for it)`
                        : v.memoryLayout
                          ? "chosen for this fit"
                          : "fitted before the memory layout was recorded: global"
                    }
                  />
                  <Info
                    label="Map"
                    value={mapWords(v.scoring)}
                    hint={
                      !v.scoring
                        ? "no readable memory bank"
                        : v.scoring.brightness || v.scoring.channelWeights
                          ? `a registered ROI: ${[
                            v.scoring.brightness && "each crop scaled to the ROI's mean brightness before the backbone, so a drifting lamp does not move its scores",
                            v.scoring.channelWeights && "each feature channel weighted by its spread over the OK crops (with the positional memory)",
                          ].filter(Boolean).join("; ")}`
                          : undefined
                    }
                  />
                  {v.timings &&
                    Object.entries(v.timings).map(([k, ms]) => <Info key={k} label={TIMING_LABELS[k] ?? `Time: ${k.replace(/Ms$/, "")}`} value={formatMs(ms)} />)}
                </dl>
                <details>
                  <summary className="cursor-pointer text-sm font-medium text-slate-700">Lineage: the {v.lineage.length} samples this version was fitted on</summary>
                  <ul className="mt-2 grid grid-cols-[repeat(auto-fill,minmax(8rem,1fr))] items-start gap-2" data-testid="lineage-samples">
                    {v.lineage.map((s) => (
                      <li
                        key={s.id}
                        className={`overflow-hidden rounded border border-slate-200 text-[11px] ${s.deletedAt ? "opacity-50" : ""}`}
                        title={`stored as ${s.fileName} · sha256 ${s.sha256.slice(0, 12)}${s.deletedAt ? " · deleted since" : ""}`}
                        data-testid="lineage-sample"
                      >
                        {/* the crop's own aspect: a 2.5:1 crop is a wide tile, not a letterboxed square */}
                        <div className="relative bg-slate-100" style={{ aspectRatio: `${Math.max(1, s.width ?? 1)} / ${Math.max(1, s.height ?? 1)}` }}>
                          <img src={asset(s.thumbUrl, { size: "256" })!} alt={s.originalFileName ?? s.fileName} loading="lazy" className="absolute inset-0 size-full object-contain" />
                        </div>
                        <div className="break-all px-1 py-0.5 leading-tight">{s.originalFileName ?? s.fileName}</div>
                      </li>
                    ))}
                  </ul>
                </details>
                <div>
                  <h3 className="text-sm font-semibold text-slate-900">Calibrations ({v.calibrations.length})</h3>
                  {v.calibrations.length === 0 ? (
                    <p className="text-sm text-slate-500">None: inference answers calibration_missing while this version is active without one.</p>
                  ) : (
                    <div className="mt-1 overflow-x-auto">
                      <table className="min-w-full text-sm" data-testid="calibrations-table">
                        <thead className="text-left text-xs text-slate-500">
                          <tr>
                            <th className="py-1 pr-3">When</th>
                            <th className="py-1 pr-3 text-right">Threshold</th>
                            <th className="py-1 pr-3">Rule</th>
                            <th className="py-1 pr-3 text-right">Exp. FRR</th>
                            <th className="py-1 pr-3">Set</th>
                            <th className="py-1 pr-3">Who / why</th>
                          </tr>
                        </thead>
                        <tbody className="divide-y divide-slate-100">
                          {v.calibrations.map((c) => (
                            <tr key={c.id} data-testid="calibration-row">
                              <td className="whitespace-nowrap py-1 pr-3 text-xs">{formatDateTime(c.createdAt)}</td>
                              <td className="py-1 pr-3 text-right font-mono">
                                {formatScore(c.threshold)} {c.active && <Badge tone="brand">active</Badge>}
                              </td>
                              <td className="py-1 pr-3 text-xs" title={c.rule}>
                                {ruleWords(c.rule)}
                              </td>
                              <td className="py-1 pr-3 text-right">{formatPercent(c.expectedFalseRejectRate)}</td>
                              <td className="py-1 pr-3 text-xs">
                                {c.nOk} OK · {c.nNg} NG{c.outOfSample ? " · out-of-sample" : ""}
                              </td>
                              <td className="py-1 pr-3 text-xs">
                                {c.actor ?? "—"}
                                {c.reason && <span className="text-slate-500"> · {c.reason}</span>}
                              </td>
                            </tr>
                          ))}
                        </tbody>
                      </table>
                    </div>
                  )}
                </div>
              </CardBody>
              <ReasonDialog
                open={open}
                title={v.status === "retired" ? `Roll back to v${v.versionNumber}` : `Activate v${v.versionNumber}`}
                confirmLabel={v.status === "retired" ? "Roll back" : "Activate"}
                danger
                onClose={() => setOpen(false)}
                onConfirm={async (reason) => {
                  await activate.mutateAsync({ id: v.id, reason });
                }}
              >
                Inference on this ROI switches to v{v.versionNumber} at once, with{" "}
                {v.calibrations.some((c) => c.active) ? `its threshold ${formatScore(v.calibrations.find((c) => c.active)!.threshold)}` : "no calibration (inference refuses until a threshold is saved)"}.
              </ReasonDialog>
            </>
          );
        }}
      </QueryState>
    </Card>
  );
}

function Info({ label, value, hint, mono }: { label: string; value: string; hint?: string; mono?: boolean }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</dt>
      <dd className={`truncate text-slate-900 ${mono ? "font-mono text-xs" : ""}`} title={value}>
        {value}
      </dd>
      {hint && <p className="truncate text-xs text-slate-500" title={hint}>{hint}</p>}
    </div>
  );
}

type CompareSide = RouterOutputs["models"]["compare"]["a"];
/** One compared version's image-score rule in words. */
function versionRuleWords(s: CompareSide, percentile: number): string {
  return scoreRuleWords(s.scoreRule, percentile, s.baseline, s.channelWeights, s.brightness);
}

/** Two versions of the ROI scored on the same labelled set. */
function Compare({ versions }: { versions: Version[] }) {
  const trpc = useTRPC();
  const asset = useAssetUrl();
  const ready = versions.filter((v) => v.status === "ready" || v.status === "retired");
  const [a, setA] = useState(ready.find((v) => v.active)?.id ?? ready[0]?.id ?? "");
  const [b, setB] = useState(ready.find((v) => v.id !== a)?.id ?? "");
  const [asked, setAsked] = useState<{ a: string; b: string } | null>(null);
  const q = useQuery(trpc.models.compare.queryOptions(asked ?? { a: "x", b: "y" }, { enabled: !!asked, staleTime: 60_000 }));
  if (ready.length < 2) {
    return (
      <Card data-testid="compare">
        <CardHeader title="Compare two versions" />
        <CardBody>
          <p className="text-sm text-slate-500">Needs two fitted versions of this ROI; fit again after changing the dataset to compare.</p>
        </CardBody>
      </Card>
    );
  }
  const pick = (value: string, set: (v: string) => void, label: string, id: string) => (
    <select className={inputClass} value={value} onChange={(e) => set(e.target.value)} aria-label={label} data-testid={id}>
      {ready.map((v) => (
        <option key={v.id} value={v.id}>
          v{v.versionNumber}
          {v.active ? " (active)" : ""}
        </option>
      ))}
    </select>
  );
  return (
    <Card data-testid="compare">
      <CardHeader title="Compare two versions" description="Both versions score the ROI's current labelled set (OK out-of-sample where a version trained on them)." />
      <CardBody className="space-y-4">
        <div className="flex flex-wrap items-center gap-2">
          {pick(a, setA, "Version A", "compare-a")}
          <span className="text-sm text-slate-500">vs</span>
          {pick(b, setB, "Version B", "compare-b")}
          <Button variant="primary" disabled={!a || !b || a === b} onClick={() => setAsked({ a, b })} data-testid="compare-run">
            Compare
          </Button>
          {a === b && <span className="text-xs text-slate-500">pick two different versions</span>}
        </div>
        {asked && q.isFetching && !q.data && <p className="text-sm text-slate-600">Scoring the labelled set with both versions…</p>}
        {q.error && <ErrorBanner title="Could not compare">{describeError(q.error).message}</ErrorBanner>}
        {q.data && (
          <div className="space-y-3" data-testid="compare-result">
            <table className="text-sm">
              <thead className="text-left text-xs text-slate-500">
                <tr>
                  <th className="pr-6" />
                  <th className="pr-6">A: v{q.data.a.version.versionNumber}</th>
                  <th className="pr-6">B: v{q.data.b.version.versionNumber}</th>
                </tr>
              </thead>
              <tbody>
                <tr>
                  <th className="pr-6 text-left font-medium text-slate-600">AUROC</th>
                  <td className="pr-6 font-mono">{q.data.a.auroc?.toFixed(3) ?? "—"}</td>
                  <td className="pr-6 font-mono">{q.data.b.auroc?.toFixed(3) ?? "—"}</td>
                </tr>
                <tr>
                  <th className="pr-6 text-left font-medium text-slate-600">Threshold</th>
                  <td className="pr-6 font-mono">{formatScore(q.data.a.threshold)}</td>
                  <td className="pr-6 font-mono">{formatScore(q.data.b.threshold)}</td>
                </tr>
                <tr>
                  <th className="pr-6 text-left font-medium text-slate-600">False rejects / misses</th>
                  {[q.data.a, q.data.b].map((s, i) => (
                    <td key={i} className="pr-6">
                      {s.confusion ? `${s.confusion.fp} / ${s.confusion.fn}` : "no threshold"}
                    </td>
                  ))}
                </tr>
              </tbody>
            </table>
            <p className="text-xs text-slate-500">
              {q.data.nOk} OK and {q.data.nNg} NG samples, image score ={" "}
              {versionRuleWords(q.data.a, q.data.percentile) === versionRuleWords(q.data.b, q.data.percentile)
                ? versionRuleWords(q.data.a, q.data.percentile)
                : `${versionRuleWords(q.data.a, q.data.percentile)} (A), ${versionRuleWords(q.data.b, q.data.percentile)} (B)`}
              .
            </p>
            <div className="max-h-80 overflow-auto rounded border border-slate-200">
              <table className="min-w-full text-sm">
                <thead className="sticky top-0 bg-slate-50 text-left text-xs text-slate-500">
                  <tr>
                    <th className="px-2 py-1" colSpan={2}>Sample</th>
                    <th className="px-2 py-1">Label</th>
                    <th className="px-2 py-1 text-right">Score A</th>
                    <th className="px-2 py-1 text-right">Score B</th>
                    <th className="px-2 py-1 text-right">Δ</th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {[...q.data.samples]
                    .sort((x, y) => Math.abs(y.scoreB - y.scoreA) - Math.abs(x.scoreB - x.scoreA))
                    .map((s) => {
                      const flipA = q.data.a.threshold != null && s.scoreA >= q.data.a.threshold;
                      const flipB = q.data.b.threshold != null && s.scoreB >= q.data.b.threshold;
                      return (
                        <tr key={s.sampleId} data-testid="compare-row">
                          <td className="w-16 px-2 py-1">
                            <img src={asset(s.thumbUrl, { size: "128" })!} alt="" loading="lazy" className="h-8 w-14 rounded bg-slate-100 object-contain" />
                          </td>
                          <td className="break-all px-2 py-1 text-xs" title={`stored as ${s.fileName}`} data-testid="compare-name">
                            {s.originalFileName ?? s.fileName}
                          </td>
                          <td className="px-2 py-1">
                            <LabelBadge label={s.label} />
                          </td>
                          <td className={`px-2 py-1 text-right font-mono ${flipA ? "text-rose-700" : ""}`}>{formatScore(s.scoreA)}</td>
                          <td className={`px-2 py-1 text-right font-mono ${flipB ? "text-rose-700" : ""}`}>{formatScore(s.scoreB)}</td>
                          <td className="px-2 py-1 text-right font-mono text-xs">{formatScore(s.scoreB - s.scoreA)}</td>
                        </tr>
                      );
                    })}
                </tbody>
              </table>
            </div>
          </div>
        )}
      </CardBody>
    </Card>
  );
}
