import { TRPCError } from "@trpc/server";
import { JobProgressInputSchema } from "@bdi/core/dashboard/models";
import { viewerProcedure } from "../../trpc.ts";
import { jobDto, type JobDto } from "../../dto.ts";
import { isTerminal, services } from "../../helpers.ts";
import type { JobQueue, JobSnapshot } from "../../../resources/jobs.ts";

/** Snapshots of one job as it runs: the current one first, then one per progress event; ends when it finishes. */
async function* follow(jobs: JobQueue, jobId: string, signal: AbortSignal | undefined): AsyncGenerator<JobDto, void, unknown> {
  const queue: JobSnapshot[] = [];
  let wake: (() => void) | null = null;
  const onJob = (j: JobSnapshot) => {
    queue.push(j);
    wake?.();
  };
  const onAbort = () => wake?.();
  // Listen before reading the snapshot so that no event falls between the two.
  jobs.on(`job:${jobId}`, onJob);
  signal?.addEventListener("abort", onAbort);
  try {
    const first = jobs.get(jobId);
    if (!first) return;
    yield jobDto(first);
    if (isTerminal(first.status)) return;
    let lastProgress = first.progress;
    let lastStatus = first.status;
    while (!signal?.aborted) {
      if (queue.length === 0) {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
        continue;
      }
      const j = queue.shift()!;
      if (isTerminal(j.status)) {
        yield jobDto(j);
        return;
      }
      // Skip stale events (emitted before the first snapshot was read).
      const rank = (st: string) => (st === "queued" ? 0 : 1);
      if (rank(j.status) < rank(lastStatus) || (j.status === lastStatus && j.progress < lastProgress)) continue;
      lastProgress = j.progress;
      lastStatus = j.status;
      yield jobDto(j);
    }
  } finally {
    jobs.off(`job:${jobId}`, onJob);
    signal?.removeEventListener("abort", onAbort);
  }
}

/**
 * Live progress of a fit (or any job): a subscription streamed over server-sent events
 * (client: httpSubscriptionLink). Yields JobDto snapshots and completes when the job succeeds or fails.
 */
export const progress = viewerProcedure.input(JobProgressInputSchema).subscription(({ ctx, input, signal }) => {
  const jobs = services(ctx).jobs;
  if (!jobs.get(input.jobId))
    throw new TRPCError({ code: "NOT_FOUND", message: `job ${input.jobId} not found (finished jobs are kept for a while only)` });
  return follow(jobs, input.jobId, signal);
});
