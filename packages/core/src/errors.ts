// Typed domain errors. Each carries a stable machine-readable `code`; the service maps them once
// (legacy REST status + string, or tRPC error code). Messages say what is wrong with the input.

export type DomainErrorCode =
  | "invalid_input"
  | "invalid_shape"
  | "invalid_recipe_id"
  | "empty_scores";

export class DomainError extends Error {
  readonly code: DomainErrorCode;
  /** Optional structured details (field name, offending value…), safe to log. */
  readonly details?: Record<string, unknown>;
  constructor(code: DomainErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    if (details !== undefined) this.details = details;
  }
}

/** Bad arguments to a pure function (sizes that do not match, NaN where a number is required, …). */
export class InvalidInputError extends DomainError {
  constructor(message: string, details?: Record<string, unknown>) {
    super("invalid_input", message, details);
  }
}

/** An ROI `shape` that cannot be used: bad JSON, non-finite numbers, zero area, or entirely outside the crop. */
export class ShapeError extends DomainError {
  constructor(message: string, details?: Record<string, unknown>) {
    super("invalid_shape", message, details);
  }
}

/** A recipe id that the legacy rules reject. `message` is the exact legacy error string. */
export class RecipeIdError extends DomainError {
  readonly recipeId: string;
  constructor(message: string, recipeId: string) {
    super("invalid_recipe_id", message, { recipeId });
    this.recipeId = recipeId;
  }
}

/** Calibration without the scores it needs. `message` is the legacy string where one exists. */
export class EmptyScoresError extends DomainError {
  constructor(message: string, details?: Record<string, unknown>) {
    super("empty_scores", message, details);
  }
}

export function isDomainError(e: unknown): e is DomainError {
  return e instanceof DomainError;
}
