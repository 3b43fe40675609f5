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
import { describeError } from "@/lib/errors";
import { formatMs, formatScore } from "@/lib/format";
import { useTRPC, type RouterOutputs } from "@/lib/trpc";

type Job = RouterOutputs["jobs"]["list"][number];

const STAGES: Record<string, string> = { reading: "Reading the OK crops", extract: "Extracting features", coreset: "Building the memory bank", calibrate: "Calibrating out-of-sample" };

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
        <div className="flex flex-wrap items-end gap-3">
          <Button variant="primary" onClick={() => start.mutate({ roiId: roi.id, coresetRate })} disabled={start.isPending || running || coresetBad} data-testid="fit-start">
            {start.isPending ? "Starting…" : running ? "Fitting…" : "Start fit"}
          </Button>
          <label className="text-sm text-slate-600">
            <span className="block text-xs font-medium">Coreset rate (optional, 0–1]</span>
            <input className={`${inputClass} w-28`} value={coreset} onChange={(e) => setCoreset(e.target.value)} placeholder="service default" inputMode="decimal" />
          </label>
          {coresetBad && <span className="text-xs text-rose-700">must be a number in (0, 1]</span>}
        </div>
        <MutationError error={start.error} title="The fit could not start" onDismiss={() => start.reset()} />
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
                  {job.result?.durationMs != null && <span className="font-normal"> · fitted in {formatMs(job.result.durationMs)}</span>}
                </p>
                <p className="mt-0.5">
                  Memory bank {job.result?.coresetSize ?? "—"} of {job.result?.nEmbeddings ?? "—"} patch features.{" "}
                  {job.result?.threshold != null
                    ? `Threshold ${formatScore(job.result.threshold)} from the out-of-sample calibration.`
                    : `Not calibrated${job.result?.calibrationSkippedReason ? `: ${job.result.calibrationSkippedReason}` : ""}. Save a threshold below.`}
                </p>
              </div>
            ) : job.status === "failed" ? (
              <ErrorBanner title="The fit failed" testId="fit-failed">
                {job.error ?? job.message ?? "no reason given"}
              </ErrorBanner>
            ) : (
              <ProgressBar
                value={job.status === "queued" ? null : job.progress}
                label={job.status === "queued" ? "Queued" : (STAGES[job.stage ?? ""] ?? job.stage ?? "Running")}
                detail={job.message ?? undefined}
                testId="fit-progress"
              />
            )}
          </div>
        )}
      </CardBody>
    </Card>
  );
}
