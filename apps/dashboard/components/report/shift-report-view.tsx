"use client";
import { SHIFTS, shiftWindow, type ShiftId } from "@bdi/core/dashboard/reports";
import { useQuery } from "@tanstack/react-query";
import { RoiSelect, RoiTitle, useRoiSelection, WithRoi, type RoiItem } from "@/components/roi/roi-select";
import { LineScores } from "@/components/fit/line-scores";
import { Button, inputClass } from "@/components/ui/button";
import { QueryState } from "@/components/ui/query-state";
import { Skeleton } from "@/components/ui/skeleton";
import { formatDateTime, formatPercent, formatScore } from "@/lib/format";
import { useTRPC, type RouterOutputs } from "@/lib/trpc";
import { useSearchParam } from "@/lib/use-search-param";

type Report = RouterOutputs["reports"]["shift"];

function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

/** The shift report page: ROI, day and shift in the address (a report can be linked), a printable area. */
export function ShiftReportView() {
  const selection = useRoiSelection();
  const [dateParam, setDate] = useSearchParam("date");
  const [shiftParam, setShift] = useSearchParam("shift");
  const date = dateParam && /^\d{4}-\d{2}-\d{2}$/.test(dateParam) ? dateParam : today();
  const shift = (SHIFTS.find((s) => s.id === shiftParam)?.id ?? "day") as ShiftId;
  return (
    <div className="space-y-4">
      <RoiTitle page="Shift report" roi={selection.roi} />
      <div className="flex flex-wrap items-end gap-3 print:hidden" data-testid="report-controls">
        <RoiSelect selection={selection} />
        <label className="inline-flex items-center gap-2 text-sm text-slate-600">
          <span className="font-medium">Day</span>
          <input type="date" className={inputClass} value={date} onChange={(e) => setDate(e.target.value || null)} data-testid="report-date" />
        </label>
        <label className="inline-flex items-center gap-2 text-sm text-slate-600">
          <span className="font-medium">Shift</span>
          <select className={`${inputClass} min-w-64`} value={shift} onChange={(e) => setShift(e.target.value)} data-testid="report-shift">
            {SHIFTS.map((s) => (
              <option key={s.id} value={s.id}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
        <Button variant="primary" onClick={() => window.print()} data-testid="report-print">
          Print / save as PDF
        </Button>
      </div>
      <WithRoi selection={selection}>{(roi) => <ReportBody key={`${roi.id}|${date}|${shift}`} roi={roi} date={date} shift={shift} />}</WithRoi>
    </div>
  );
}

function ReportBody({ roi, date, shift }: { roi: RoiItem; date: string; shift: ShiftId }) {
  const trpc = useTRPC();
  const { from, to } = shiftWindow(date, shift);
  const q = useQuery(trpc.reports.shift.queryOptions({ roiId: roi.id, from: from.toISOString(), to: to.toISOString() }));
  const label = SHIFTS.find((s) => s.id === shift)!.label;
  return (
    <QueryState query={q} loading={<Skeleton className="h-64 w-full" />} errorTitle="Could not build the report">
      {(r) => <ReportSheet r={r} roi={roi} title={label} />}
    </QueryState>
  );
}

function ReportSheet({ r, roi, title }: { r: Report; roi: RoiItem; title: string }) {
  const reviewedNg = r.review.confirmedNg + r.review.falsePositive;
  return (
    <article className="space-y-5 rounded-xl border border-slate-200 bg-white p-6 shadow-sm print:border-0 print:p-0 print:shadow-none" data-print-area data-testid="shift-report">
      <header className="border-b border-slate-200 pb-3">
        <h2 className="text-lg font-semibold text-slate-900">
          Shift report · {roi.roleId} / {roi.roiName} <span className="font-normal text-slate-500">(recipe {roi.recipeId})</span>
        </h2>
        <p className="text-sm text-slate-600" data-testid="report-window">
          {title}: {formatDateTime(r.from)} – {formatDateTime(r.to)} · printed {formatDateTime(new Date())}
        </p>
      </header>

      <section>
        <h3 className="text-sm font-semibold uppercase tracking-wide text-slate-500">Inspections</h3>
        <dl className="mt-2 grid grid-cols-2 gap-3 sm:grid-cols-4">
          <Figure label="Inspected" value={r.inspections.total} testId="report-total" />
          <Figure label="OK" value={r.inspections.ok} testId="report-ok" />
          <Figure label="NG" value={r.inspections.ng} testId="report-ng" />
          <Figure label="NG rate" value={formatPercent(r.inspections.ngRate)} testId="report-ng-rate" />
        </dl>
      </section>

      <section>
        <h3 className="text-sm font-semibold uppercase tracking-wide text-slate-500">Review outcomes</h3>
        <dl className="mt-2 grid grid-cols-2 gap-3 sm:grid-cols-5">
          <Figure label="NG confirmed" value={r.review.confirmedNg} testId="report-confirmed" />
          <Figure label="False positives" value={r.review.falsePositive} testId="report-false-positive" />
          <Figure label="Added to the dataset as OK" value={r.review.relabelledOk} testId="report-added-ok" />
          <Figure label="Added to the dataset as NG" value={r.review.relabelledNg} testId="report-added-ng" />
          <Figure label="Not reviewed yet" value={r.review.pending} testId="report-pending" />
        </dl>
        <p className="mt-2 text-sm text-slate-600">
          {reviewedNg > 0
            ? `Of the ${reviewedNg} verdicts "NG confirmed" or "false positive", ${r.review.falsePositive} (${formatPercent(r.review.falsePositive / reviewedNg)}) said false positive.`
            : "No inspection was confirmed NG or marked a false positive in this window."}
        </p>
      </section>

      <section data-testid="report-scores">
        <h3 className="text-sm font-semibold uppercase tracking-wide text-slate-500">Scores against the OK samples</h3>
        {r.scores ? (
          <LineScores scores={r.scores} threshold={r.current.threshold} />
        ) : (
          <p className="mt-2 text-sm text-slate-500">No active threshold: nothing to compare with.</p>
        )}
        <LineAlarms events={r.lineAlarms} />
      </section>

      <section>
        <h3 className="text-sm font-semibold uppercase tracking-wide text-slate-500">Threshold</h3>
        <p className="mt-2 text-sm text-slate-700" data-testid="report-threshold-start">
          In force when the window opened: <span className="font-mono">{formatScore(r.thresholdAtStart)}</span>
          {r.thresholdAtStart == null && " (none yet)"}. Now: <span className="font-mono">{formatScore(r.current.threshold)}</span>
          {r.current.versionNumber != null && ` on v${r.current.versionNumber}`}.
        </p>
        {r.thresholdChanges.length === 0 ? (
          <p className="mt-1 text-sm text-slate-500" data-testid="report-no-changes">
            No change of the threshold in this window.
          </p>
        ) : (
          <table className="mt-2 w-full text-sm" data-testid="report-changes">
            <thead className="text-left text-xs text-slate-500">
              <tr>
                <th className="py-1 pr-3">When</th>
                <th className="py-1 pr-3">Who</th>
                <th className="py-1 pr-3">What</th>
                <th className="py-1 pr-3 text-right">Threshold</th>
                <th className="py-1">Why</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {r.thresholdChanges.map((c, k) => (
                <tr key={k} data-testid="report-change">
                  <td className="whitespace-nowrap py-1 pr-3">{formatDateTime(c.at)}</td>
                  <td className="py-1 pr-3">{c.actor}</td>
                  <td className="py-1 pr-3" title={c.action}>
                    {c.action === "model_version.activate" ? `Version v${c.versionNumber ?? "?"} activated` : `Threshold saved${c.versionNumber != null ? ` for v${c.versionNumber}` : ""}`}
                  </td>
                  <td className="whitespace-nowrap py-1 pr-3 text-right font-mono">
                    {formatScore(c.fromThreshold)} → {formatScore(c.toThreshold)}
                  </td>
                  <td className="py-1 text-slate-600">{c.reason ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </article>
  );
}

function Figure({ label, value, testId }: { label: string; value: number | string; testId: string }) {
  return (
    <div className="rounded-lg border border-slate-200 px-3 py-2">
      <dt className="text-xs text-slate-500">{label}</dt>
      <dd className="text-xl font-semibold tabular-nums text-slate-900" data-testid={testId}>
        {value}
      </dd>
    </div>
  );
}

const WATCH_WORDS: Record<string, string> = {
  "promise:broken": "more false rejects than the calibration promised",
  "promise:kept": "the calibration's promise kept again",
  "shift:higher": "the line's crops scoring higher than the OK samples",
  "shift:lower": "the line's crops scoring lower than the OK samples",
  "shift:steady": "the line's scores like the OK samples again",
};

/** What the line watch reported during the window: alarms raised and cleared, as the audit log has them. */
function LineAlarms({ events }: { events: Array<{ at: string; kind: string; to: string | null; alarm: boolean }> }) {
  if (!events.length) {
    return (
      <p className="mt-2 text-sm text-slate-500" data-testid="report-no-alarms">
        The line watch raised no alarm in this window.
      </p>
    );
  }
  return (
    <ul className="mt-2 space-y-1 text-sm" data-testid="report-alarms">
      {events.map((e, k) => (
        <li key={k} data-testid="report-alarm" className={e.alarm ? "text-amber-800" : "text-slate-600"}>
          <span className="whitespace-nowrap">{formatDateTime(e.at)}</span> — {e.alarm ? "alarm: " : "cleared: "}
          {WATCH_WORDS[`${e.kind}:${e.to}`] ?? `${e.kind} ${e.to}`}
        </li>
      ))}
    </ul>
  );
}
