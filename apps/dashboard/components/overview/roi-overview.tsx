"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { Badge, LabelBadge } from "@/components/ui/badge";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { ProgressBar } from "@/components/ui/progress-bar";
import { QueryState } from "@/components/ui/query-state";
import { Skeleton } from "@/components/ui/skeleton";
import { formatDateTime, formatPercent, formatScore } from "@/lib/format";
import { useTRPC, type RouterOutputs } from "@/lib/trpc";

type Overview = RouterOutputs["overview"];
type RoiRow = Overview["recipes"][number]["roles"][number]["rois"][number];

/** Recipes → roles → ROIs with dataset counts, active version, threshold, today's NG rate and the last inspections. */
export function RoiOverview() {
  const trpc = useTRPC();
  const q = useQuery(
    trpc.overview.queryOptions(
      { lastInspections: 3 },
      // Faster while a fit runs, so its progress and the new version show up; otherwise every 15 s.
      { refetchInterval: (query) => ((query.state.data?.activeJobs.length ?? 0) > 0 ? 2_000 : 15_000) },
    ),
  );
  return (
    <Card data-testid="stations">
      <CardHeader
        title="Recipes, roles and ROIs"
        description="OK/NG sample counts, active model version, calibration and threshold, today's NG rate and the last inspections per ROI."
        actions={
          q.data ? (
            <span className="text-sm text-slate-600" data-testid="today-summary">
              Today: {q.data.today.inspections} inspections · {q.data.today.ng} NG ({formatPercent(q.data.today.ngRate)})
            </span>
          ) : null
        }
      />
      <CardBody>
        <QueryState
          query={q}
          errorTitle="Could not load the overview"
          loading={<Skeleton className="h-32 w-full" />}
          isEmpty={(d) => d.recipes.every((r) => r.roles.length === 0)}
          empty={
            <EmptyState
              title="No recipe or ROI yet"
              description={
                <>
                  Start on{" "}
                  <Link href="/datasets" className="font-medium text-brand-700 underline">
                    Datasets
                  </Link>
                  : name a recipe, role and ROI and drop at least 10 OK crops (and a few NG ones) for it. Then fit a model on{" "}
                  <Link href="/fit" className="font-medium text-brand-700 underline">
                    Fit & calibrate
                  </Link>
                  . ROIs created by the legacy client appear here too.
                </>
              }
              testId="overview-empty"
            />
          }
        >
          {(d) => (
            <div className="space-y-6">
              {d.recipes.filter((rec) => rec.roles.length > 0).map((rec) => (
                <section key={rec.id} data-testid="recipe" data-recipe={rec.id}>
                  <h3 className="text-sm font-semibold text-slate-900">
                    Recipe <span className="font-mono">{rec.displayName}</span>
                    {rec.mmPerPx != null && <span className="ml-2 font-normal text-slate-500">{rec.mmPerPx} mm/px</span>}
                  </h3>
                  {rec.roles.map((role) => (
                    <div key={role.roleId} className="mt-2">
                      <h4 className="text-xs font-medium uppercase tracking-wide text-slate-500">Role {role.roleId}</h4>
                      <div className="mt-1 overflow-x-auto rounded-lg border border-slate-200">
                        <table className="min-w-full divide-y divide-slate-200 text-sm">
                          <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
                            <tr>
                              <th className="px-3 py-2">ROI</th>
                              <th className="px-3 py-2 text-right">OK / NG</th>
                              <th className="px-3 py-2">Model</th>
                              <th className="px-3 py-2 text-right">Threshold</th>
                              <th className="px-3 py-2 text-right">NG today</th>
                              <th className="hidden px-3 py-2 lg:table-cell">Last inspections</th>
                              <th className="px-3 py-2" />
                            </tr>
                          </thead>
                          <tbody className="divide-y divide-slate-100">
                            {role.rois.map((r) => (
                              <RoiRowView key={r.id} r={r} />
                            ))}
                          </tbody>
                        </table>
                      </div>
                    </div>
                  ))}
                </section>
              ))}
            </div>
          )}
        </QueryState>
      </CardBody>
    </Card>
  );
}

