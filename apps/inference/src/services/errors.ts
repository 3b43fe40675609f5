// Typed domain errors of the service layer. Every use case throws one of these for a condition the caller can fix
// (bad input, missing fit, missing calibration, lock conflict…); anything else is a bug and maps to a 500.
// The message says what is wrong in plain terms; no client's wording lives here: ../legacy/errors.ts words them for
// the WPF client (status codes, body shapes, its strings), ../trpc/errors.ts for the dashboard.

export type ServiceErrorCode =
  | "bad_request"
  | "validation"
  | "invalid_image"
  | "invalid_shape"
  | "invalid_recipe"
  | "invalid_mm_per_px"
  | "mm_per_px_mismatch"
  | "not_fitted"
  | "calibration_missing"
  | "insufficient_ok_samples"
  | "no_ok_samples"
  | "no_images"
  | "dataset_only"
  | "no_active_version"
  | "precondition"
  | "no_ng_samples"
  | "not_found"
  | "conflict"
  | "busy"
  | "payload_too_large"
  | "unauthorized"
  | "not_ready";

export class ServiceError extends Error {
  readonly code: ServiceErrorCode;
  /** Extra machine-readable facts (counts, expected/actual values); never shown instead of the message. */
  readonly details?: Record<string, unknown>;
  constructor(code: ServiceErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = "ServiceError";
    this.code = code;
    this.details = details;
  }
}

/** One invalid field, in the terms of FastAPI's 422 body (legacy shape D). */
export type FieldIssue = { loc: (string | number)[]; msg: string; type: string; input?: unknown };

/** Missing or unparsable request field (legacy 422, shape D). */
export class ValidationError extends ServiceError {
  readonly issues: FieldIssue[];
  constructor(issues: FieldIssue[]) {
    super("validation", issues.map((i) => `${i.loc.join(".")}: ${i.msg}`).join("; "));
    this.name = "ValidationError";
    this.issues = issues;
  }
}
