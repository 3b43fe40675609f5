import { InspectionReviewInputSchema } from "@bdi/core/dashboard/inspections";
import { reviewerProcedure } from "../../trpc.ts";
import { inspectionDto } from "../../dto.ts";
import { services, who } from "../../helpers.ts";
import { reviewVerdict } from "../../../services/review.ts";

/** Confirm NG, mark a false positive, or reset to pending; with an optional note (audited, reviewer = actor). */
export const review = reviewerProcedure.input(InspectionReviewInputSchema).mutation(async ({ ctx, input }) => {
  const note = input.note === undefined ? undefined : input.note || null;
  const i = await reviewVerdict(services(ctx), { id: input.id, verdict: input.verdict, note }, who(ctx));
  return inspectionDto(i);
});
