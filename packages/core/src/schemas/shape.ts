// ROI shape contracts (crop pixel coordinates), as the legacy client sends them in the `shape` form field.
import { z } from "zod";

const num = z.number(); // zod 4: rejects NaN and ±Infinity
const opt = num.nullish();

/** A fully specified ROI shape (every field present and finite). */
export const RectShapeSchema = z.object({ kind: z.literal("rect"), x: num, y: num, w: num, h: num });
export const CircleShapeSchema = z.object({ kind: z.literal("circle"), cx: num, cy: num, r: num });
export const AnnulusShapeSchema = z.object({ kind: z.literal("annulus"), cx: num, cy: num, r: num, r_inner: num });
export const RoiShapeSchema = z.discriminatedUnion("kind", [RectShapeSchema, CircleShapeSchema, AnnulusShapeSchema]);

export type RectShape = z.infer<typeof RectShapeSchema>;
export type CircleShape = z.infer<typeof CircleShapeSchema>;
export type AnnulusShape = z.infer<typeof AnnulusShapeSchema>;
export type RoiShape = z.infer<typeof RoiShapeSchema>;
export type RoiShapeKind = RoiShape["kind"];

/**
 * The legacy wire form: every numeric field may be missing (or null) and then takes its default from the
 * crop size (§3.7): rect x,y = 0, w,h = crop size; circle/annulus centre = crop centre, r = min(w,h)/2,
 * r_inner = 0. Unknown extra keys are ignored.
 */
export const RectShapeInputSchema = z.object({ kind: z.literal("rect"), x: opt, y: opt, w: opt, h: opt });
export const CircleShapeInputSchema = z.object({ kind: z.literal("circle"), cx: opt, cy: opt, r: opt });
export const AnnulusShapeInputSchema = z.object({ kind: z.literal("annulus"), cx: opt, cy: opt, r: opt, r_inner: opt });
export const RoiShapeInputSchema = z.discriminatedUnion("kind", [
  RectShapeInputSchema,
  CircleShapeInputSchema,
  AnnulusShapeInputSchema,
]);
export type RoiShapeInput = z.infer<typeof RoiShapeInputSchema>;
