// Review queue inputs.
import { z } from "zod";
import {
  BinaryLabelSchema, DateRangeSchema, DecisionSchema, IdSchema, InspectionSourceSchema, NoteSchema, PageInputSchema,
  MmPerPxTextSchema, ReviewStatusSchema,
} from "./common.ts";

export const InspectionListInputSchema = z
  .object({
    roiId: IdSchema.optional(),
    recipeId: z.string().trim().min(1).max(64).optional(),
    decision: DecisionSchema.optional(),
    reviewStatus: ReviewStatusSchema.optional(),
    source: InspectionSourceSchema.optional(),
    minScore: z.number().optional(),
    maxScore: z.number().optional(),
    /** "uncertain": nearest to their threshold first (the ones a reviewer should look at first); default newest first */
    order: z.enum(["newest", "uncertain"]).optional(),
  })
  .extend(DateRangeSchema.shape)
  .extend(PageInputSchema.shape)
  .refine((v) => v.minScore === undefined || v.maxScore === undefined || v.minScore <= v.maxScore, {
    message: "minScore must be <= maxScore",
    path: ["minScore"],
  })
  .default({ limit: 50 });

/** A reviewer's verdict. "pending" clears the review. */
export const InspectionReviewInputSchema = z.object({
  id: IdSchema,
  verdict: z.enum(["confirmed_ng", "false_positive", "pending"]),
  note: NoteSchema.nullish(),
});

export const InspectionAddToDatasetInputSchema = z.object({
  id: IdSchema,
  label: BinaryLabelSchema,
  note: NoteSchema.optional(),
});

export const InspectionTestFieldsSchema = z.object({
  roiId: IdSchema,
  mmPerPx: MmPerPxTextSchema.optional(),
  /** "false": score the whole crop instead of the ROI's stored shape */
  useRoiShape: z.enum(["true", "false"]).default("true").transform((s) => s === "true"),
});

/** `inspections.testUpload` input: a FormData with roiId (+ mmPerPx, useRoiShape) and one image under `file`. */
export const InspectionTestUploadSchema = z.instanceof(FormData).transform((fd, ctx) => {
  const text: Record<string, string> = {};
  for (const [k, v] of fd.entries()) if (typeof v === "string") text[k] = v;
  const parsed = InspectionTestFieldsSchema.safeParse(text);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.addIssue({ code: "custom", message: issue.message, path: issue.path as PropertyKey[] });
    return z.NEVER;
  }
  const files = fd.getAll("file").filter((v): v is Exclude<typeof v, string> => typeof v !== "string");
  if (files.length !== 1) {
    ctx.addIssue({ code: "custom", message: `send exactly one image under the form field 'file' (got ${files.length})`, path: ["file"] });
    return z.NEVER;
  }
  return { ...parsed.data, file: files[0]! };
});
