// Recipes (product layouts) and the per-recipe mm/px lock of the legacy API.
import type { Recipe } from "../generated/prisma/client.ts";
import { MmPerPxConflictError, NotFoundError, ValidationError } from "../errors.ts";
import { appendAudit } from "./audit.ts";
import { inTx, type AuditCtx, type Queryable } from "./common.ts";

/** The legacy API's safe recipe id. */
export const RECIPE_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export function assertRecipeId(id: string): void {
  if (!RECIPE_ID_PATTERN.test(id)) throw new ValidationError(`Invalid recipe_id '${id}'. Allowed: [a-z0-9][a-z0-9_-]{0,63}.`);
}

export async function findRecipe(db: Queryable, id: string): Promise<Recipe | null> {
  return db.recipe.findUnique({ where: { id } });
}

export async function getRecipe(db: Queryable, id: string): Promise<Recipe> {
  const r = await findRecipe(db, id);
  if (!r) throw new NotFoundError("Recipe", id);
  return r;
}

export async function listRecipes(db: Queryable): Promise<Recipe[]> {
  return db.recipe.findMany({ orderBy: { id: "asc" } });
}

/** Returns the recipe, creating it on first use (the legacy service creates recipes implicitly). */
export async function resolveRecipe(
  db: Queryable,
  input: { id: string; displayName?: string },
  ctx: AuditCtx,
): Promise<{ recipe: Recipe; created: boolean }> {
  assertRecipeId(input.id);
  return inTx(db, async (tx) => {
    const existing = await tx.recipe.findUnique({ where: { id: input.id } });
    if (existing) return { recipe: existing, created: false };
    const recipe = await tx.recipe.create({ data: { id: input.id, displayName: input.displayName ?? input.id } });
    await appendAudit(tx, { action: "recipe.create", entityType: "Recipe", entityId: recipe.id, after: recipe }, ctx);
    return { recipe, created: true };
  });
}

/** Same tolerance as the legacy store: 1e-6 × max(1, |a|, |b|). */
export function sameMmPerPx(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));
}

export function assertMmPerPx(mmPerPx: number): void {
  if (!Number.isFinite(mmPerPx) || mmPerPx <= 0) throw new ValidationError("mm_per_px must be > 0 and finite");
}

export type MmPerPxLockResult =
  | { ok: true; recipe: Recipe; /** true when this call set the lock */ lockedNow: boolean }
  | { ok: false; conflict: MmPerPxConflictError };

/**
 * The first mm/px seen locks the recipe; a later different value is a conflict (legacy 409).
 * Returns the conflict instead of throwing so callers can map it to their own error shape.
 */
export async function lockRecipeMmPerPx(
  db: Queryable,
  input: { recipeId: string; mmPerPx: number },
  ctx: AuditCtx,
): Promise<MmPerPxLockResult> {
  assertMmPerPx(input.mmPerPx);
  return inTx(db, async (tx): Promise<MmPerPxLockResult> => {
    const recipe = await tx.recipe.findUnique({ where: { id: input.recipeId } });
    if (!recipe) throw new NotFoundError("Recipe", input.recipeId);
    if (recipe.mmPerPx !== null) {
      return sameMmPerPx(recipe.mmPerPx, input.mmPerPx)
        ? { ok: true, recipe, lockedNow: false }
        : { ok: false, conflict: new MmPerPxConflictError(recipe.id, recipe.mmPerPx, input.mmPerPx) };
    }
    const locked = await tx.recipe.update({
      where: { id: recipe.id },
      data: { mmPerPx: input.mmPerPx, mmPerPxLockedAt: new Date() },
    });
    await appendAudit(
      tx,
      { action: "recipe.lock_mm_per_px", entityType: "Recipe", entityId: recipe.id, before: recipe, after: locked },
      ctx,
    );
    return { ok: true, recipe: locked, lockedNow: true };
  });
}

/** Admin override of the lock (e.g. new optics): sets a new value, or null to unlock. Audited with a reason. */
export async function setRecipeMmPerPx(
  db: Queryable,
  input: { recipeId: string; mmPerPx: number | null },
  ctx: AuditCtx,
): Promise<Recipe> {
  if (input.mmPerPx !== null) assertMmPerPx(input.mmPerPx);
  return inTx(db, async (tx) => {
    const before = await tx.recipe.findUnique({ where: { id: input.recipeId } });
    if (!before) throw new NotFoundError("Recipe", input.recipeId);
    const after = await tx.recipe.update({
      where: { id: before.id },
      data: { mmPerPx: input.mmPerPx, mmPerPxLockedAt: input.mmPerPx === null ? null : new Date() },
    });
    await appendAudit(tx, { action: "recipe.set_mm_per_px", entityType: "Recipe", entityId: before.id, before, after }, ctx);
    return after;
  });
}
