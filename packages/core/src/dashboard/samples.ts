// Dataset curation inputs: list/filter, upload (FormData), relabel, soft delete/restore, notes, NG regions, bulk.
import { z } from "zod";
import {
  DateRangeSchema, IdSchema, MmPerPxTextSchema, NoteSchema, PageInputSchema, ReasonSchema, SampleLabelSchema,
  SampleSourceSchema,
} from "./common.ts";
import { NameIdSchema, RECIPE_ID_PATTERN } from "../schemas/ids.ts";

export const SampleListInputSchema = z
  .object({
    roiId: IdSchema,
    label: SampleLabelSchema.optional(),
    source: SampleSourceSchema.optional(),
    /** "exclude" (default): live samples; "only": the bin (soft-deleted); "include": both */
    deleted: z.enum(["exclude", "include", "only"]).default("exclude"),
  })
  .extend(DateRangeSchema.shape)
  .extend(PageInputSchema.shape);
export type SampleListInput = z.input<typeof SampleListInputSchema>;

const px = z.number().refine(Number.isFinite, "must be a finite number");
/** Ground-truth defect region in crop pixels: a rectangle or a polygon (≥ 3 points). */
export const NgRegionSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("rect"), x: px, y: px, w: px.refine((v) => v > 0, "w must be > 0"), h: px.refine((v) => v > 0, "h must be > 0") }),
  z.object({ kind: z.literal("polygon"), points: z.array(z.tuple([px, px])).min(3, "a polygon needs at least 3 points").max(1000) }),
]);
export type NgRegion = z.infer<typeof NgRegionSchema>;

/** Rejects regions outside a w×h crop (a point may lie on the border). Returns the first problem or null. */
export function ngRegionProblem(regions: readonly NgRegion[], w: number, h: number): string | null {
  for (let i = 0; i < regions.length; i++) {
    const r = regions[i]!;
    const pts: Array<[number, number]> = r.kind === "rect" ? [[r.x, r.y], [r.x + r.w, r.y + r.h]] : r.points;
    for (const [x, y] of pts) {
      if (x < 0 || y < 0 || x > w || y > h) return `regions[${i}] (${r.kind}) lies outside the ${w}x${h} px crop`;
    }
  }
  return null;
}

export const SampleSetNgRegionsInputSchema = z.object({
  id: IdSchema,
  /** [] or null clears them */
  regions: z.array(NgRegionSchema).max(200).nullable(),
});

export const SampleRelabelInputSchema = z.object({ id: IdSchema, label: SampleLabelSchema, reason: ReasonSchema.optional() });
export const SampleDeleteInputSchema = z.object({ id: IdSchema, reason: ReasonSchema.optional() });
export const SampleSetNoteInputSchema = z.object({ id: IdSchema, note: NoteSchema.nullable() });

export const SampleBulkInputSchema = z.discriminatedUnion("action", [
  z.object({ action: z.literal("relabel"), ids: z.array(IdSchema).min(1).max(500), label: SampleLabelSchema, reason: ReasonSchema.optional() }),
  z.object({ action: z.literal("delete"), ids: z.array(IdSchema).min(1).max(500), reason: ReasonSchema.optional() }),
  z.object({ action: z.literal("restore"), ids: z.array(IdSchema).min(1).max(500), reason: ReasonSchema.optional() }),
]);
export type SampleBulkInput = z.input<typeof SampleBulkInputSchema>;

/** The text fields of the upload form (besides the files). */
export const SampleUploadFieldsSchema = z
  .object({
    /** an existing ROI's row id … */
    roiId: IdSchema.optional(),
    /** … or recipe + role + roi name, created on first upload (recipe ids follow the legacy pattern) */
    recipeId: z.string().trim().regex(RECIPE_ID_PATTERN, "recipeId must match [a-z0-9][a-z0-9_-]{0,63}").optional(),
    roleId: NameIdSchema.optional(),
    roiName: NameIdSchema.optional(),
    label: SampleLabelSchema,
    mmPerPx: MmPerPxTextSchema.optional(),
    note: NoteSchema.optional(),
  })
  .superRefine((v, ctx) => {
    if (!v.roiId && !(v.recipeId && v.roleId && v.roiName))
      ctx.addIssue({ code: "custom", message: "give roiId, or recipeId + roleId + roiName for a new ROI", path: ["roiId"] });
  });

export const MAX_UPLOAD_FILES = 200;

/**
 * `samples.upload` input: a FormData with the fields of SampleUploadFieldsSchema and one or more `files` entries
 * (File / Blob). Parsed into { fields…, files: File[] }.
 */
export const SampleUploadFormSchema = z.instanceof(FormData).transform((fd, ctx) => {
  const text: Record<string, string> = {};
  for (const [k, v] of fd.entries()) if (typeof v === "string" && k !== "files") text[k] = v;
  const files = fd.getAll("files").filter((v): v is Exclude<typeof v, string> => typeof v !== "string");
  const parsed = SampleUploadFieldsSchema.safeParse(text);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.addIssue({ code: "custom", message: issue.message, path: issue.path as PropertyKey[] });
    return z.NEVER;
  }
  if (files.length === 0) {
    ctx.addIssue({ code: "custom", message: "add at least one image under the form field 'files'", path: ["files"] });
    return z.NEVER;
  }
  if (files.length > MAX_UPLOAD_FILES) {
    ctx.addIssue({ code: "custom", message: `at most ${MAX_UPLOAD_FILES} images per upload (got ${files.length})`, path: ["files"] });
    return z.NEVER;
  }
  return { ...parsed.data, files };
});
export type SampleUploadForm = z.output<typeof SampleUploadFormSchema>;
