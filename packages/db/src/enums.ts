// Allowed values of the String "enum" columns (SQLite has no enums). Adding a value needs no migration.
import { ValidationError } from "./errors.ts";

export const SAMPLE_LABELS = ["ok", "ng", "unlabeled"] as const;
export type SampleLabel = (typeof SAMPLE_LABELS)[number];

export const SAMPLE_SOURCES = ["legacy-upload", "dashboard", "infer-capture", "import"] as const;
export type SampleSource = (typeof SAMPLE_SOURCES)[number];

export const MODEL_VERSION_STATUSES = ["building", "ready", "failed", "retired"] as const;
export type ModelVersionStatus = (typeof MODEL_VERSION_STATUSES)[number];

export const DECISIONS = ["ok", "ng"] as const;
export type Decision = (typeof DECISIONS)[number];

export const INSPECTION_SOURCES = ["legacy-infer", "dashboard-test", "infer-dataset"] as const;
export type InspectionSource = (typeof INSPECTION_SOURCES)[number];

export const REVIEW_STATUSES = ["pending", "confirmed_ng", "false_positive", "relabelled_ok", "relabelled_ng"] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];

/** Runtime guard for values that arrive untyped (legacy form fields, imports). */
export function assertOneOf<T extends string>(what: string, allowed: readonly T[], value: string): asserts value is T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ValidationError(`invalid ${what} '${value}': expected one of ${allowed.join(", ")}`);
  }
}
