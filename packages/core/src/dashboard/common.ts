// Shared building blocks of the dashboard's tRPC inputs (apps/inference/src/trpc). Pure zod, no I/O.
// Ids are the database row ids (cuid strings). `roiId` in every dashboard input is the ROI's row id (`Roi.id`,
// as listed by `overview` / `rois.list`), never the legacy roi name.
import { z } from "zod";

/** A database row id: 1–64 characters of [A-Za-z0-9_-] (cuids, uuids). */
export const IdSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, "must be an id (1-64 characters: letters, digits, '_' or '-')");

// The value enums and numeric contracts are core's (schemas/common.ts), re-exported under the dashboard's names.
export {
  LabelSchema as SampleLabelSchema, BinaryLabelSchema, SampleSourceSchema, DecisionSchema, InspectionSourceSchema,
  ReviewStatusSchema, ThresholdSchema, CoresetRateSchema, MmPerPxSchema, ScorePercentileSchema, AreaMm2ThrSchema,
  type Label as SampleLabel,
} from "../schemas/common.ts";

/** Why an audited change was made: required for activations and thresholds. */
export const ReasonSchema = z
  .string()
  .trim()
  .min(3, "a reason of at least 3 characters is required")
  .max(500, "the reason is limited to 500 characters");

/** Optional free text note (null clears). */
export const NoteSchema = z.string().trim().max(2000, "notes are limited to 2000 characters");

/** An instant as ISO 8601 text (date-time with offset, or a plain date = its UTC midnight), parsed to a Date. */
export const DateInputSchema = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()])
  .transform((s) => new Date(s));

/** Cursor pagination: pass the previous page's `nextCursor`. */
export const PageInputSchema = z.object({
  cursor: IdSchema.nullish(),
  limit: z.number().int().min(1).max(500).default(50),
});

/** createdAt filter: `from` inclusive, `to` exclusive. */
export const DateRangeSchema = z.object({
  from: DateInputSchema.optional(),
  to: DateInputSchema.optional(),
});

export const ByIdSchema = z.object({ id: IdSchema });
export const RoiInputSchema = z.object({ roiId: IdSchema });

/** mm per pixel typed in a form field (FormData sends text): a finite number > 0. */
export const MmPerPxTextSchema = z
  .string()
  .trim()
  .transform((s, ctx) => {
    const v = Number(s);
    if (!Number.isFinite(v) || v <= 0) {
      ctx.addIssue({ code: "custom", message: "mm_per_px must be a number > 0" });
      return z.NEVER;
    }
    return v;
  });
