// Audit log inputs (the tRPC list and the CSV download share the filter).
import { z } from "zod";
import { DateRangeSchema, IdSchema, PageInputSchema } from "./common.ts";

const text = z.string().trim().min(1).max(200);

export const AuditFilterSchema = z
  .object({
    actor: text.optional(),
    /** exact action, e.g. "model_version.activate" */
    action: text.optional(),
    /** action prefix, e.g. "sample." */
    actionPrefix: text.optional(),
    entityType: text.optional(),
    entityId: text.optional(),
    requestId: text.optional(),
    /** events about one ROI (the ROI, its versions, calibrations and samples) */
    roiId: IdSchema.optional(),
  })
  .extend(DateRangeSchema.shape);

export const AuditListInputSchema = AuditFilterSchema.extend(PageInputSchema.shape).default({ limit: 50 });

/** The query string of GET /api/audit.csv (same filter; empty values ignored). */
export const AuditCsvQuerySchema = z.preprocess(
  (q) => (q && typeof q === "object" ? Object.fromEntries(Object.entries(q).filter(([, v]) => v !== "" && v !== undefined)) : q),
  AuditFilterSchema.extend({ maxRows: z.coerce.number().int().min(1).max(100_000).default(100_000) }),
);
