"use client";
import { useQuery } from "@tanstack/react-query";
import { Badge, type Tone } from "@/components/ui/badge";
import { Stat } from "@/components/ui/stat";
import { formatDateTime, formatPercent, formatScore } from "@/lib/format";
import { useTRPC, type RouterOutputs } from "@/lib/trpc";
import { LineScores } from "./line-scores";

type Line = NonNullable<RouterOutputs["reports"]["line"]>;

const VERDICTS: Record<Line["verdict"], { tone: Tone; text: string }> = {
  kept: { tone: "ok", text: "promise kept" },
  broken: { tone: "ng", text: "more false rejects than promised" },
  open: { tone: "neutral", text: "too early to tell" },
};

/**
 * The active calibration's promise against the line: the false-reject rate it promised, and the one the line has shown
 * since, from the legacy client's inspections and what the reviewers said about them. NG calls not yet reviewed bound
 * the rate from both sides; the verdict needs both bounds' 95 % intervals on one side of "promised + 2 points". Below it,
 * the line's last crops' scores against the calibration's OK samples (`LineScores`).
 */
export function LinePromise({ roiId }: { roiId: string }) {
  const trpc = useTRPC();
  const q = useQuery(trpc.reports.line.queryOptions({ roiId }, { refetchInterval: 30_000 }));
  const r = q.data;
  if (!r) return null;
  const v = VERDICTS[r.verdict];
  const keptBelow = r.promised != null ? formatPercent(r.promised + r.tolerance) : "—";
  return (
    <div className="rounded-lg border border-slate-200 p-4" data-testid="line-promise" data-verdict={r.verdict}>
      <div className="flex flex-wrap items-center gap-2">
        <h3 className="text-sm font-semibold text-slate-900">On the line since this threshold</h3>
        <Badge tone={v.tone} data-testid="line-promise-verdict">
          {v.text}
        </Badge>
      </div>
      <p className="mt-1 text-xs text-slate-600">
        Threshold {formatScore(r.calibration.threshold)}{r.versionNumber != null ? ` (v${r.versionNumber})` : ""}, saved {formatDateTime(r.calibration.createdAt)}: promised
        {" "}{formatPercent(r.promised)} of good parts rejected. Inspections from the line only (the client&apos;s /infer; not the test uploads);
        OK calls nobody reviewed count as good parts.
      </p>
      <WatchAlarms watch={r.watch} />
      <dl className="mt-3 grid grid-cols-2 gap-4 text-sm md:grid-cols-4">
        <Stat label="Line inspections" value={String(r.inspections)} testId="line-inspections" />
        <Stat label="False rejects found" value={String(r.falseRejects)} hint={`of ${r.goodParts} good part${r.goodParts === 1 ? "" : "s"}`} testId="line-false-rejects" />
        <Stat
          label="NG calls to review"
          value={String(r.pendingNg)}
          hint={r.pendingNg ? "each one reviewed narrows the rate" : undefined}
          testId="line-pending"
          href={r.pendingNg ? `/review?roi=${roiId}` : undefined}
        />
        <Stat
          label="Realised false rejects"
          value={r.rateLow == null ? "—" : r.rateLow === r.rateHigh ? formatPercent(r.rateLow) : `${formatPercent(r.rateLow)}–${formatPercent(r.rateHigh)}`}
          hint={`${formatPercent(r.interval95.lower)}–${formatPercent(r.interval95.upper)} (95 %) against ≤ ${keptBelow}`}
          testId="line-rate"
        />
      </dl>
      {r.missesFound > 0 && (
        <p className="mt-2 text-xs text-rose-700" data-testid="line-misses">
          Reviewers found {r.missesFound} defect(s) among the OK calls: add them to the dataset as NG so that the calibration sees them.
        </p>
      )}
      {r.verdict === "broken" && (
        <p className="mt-2 text-xs text-slate-700">
          The line rejects more good parts than the calibration promised: the new crops differ from the OK samples it was fitted on. Add
          the false rejects to the dataset as OK (Review) and refit.
        </p>
      )}
      <LineScores scores={r.scores} threshold={r.calibration.threshold} />
    </div>
  );
}

/** The line watch's alarms in force (reported to the audit log and the alert webhook when they began). */
function WatchAlarms({ watch }: { watch: Line["watch"] }) {
  const alarms = [
    watch.promise === "broken" && { key: "promise", text: "more false rejects than promised", since: watch.promiseSince },
    (watch.shift === "higher" || watch.shift === "lower") && { key: "shift", text: `the line's crops scoring ${watch.shift} than the OK samples`, since: watch.shiftSince },
  ].filter((a): a is { key: string; text: string; since: string | null } => !!a);
  if (!alarms.length) return null;
  return (
    <ul className="mt-2 space-y-1 text-xs text-amber-800" data-testid="line-watch-alarms">
      {alarms.map((a) => (
        <li key={a.key} data-testid={`line-watch-${a.key}`}>
          Alarm since {a.since ? formatDateTime(a.since) : "—"}: {a.text}. The line watch reported it in the audit log (and to the
          {" "}alert webhook where one is set); it clears once the line is decidedly back.
        </li>
      ))}
    </ul>
  );
}
