// The String "enum" columns (SQLite has no enums) take core's values: the zod enums of @bdi/core/schemas/common are
// the one definition; here they are only checked at the repository boundary. Adding a value needs no migration.
import {
  DecisionSchema, InspectionSourceSchema, LabelSchema, ReviewStatusSchema, SampleSourceSchema,
  type Decision, type InspectionSource, type Label, type ReviewStatus, type SampleSource,
} from "@bdi/core/schemas/common";
import { ValidationError } from "./errors.ts";

export type SampleLabel = Label;
export type { Decision, InspectionSource, ReviewStatus, SampleSource };

export const SAMPLE_LABELS = LabelSchema.options;
export const SAMPLE_SOURCES = SampleSourceSchema.options;
export const DECISIONS = DecisionSchema.options;
export const INSPECTION_SOURCES = InspectionSourceSchema.options;
export const REVIEW_STATUSES = ReviewStatusSchema.options;

/** Runtime guard for values that arrive untyped (legacy form fields, imports). */
export function assertOneOf<T extends string>(what: string, allowed: readonly T[], value: string): asserts value is T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ValidationError(`invalid ${what} '${value}': expected one of ${allowed.join(", ")}`);
  }
}
