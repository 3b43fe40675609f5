// Typed domain errors of the service layer. Every operation throws one of these for a condition the caller can
// fix (bad input, missing fit, missing calibration, lock conflict…); anything else is a bug and maps to a 500.
// The mapping to the legacy REST status codes and body shapes lives in ../legacy/errors.ts (one place).

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

export const badRequest = (message: string, details?: Record<string, unknown>) =>
  new ServiceError("bad_request", message, details);
export const notFound = (message: string) => new ServiceError("not_found", message);

export function isServiceError(err: unknown): err is ServiceError {
  return err instanceof ServiceError;
}
