import { FitCancelInputSchema } from "@bdi/core/dashboard/models";
import { engineerProcedure } from "../../trpc.ts";
import { services, who } from "../../helpers.ts";
import { cancelFit } from "../../../services/fit.ts";

/**
 * Cancels a queued or running fit: nothing is activated (the ROI keeps its version), the job ends as failed with
 * stage "cancelled", and the audit log gets a `fit.cancel` event. 404 for an unknown job, 409 for a finished one.
 */
export const cancel = engineerProcedure.input(FitCancelInputSchema).mutation(async ({ ctx, input }) => {
  return cancelFit(services(ctx), { jobId: input.jobId }, who(ctx, input.reason ?? null));
});
