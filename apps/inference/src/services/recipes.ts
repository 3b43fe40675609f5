// Recipe ids as the legacy API resolves them (contract §1.0), with the §8 #5 fix: a layout name outside the
// pattern (space, dot, accent…) maps to a stable safe id instead of failing every call, /health included.
// The rules themselves live in @bdi/core (normaliseRecipeId, safeRecipeIdFromLayoutName).
import { RecipeIdError, RESERVED_RECIPE_IDS, normaliseRecipeId, safeRecipeIdFromLayoutName } from "@bdi/core";

export type ResolvedRecipe = {
  /** the safe id ([a-z0-9][a-z0-9_-]{0,63}) */
  id: string;
  /** the name as the client sent it (case preserved), e.g. the WPF layout name; "default" when none */
  displayName: string;
  /** true when the raw name was outside the pattern and was mapped */
  mapped: boolean;
};

/** Throws RecipeIdError (legacy 400, shape C) only for the reserved `last`; any other name resolves. */
export function resolveLegacyRecipe(raw: string | undefined | null): ResolvedRecipe {
  const display = (raw ?? "").trim();
  try {
    const id = normaliseRecipeId(raw);
    return { id, displayName: display || id, mapped: false };
  } catch (e) {
    if (!(e instanceof RecipeIdError) || RESERVED_RECIPE_IDS.includes(e.recipeId)) throw e;
    return { id: safeRecipeIdFromLayoutName(display), displayName: display, mapped: true };
  }
}
