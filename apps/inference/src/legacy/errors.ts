// The one mapping from service errors to the legacy status codes and the four body shapes of contract §1.0:
//   A {"error","request_id","recipe_id"}   B {"detail":"…"}   C {"detail":{"error","request_id","recipe_id"}}
//   D {"detail":[{"loc","msg","type"}]} (FastAPI 422)
// The WPF client matches strings in /infer 400 bodies (§2.5), so the messages below are part of the contract.
import { ConflictError, DbError, MmPerPxConflictError, NotFoundError, ValidationError as DbValidationError } from "@bdi/db/errors";
import { DomainError } from "@bdi/core/errors";
import { EngineError } from "../engine/errors.ts";
import { ServiceError, ValidationError, storageFault } from "../services/errors.ts";

/** An absolute POSIX or Windows path inside an error message (quoted or not). */
const SERVER_PATH = /(?:\/|[A-Za-z]:\\)(?:[^\s'",:]+[\/\\])+[^\s'",:]*/g;

/** Legacy routes whose handled errors use shape A; every other route uses shape B. */
export type LegacyRoute =
  | "/health" | "/state" | "/manifest" | "/fit_ok" | "/calibrate_ng" | "/calibrate_dataset" | "/infer" | "/infer_dataset"
  | "/datasets/upload" | "/datasets/list" | "/datasets/file" | "/datasets/meta" | "/datasets/delete" | "/datasets/clear"
  | "/send_ng" | "/predict" | "/train/status" | "/metrics" | "other";

const SHAPE_A_ROUTES = new Set<LegacyRoute>(["/fit_ok", "/infer", "/calibrate_ng", "/send_ng", "/predict"]);

export type LegacyIds = { request_id: string; recipe_id: string };
export type LegacyErrorResponse = { status: number; body: unknown; headers?: Record<string, string> };

/** The exact "memory not fitted" text per route (the client matches "memoria no encontrada" / "ejecuta /fit_ok"). */
export function notFittedMessage(route: LegacyRoute): string {
  const target = route === "/infer_dataset" ? "/infer_dataset" : route === "/calibrate_dataset" ? "/calibrate_dataset" : "/infer";
  return `Memoria no encontrada. Ejecuta /fit_ok antes de ${target}.`;
}

/** The legacy client's text for a service error (the service's own message where the contract has no string). */
function legacyMessage(err: ServiceError, route: LegacyRoute): string {
  const d = err.details ?? {};
  switch (err.code) {
    case "not_fitted":
      return notFittedMessage(route);
    case "calibration_missing":
      return "calibration_missing";
    case "insufficient_ok_samples":
      return `Insufficient OK samples: need at least ${d.need}, found ${d.found}`;
    case "no_ok_samples":
      if (route === "/calibrate_ng") return "Se requiere al menos 1 score OK para calibrar";
      if (route === "/calibrate_dataset") return "No valid OK samples for calibration.";
      return "No OK dataset samples found";
    case "no_ng_samples":
      return "No NG samples available for calibration.";
    case "no_images":
      return "No images provided";
    case "dataset_only":
      return "Training only supported from dataset (use_dataset=true) in this deployment.";
    default:
      return err.message;
  }
}

export function toLegacyError(err: unknown, route: LegacyRoute, ids: LegacyIds): LegacyErrorResponse {
  const shapeA = SHAPE_A_ROUTES.has(route);
  const a = (status: number, error: string): LegacyErrorResponse => ({ status, body: { error, ...ids } });
  const b = (status: number, detail: string): LegacyErrorResponse => ({ status, body: { detail } });
  const ab = (status: number, msg: string) => (shapeA ? a(status, msg) : b(status, msg));
  const c = (status: number, error: string): LegacyErrorResponse => ({ status, body: { detail: { error, ...ids } } });

  if (err instanceof ValidationError) {
    return { status: 422, body: { detail: err.issues.map((i) => ({ type: i.type, loc: i.loc, msg: i.msg, input: i.input ?? null })) } };
  }
  if (err instanceof ServiceError) {
    const msg = legacyMessage(err, route);
    switch (err.code) {
      case "invalid_recipe":
        return c(400, msg);
      case "mm_per_px_mismatch":
        return c(409, msg);
      case "invalid_mm_per_px":
        return b(400, msg);
      case "not_found":
        return b(404, msg);
      case "payload_too_large":
        return b(413, msg);
      case "unauthorized":
        return { status: 401, body: { detail: msg }, headers: { "WWW-Authenticate": "ApiKey" } };
      case "not_ready":
      case "storage_unavailable":
        return ab(503, msg);
      case "storage_full":
        return ab(507, msg);
      case "conflict":
      case "busy":
        return ab(409, msg);
      default:
        return ab(400, msg);
    }
  }
  if (err instanceof EngineError) {
    switch (err.code) {
      case "image_too_large":
        return shapeA ? a(413, err.message) : b(413, err.message);
      case "bank_mismatch":
      case "bank_invalid":
        // An unusable memory bank is "not fitted" to the client, which then re-fits from its dataset (§2.4 #11).
        return ab(400, notFittedMessage(route));
      case "backbone_unavailable":
        return ab(503, err.message);
      default:
        return ab(400, err.message);
    }
  }
  if (err instanceof DomainError) {
    if (err.code === "invalid_recipe_id") return c(400, err.message);
    return ab(400, err.message);
  }
  if (err instanceof DbError) {
    if (err instanceof MmPerPxConflictError) return c(409, err.message);
    if (err instanceof NotFoundError) return b(404, err.message);
    if (err instanceof ConflictError) return ab(409, err.message);
    if (err instanceof DbValidationError) return ab(400, err.message);
  }
  const fault = storageFault(err);
  if (fault) return toLegacyError(fault, route, ids);
  // An unexpected error keeps its message for the client, without the server's absolute paths.
  const message = (err instanceof Error ? err.message : String(err)).replace(SERVER_PATH, "<server path>");
  return a(500, message || "Internal Server Error");
}
