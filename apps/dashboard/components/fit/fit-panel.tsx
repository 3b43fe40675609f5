"use client";
import { skipToken, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import type { RoiItem } from "@/components/roi/roi-select";
import { Badge } from "@/components/ui/badge";
import { Button, inputClass } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { ErrorBanner } from "@/components/ui/error-banner";
import { MutationError } from "@/components/ui/mutation-error";
import { ProgressBar } from "@/components/ui/progress-bar";
import { ReasonDialog } from "@/components/ui/reason-dialog";
import { describeError } from "@/lib/errors";
import { fitRemainingSeconds, fitStageName } from "@/lib/fit-stages";
import { formatDuration, formatMs, formatScore } from "@/lib/format";
import { useTRPC, type RouterOutputs } from "@/lib/trpc";
import { useCan } from "@/lib/session-user";

type Job = RouterOutputs["jobs"]["list"][number];


/**
 * Starts a fit of the ROI from its live OK samples and follows it live: the progress bar is fed by the
 * `fit.progress` subscription (server-sent events), not by polling. A running fit (also one started by the legacy
 * client) is picked up when the page opens.
 */
export function FitPanel({ roi }: { roi: RoiItem }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const [jobId, setJobId] = useState<string | null>(null);
  const [coreset, setCoreset] = useState("");
  const jobs = useQuery(trpc.jobs.list.queryOptions({ roiId: roi.id }));
  // Attach to a fit already running for this ROI.
  useEffect(() => {
    if (jobId || !jobs.data) return;
    const running = jobs.data.find((j) => j.status === "running" || j.status === "queued");
    if (running) setJobId(running.id);
  }, [jobs.data, jobId]);
  const start = useMutation(trpc.fit.start.mutationOptions({ onSuccess: (j) => setJobId(j.id) }));
  // Fits are an engineer's (the service refuses anyone else; the controls are not offered).
  const canFit = useCan("engineer");
  const [last, setLast] = useState<Job | null>(null);
  const finished = useRef<string | null>(null);
  const sub = useSubscription(
    trpc.fit.progress.subscriptionOptions(jobId ? { jobId } : skipToken, {
      onData: (j) => {
        setLast(j);
        if ((j.status === "succeeded" || j.status === "failed") && finished.current !== j.id) {
          finished.current = j.id;
          void qc.invalidateQueries();
        }
      },
    }),
  );
  const job = last && last.id === jobId ? last : null;
  const running = !!job && (job.status === "queued" || job.status === "running");
  const [cancelling, setCancelling] = useState(false);
  const cancel = useMutation(trpc.fit.cancel.mutationOptions());
  const now = useTicker(running);
  const elapsedMs = job?.startedAt ? (job.finishedAt ? Date.parse(job.finishedAt) : now) - Date.parse(job.startedAt) : null;
  const remaining = job && elapsedMs != null && job.status === "running" ? fitRemainingSeconds(elapsedMs, job.progress) : null;
  const coresetRate = coreset.trim() ? Number(coreset) : undefined;
  const coresetBad = coresetRate !== undefined && !(coresetRate > 0 && coresetRate <= 1);

  return (
    <Card data-testid="fit-panel">
      <CardHeader
        title="Fit a new model version"
        description={
          <>
            From the ROI&apos;s live OK samples ({roi.counts.ok}). The new version is calibrated out-of-sample and becomes active when it is ready;
            the previous one stays available for rollback on{" "}
            <Link href={`/models?roi=${roi.id}`} className="text-brand-700 underline">
              Models
            </Link>
            .
          </>
        }
        actions={
          roi.activeVersionNumber != null ? (
            <Badge tone="brand" data-testid="active-version">
              active v{roi.activeVersionNumber}
            </Badge>
          ) : (
            <Badge tone="warn">no model yet</Badge>
          )
        }
      />
      <CardBody className="space-y-4">
        {!canFit && (
          <p className="text-sm text-slate-600" data-testid="fit-needs-engineer">
            Starting a fit needs the engineer role.
          </p>
        )}
        {canFit && <div className="flex flex-wrap items-end gap-3">
          <Button variant="primary" onClick={() => start.mutate({ roiId: roi.id, coresetRate })} disabled={start.isPending || running || coresetBad} data-testid="fit-start">
            {start.isPending ? "Starting…" : running ? "Fitting…" : "Start fit"}
          </Button>
          <label className="text-sm text-slate-600">
            <span className="block text-xs font-medium">Coreset rate (optional, 0–1]</span>
            <input className={`${inputClass} w-36`} value={coreset} onChange={(e) => setCoreset(e.target.value)} placeholder="service default" inputMode="decimal" />
          </label>
          {coresetBad && <span className="text-xs text-rose-700">must be a number in (0, 1]</span>}
        </div>}
        <MutationError error={start.error} title="The fit could not start" onDismiss={() => start.reset()} />
        <MutationError error={cancel.error} title="The fit could not be cancelled" onDismiss={() => cancel.reset()} />
        {jobId && !job && sub.status !== "error" && <ProgressBar label="Connecting to the job's progress stream…" testId="fit-progress" />}
        {sub.error && !job?.finishedAt && (
          <ErrorBanner title="Lost the progress stream" testId="fit-stream-error">
            {describeError(sub.error).message} The fit keeps running on the service; reload to reattach.
          </ErrorBanner>
        )}
        {job && (
          <div data-testid="fit-job" data-status={job.status}>
            {job.status === "succeeded" ? (
              <div className="rounded-lg border border-emerald-200 bg-emerald-50 px-4 py-3 text-sm text-emerald-900" data-testid="fit-done" role="status">
                <p className="font-semibold">
                  Version v{job.result?.versionNumber} is ready and active
                  {job.result?.durationMs != null && (
                    <span className="font-normal" title="Fit time: from the start of the fit to the new version's files written (the same number as on Models)">
                      {" "}
                      · fit time {formatMs(job.result.durationMs)}
                    </span>
                  )}
                </p>
                <p className="mt-0.5">
                  Memory bank {job.result?.coresetSize ?? "—"} of {job.result?.nEmbeddings ?? "—"} patch features.{" "}
                  {job.result?.threshold != null
                    ? `Threshold ${formatScore(job.result.threshold)} from the out-of-sample calibration.`
                    : `Not calibrated${job.result?.calibrationSkippedReason ? `: ${job.result.calibrationSkippedReason}` : ""}. Save a threshold below.`}
                </p>
              </div>
            ) : job.status === "failed" && job.stage === "cancelled" ? (
              <div className="rounded-lg border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900" data-testid="fit-cancelled" role="status">
                <p className="font-semibold">Fit cancelled{job.cancelledBy ? ` by ${job.cancelledBy}` : ""}</p>
                <p className="mt-0.5">
                  Nothing was activated:{" "}
                  {roi.activeVersionNumber != null ? `v${roi.activeVersionNumber} is still the active version.` : "the ROI still has no model."}
                </p>
              </div>
            ) : job.status === "failed" ? (
              <ErrorBanner title="The fit failed" testId="fit-failed">
                {job.error ?? job.message ?? "no reason given"}
              </ErrorBanner>
            ) : (
              <div className="space-y-2">
                <ProgressBar
                  value={job.status === "queued" ? null : job.progress}
                  label={fitStageName(job.status === "queued" ? "queued" : job.stage)}
                  detail={job.message ? `${job.message} done in this step` : undefined}
                  testId="fit-progress"
                />
                <div className="flex flex-wrap items-center justify-between gap-3 text-sm text-slate-600">
                  <span data-testid="fit-time">
                    {elapsedMs != null ? `Elapsed ${formatDuration(elapsedMs / 1000)}` : "Waiting to start"}
                    {remaining != null && ` · about ${formatDuration(Math.max(1, remaining))} left`}
                  </span>
                  {canFit && (
                    <Button size="sm" variant="secondary" onClick={() => setCancelling(true)} disabled={cancel.isPending} data-testid="fit-cancel">
                      Cancel fit…
                    </Button>
                  )}
                </div>
              </div>
            )}
          </div>
        )}
      </CardBody>
      <ReasonDialog
        open={cancelling}
        title="Cancel this fit?"
        confirmLabel="Cancel the fit"
        danger
        onClose={() => setCancelling(false)}
        onConfirm={async (reason) => {
          if (jobId) await cancel.mutateAsync({ jobId, reason });
        }}
      >
        <p className="text-sm text-slate-600">
          The work done so far is discarded and nothing is activated; the ROI keeps{" "}
          {roi.activeVersionNumber != null ? `v${roi.activeVersionNumber}` : "having no model"}. The cancel is recorded in the audit log with your reason.
        </p>
      </ReasonDialog>
    </Card>
  );
}

/** The current time, re-read every second while `on` (for the elapsed time of a running fit). */
function useTicker(on: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!on) return;
    setNow(Date.now());
    const h = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(h);
  }, [on]);
  return now;
}
