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
  | "not_ready"
  | "storage_full"
  | "storage_unavailable";

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

const FULL_CODES = new Set(["ENOSPC", "EDQUOT", "SQLITE_FULL", "EFBIG"]);
const UNAVAILABLE_CODES = new Set(["EACCES", "EPERM", "EROFS", "EIO", "ENOTDIR", "SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_IOERR"]);

/**
 * A disk or permission fault as the service's own error (507 / 503 for HTTP clients): a sentence an operator can act
 * on, never the raw `ENOSPC` text or a server path. null when `err` is not such a fault. Recognises Node's fs codes
 * (also those a compute process passes back) and SQLite's, by code or by SQLite's message.
 */
export function storageFault(err: unknown): ServiceError | null {
  if (err instanceof ServiceError || !err || typeof err !== "object") return null;
  const e = err as { code?: unknown; message?: unknown; cause?: unknown };
  const code = typeof e.code === "string" ? e.code : "";
  const msg = typeof e.message === "string" ? e.message : "";
  if (FULL_CODES.has(code) || /\b(ENOSPC|EDQUOT)\b|database or disk is full/i.test(msg))
    return new ServiceError("storage_full", "The server's disk is full: nothing was stored. Free space in the data folder (BDI_DATA_ROOT) and retry.");
  if (UNAVAILABLE_CODES.has(code) || /\b(EACCES|EPERM|EROFS)\b|attempt to write a readonly database|unable to open database file/i.test(msg))
    return new ServiceError("storage_unavailable", "The server cannot write to its data folder (permissions, read-only or failing disk): nothing was stored. Check BDI_DATA_ROOT and retry.");
  return e.cause && e.cause !== err ? storageFault(e.cause) : null;
}
