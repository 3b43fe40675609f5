import { JobListInputSchema } from "@bdi/core/dashboard/models";
import { viewerProcedure } from "../../trpc.ts";
import { jobDto } from "../../dto.ts";
import { services } from "../../helpers.ts";

/** Jobs kept by the service (queued, running and recently finished), newest first; fits from /fit_ok included. */
export const list = viewerProcedure.input(JobListInputSchema).query(({ ctx, input }) => {
  return services(ctx)
    .jobs.list({ roiKey: input.roiId, status: input.status })
    .sort((a, b) => b.createdAt - a.createdAt)
    .map(jobDto);
});
