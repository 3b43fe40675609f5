// Overview input.
import { z } from "zod";
import { DateInputSchema } from "./common.ts";

export const OverviewInputSchema = z
  .object({
    /** start of "today" in the viewer's time zone (default: the server's local midnight) */
    since: DateInputSchema.optional(),
    /** last inspections listed per ROI (default 5) */
    lastInspections: z.number().int().min(0).max(50).default(5),
  })
  .default({ lastInspections: 5 });
