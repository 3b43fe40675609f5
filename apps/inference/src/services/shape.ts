// ROI shape input (legacy `shape` form field, metas[i].shape_json): parsed and validated against the crop size,
// with a 400 that names the field (the original answered invalid shape JSON with a 500, §8 #8).
import { ShapeError } from "@bdi/core/errors";
import { parseShapeValue } from "@bdi/core/geometry/shape";
import type { RoiShape } from "@bdi/core/schemas/shape";
import { ServiceError } from "./errors.ts";

/** Decodes a shape given as JSON text (or an already-decoded object); `undefined` when absent. */
export function decodeShapeRaw(raw: unknown, what: string): unknown {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== "string") return raw;
  if (raw.trim() === "") return undefined;
  try {
    return JSON.parse(raw);
  } catch (e) {
    throw new ServiceError("invalid_shape", `${what} is not valid JSON: ${(e as Error).message}`);
  }
}

/** Parses and validates a shape for a w×h crop; returns the decoded raw value (undefined when absent). */
export function parseShapeText(raw: unknown, what: string, w: number, h: number): { raw: unknown; shape: RoiShape } | undefined {
  const decoded = decodeShapeRaw(raw, what);
  if (decoded === undefined) return undefined;
  try {
    return { raw: decoded, shape: parseShapeValue(decoded, w, h) };
  } catch (e) {
    if (e instanceof ShapeError) throw new ServiceError("invalid_shape", `${what}: ${e.message}`);
    throw e;
  }
}
