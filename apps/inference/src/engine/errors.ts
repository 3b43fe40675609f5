// Typed engine errors. The REST and tRPC layers map them once (4xx for bad input, 503 for a missing backbone).
export type EngineErrorCode =
  | "bad_image"        // undecodable, empty, or not an image
  | "image_too_large"  // over the pixel or side limit
  | "bad_shape"        // ROI shape JSON invalid, zero-area or outside the crop
  | "bank_mismatch"    // memory bank from another backbone, grid or input size
  | "bank_invalid"     // artifact missing, truncated or inconsistent
  | "no_samples"       // fit/calibration without enough images
  | "backbone_unavailable";

export class EngineError extends Error {
  constructor(readonly code: EngineErrorCode, message: string, readonly details?: Record<string, unknown>) {
    super(message);
    this.name = "EngineError";
  }
  /** Suggested HTTP status for the REST/tRPC mapping. */
  get httpStatus(): number {
    switch (this.code) {
      case "image_too_large": return 413;
      case "bank_mismatch": return 409;
      case "bank_invalid": return 409;
      case "backbone_unavailable": return 503;
      default: return 400;
    }
  }
}

export class BadImageError extends EngineError { constructor(msg: string, d?: Record<string, unknown>) { super("bad_image", msg, d); this.name = "BadImageError"; } }
export class ImageTooLargeError extends EngineError { constructor(msg: string, d?: Record<string, unknown>) { super("image_too_large", msg, d); this.name = "ImageTooLargeError"; } }
export class BadShapeError extends EngineError { constructor(msg: string, d?: Record<string, unknown>) { super("bad_shape", msg, d); this.name = "BadShapeError"; } }
export class BankMismatchError extends EngineError { constructor(msg: string, d?: Record<string, unknown>) { super("bank_mismatch", msg, d); this.name = "BankMismatchError"; } }
export class BankInvalidError extends EngineError { constructor(msg: string, d?: Record<string, unknown>) { super("bank_invalid", msg, d); this.name = "BankInvalidError"; } }
export class NoSamplesError extends EngineError { constructor(msg: string, d?: Record<string, unknown>) { super("no_samples", msg, d); this.name = "NoSamplesError"; } }
export class BackboneUnavailableError extends EngineError { constructor(msg: string, d?: Record<string, unknown>) { super("backbone_unavailable", msg, d); this.name = "BackboneUnavailableError"; } }
