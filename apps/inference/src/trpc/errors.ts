// The one mapping from the service's typed errors (services, db, engine, core) to tRPC error codes.
// Messages are kept (they say what is wrong); the original error stays as `cause` for the logs.
import { TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server";
import { ConflictError, DbError, MmPerPxConflictError, NotFoundError, ValidationError as DbValidationError } from "@bdi/db/errors";
import { DomainError } from "@bdi/core/errors";
import { EngineError } from "../engine/errors.ts";
import { ServiceError, storageFault, type ServiceErrorCode } from "../services/errors.ts";

const SERVICE_CODES: Record<ServiceErrorCode, TRPC_ERROR_CODE_KEY> = {
  bad_request: "BAD_REQUEST",
  validation: "BAD_REQUEST",
  invalid_image: "BAD_REQUEST",
  invalid_shape: "BAD_REQUEST",
  invalid_recipe: "BAD_REQUEST",
  invalid_mm_per_px: "BAD_REQUEST",
  mm_per_px_mismatch: "CONFLICT",
  not_fitted: "PRECONDITION_FAILED",
  calibration_missing: "PRECONDITION_FAILED",
  insufficient_ok_samples: "PRECONDITION_FAILED",
  no_ok_samples: "PRECONDITION_FAILED",
  no_images: "BAD_REQUEST",
  dataset_only: "PRECONDITION_FAILED",
  no_active_version: "PRECONDITION_FAILED",
  precondition: "PRECONDITION_FAILED",
  no_ng_samples: "PRECONDITION_FAILED",
  not_found: "NOT_FOUND",
  conflict: "CONFLICT",
  busy: "CONFLICT",
  payload_too_large: "PAYLOAD_TOO_LARGE",
  unauthorized: "UNAUTHORIZED",
  not_ready: "SERVICE_UNAVAILABLE",
  storage_full: "SERVICE_UNAVAILABLE", // tRPC has no 507
  storage_unavailable: "SERVICE_UNAVAILABLE",
};

const ENGINE_CODES: Record<EngineError["code"], TRPC_ERROR_CODE_KEY> = {
  bad_image: "BAD_REQUEST",
  image_too_large: "PAYLOAD_TOO_LARGE",
  bad_shape: "BAD_REQUEST",
  bank_mismatch: "PRECONDITION_FAILED",
  bank_invalid: "PRECONDITION_FAILED",
  no_samples: "PRECONDITION_FAILED",
  backbone_unavailable: "SERVICE_UNAVAILABLE",
};

/** The dashboard's wording of a service error (the legacy REST words them for the WPF client in ../legacy/errors.ts). */
function dashboardMessage(err: ServiceError): string {
  const d = err.details ?? {};
  switch (err.code) {
    case "not_fitted":
      return "This ROI has no fitted model yet: start a fit first.";
    case "calibration_missing":
      return "The active model version has no calibration: calibrate it (or save a threshold) first.";
    case "no_ok_samples":
    case "insufficient_ok_samples":
      return d.need !== undefined ? `Insufficient OK samples: need at least ${d.need}, found ${d.found}. Upload more OK crops first.` : err.message;
    case "no_active_version":
      return `${err.message}: start a fit first.`;
    default:
      return err.message;
  }
}

/** Maps any thrown value to a TRPCError (unknown errors → INTERNAL_SERVER_ERROR with a generic message). */
export function toTrpcError(err: unknown): TRPCError {
  if (err instanceof TRPCError) {
    // An unknown error wrapped by tRPC itself: map its cause.
    if (err.code === "INTERNAL_SERVER_ERROR" && err.cause && !(err.cause instanceof TRPCError)) {
      const mapped = toTrpcError(err.cause);
      return mapped.code === "INTERNAL_SERVER_ERROR" ? err : mapped;
    }
    return err;
  }
  const make = (code: TRPC_ERROR_CODE_KEY, message: string) => new TRPCError({ code, message, cause: err });
  if (err instanceof ServiceError) return make(SERVICE_CODES[err.code] ?? "BAD_REQUEST", dashboardMessage(err));
  if (err instanceof EngineError) return make(ENGINE_CODES[err.code] ?? "BAD_REQUEST", err.message);
  if (err instanceof DomainError) return make("BAD_REQUEST", err.message);
  if (err instanceof DbError) {
    if (err instanceof NotFoundError) return make("NOT_FOUND", err.message);
    if (err instanceof MmPerPxConflictError) return make("CONFLICT", err.message);
    if (err instanceof ConflictError) return make("CONFLICT", err.message);
    if (err instanceof DbValidationError) return make("BAD_REQUEST", err.message);
  }
  // Prisma: a row named in an update/delete is gone (raced with another request).
  if (err && typeof err === "object" && (err as { code?: unknown }).code === "P2025") {
    return make("NOT_FOUND", "The record was not found (it may have been removed meanwhile).");
  }
  const fault = storageFault(err);
  if (fault) return make(SERVICE_CODES[fault.code], fault.message);
  return new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: "Internal error", cause: err instanceof Error ? err : new Error(String(err)) });
}
