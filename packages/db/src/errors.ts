// Typed errors of the data layer. The service maps them once: to legacy status codes / strings, or to tRPC codes.

export class DbError extends Error {
  override name = "DbError";
}

/** A row that the caller named does not exist (→ 404 / NOT_FOUND). */
export class NotFoundError extends DbError {
  override name = "NotFoundError";
  constructor(
    readonly entity: string,
    readonly key: string,
  ) {
    super(`${entity} not found: ${key}`);
  }
}

/** The request contradicts the current state (→ 409 / CONFLICT). */
export class ConflictError extends DbError {
  override name = "ConflictError";
  constructor(
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** The recipe's mm/px is locked to another value (legacy: 409 "mm_per_px mismatch for recipe …"). */
export class MmPerPxConflictError extends ConflictError {
  override name = "MmPerPxConflictError";
  constructor(
    readonly recipeId: string,
    readonly expected: number,
    readonly got: number,
  ) {
    super(`mm_per_px mismatch for recipe '${recipeId}': expected ${expected}, got ${got}`, { recipeId, expected, got });
  }
}

/** Bad input that the type system could not catch, e.g. an unknown label (→ 400 / BAD_REQUEST). */
export class ValidationError extends DbError {
  override name = "ValidationError";
}

/** The database cannot be brought to the committed schema. */
export class MigrationError extends DbError {
  override name = "MigrationError";
}