function RoiRowView({ r }: { r: RoiRow }) {
  const job = r.activeJobs[0];
  const q = `?roi=${encodeURIComponent(r.id)}`;
  return (
    <tr data-testid="roi-row" data-roi={r.roiName}>
      <td className="px-3 py-2 font-medium text-slate-900">
        <span className="font-mono">{r.roiName}</span>
        {r.mmPerPx != null && <span className="ml-1 text-xs font-normal text-slate-500">{r.mmPerPx} mm/px</span>}
      </td>
      <td className="px-3 py-2 text-right tabular-nums" data-testid="roi-counts">
        <span className="text-emerald-700">{r.counts.ok}</span> / <span className="text-rose-700">{r.counts.ng}</span>
        {r.counts.unlabeled > 0 && <span className="text-slate-500"> (+{r.counts.unlabeled})</span>}
      </td>
      <td className="px-3 py-2" data-testid="roi-model">
        {job ? (
          <div className="w-40">
            <ProgressBar value={job.progress} label={`Fitting · ${job.stage ?? job.status}`} testId="roi-job-progress" />
          </div>
        ) : r.activeModelVersion ? (
          <span className="inline-flex items-center gap-1.5">
            <Badge tone="brand">v{r.activeModelVersion.versionNumber}</Badge>
            {r.calibrated ? <Badge tone="ok">calibrated</Badge> : <Badge tone="warn">not calibrated</Badge>}
          </span>
        ) : (
          <Badge tone="warn">not fitted</Badge>
        )}
      </td>
      <td className="px-3 py-2 text-right font-mono tabular-nums" data-testid="roi-threshold">
        {formatScore(r.threshold)}
        {r.activeCalibration?.expectedFalseRejectRate != null && (
          <div className="text-xs font-sans text-slate-500">FRR {formatPercent(r.activeCalibration.expectedFalseRejectRate)}</div>
        )}
        {r.lineVerdict === "broken" && (
          <Link href={`/fit?roi=${r.id}`} className="font-sans" data-testid="roi-line-broken" title="The line rejects more good parts than this calibration promised">
            <Badge tone="ng">over promise</Badge>
          </Link>
        )}
        {r.lineVerdict === "kept" && (
          <Badge tone="ok" className="font-sans" data-testid="roi-line-kept">
            promise kept
          </Badge>
        )}
        {(r.lineScores === "higher" || r.lineScores === "lower") && (
          <Link
            href={`/fit?roi=${r.id}`}
            className="font-sans"
            data-testid="roi-line-shift"
            title="The line's last crops score unlike the OK samples this calibration was made from"
          >
            <Badge tone="warn">scores {r.lineScores}</Badge>
          </Link>
        )}
      </td>
      <td className="px-3 py-2 text-right tabular-nums">
        {r.today.inspections === 0 ? (
          <span className="text-slate-400">—</span>
        ) : (
          <>
            {formatPercent(r.today.ngRate)}
            <div className="text-xs text-slate-500">
              {r.today.ng} of {r.today.inspections}
            </div>
          </>
        )}
      </td>
      <td className="hidden px-3 py-2 lg:table-cell">
        {r.lastInspections.length === 0 ? (
          <span className="text-xs text-slate-400">none yet</span>
        ) : (
          <ul className="space-y-0.5">
            {r.lastInspections.map((i) => (
              <li key={i.id} className="flex items-center gap-2 text-xs">
                <LabelBadge label={i.decision} />
                <Link href={`/review?roi=${encodeURIComponent(r.id)}&inspection=${i.id}`} className="font-mono text-slate-600 hover:underline">
                  {formatScore(i.score)}
                </Link>
                <span className="text-slate-400">{formatDateTime(i.createdAt)}</span>
              </li>
            ))}
          </ul>
        )}
      </td>
      <td className="px-3 py-2 text-right text-xs">
        <div className="flex flex-wrap justify-end gap-x-2 gap-y-0.5">
          <Link className="text-brand-700 hover:underline" href={`/datasets${q}`}>Dataset</Link>
          <Link className="text-brand-700 hover:underline" href={`/fit${q}`}>Fit</Link>
          <Link className="text-brand-700 hover:underline" href={`/review${q}`}>Review</Link>
          <Link className="text-brand-700 hover:underline" href={`/models${q}`}>Models</Link>
        </div>
      </td>
    </tr>
  );
}
