// Recipe ids and model keys (legacy §1.0 cross-cutting rules).
import { z } from "zod";
import { RecipeIdError } from "../errors.ts";
import { fnv1a32Hex } from "../math/hash.ts";

export const RECIPE_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;
export const DEFAULT_RECIPE_ID = "default";
export const RESERVED_RECIPE_IDS: readonly string[] = ["last"];

/** The exact legacy error strings (the WPF client shows them). */
export function reservedRecipeIdMessage(id: string): string {
  return `Invalid recipe_id '${id}': value is reserved. Use an explicit recipe name (e.g. 'default' or a real recipe id).`;
}
export function invalidRecipeIdMessage(id: string): string {
  return `Invalid recipe_id '${id}'. Allowed: [a-z0-9][a-z0-9_-]{0,63}.`;
}

/** Python's str.strip(): Unicode whitespace at both ends. */
function pyStrip(s: string): string {
  return s.replace(/^[\s\u001c-\u001f\u0085]+|[\s\u001c-\u001f\u0085]+$/gu, "");
}

/**
 * Legacy recipe resolution: strip, lowercase, empty (or null/undefined) → "default"; "last" is reserved; the
 * result must match ^[a-z0-9][a-z0-9_-]{0,63}$. Throws RecipeIdError with the legacy message.
 */
export function normaliseRecipeId(raw: string | null | undefined): string {
  if (raw === null || raw === undefined) return DEFAULT_RECIPE_ID;
  const id = pyStrip(String(raw)).toLowerCase();
  if (id === "") return DEFAULT_RECIPE_ID;
  if (RESERVED_RECIPE_IDS.includes(id)) throw new RecipeIdError(reservedRecipeIdMessage(id), id);
  if (!RECIPE_ID_PATTERN.test(id)) throw new RecipeIdError(invalidRecipeIdMessage(id), id);
  return id;
}

/** A normalised, valid recipe id (input is normalised first: " Default " → "default"). */
export const RecipeIdSchema = z
  .string()
  .transform((raw, ctx) => {
    try {
      return normaliseRecipeId(raw);
    } catch (e) {
      ctx.addIssue({ code: "custom", message: (e as Error).message });
      return z.NEVER;
    }
  });

/** Maximum length kept from a layout name before the hash suffix. */
const SAFE_PREFIX = 56;

/**
 * A stable, valid recipe id for any layout name (the WPF client sends names like "Layout 2" or "línea.A",
 * which the legacy rules reject): accents folded to ASCII, lowercased, every run of characters outside
 * [a-z0-9_-] replaced by "_", leading/trailing "_" trimmed, at most 56 characters. When the result differs from
 * the lowercased, stripped name, "_" + 6 hex digits of FNV-1a(lowercased stripped name) are appended so that different names
 * cannot collide. A name that is already valid is returned unchanged (lowercased); "last" gets the suffix.
 */
export function safeRecipeIdFromLayoutName(name: string): string {
  const stripped = pyStrip(name).toLowerCase();
  if (stripped === "") return DEFAULT_RECIPE_ID;
  if (RECIPE_ID_PATTERN.test(stripped) && !RESERVED_RECIPE_IDS.includes(stripped)) return stripped;
  const folded = stripped
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/ß/g, "ss")
    .replace(/[æ]/g, "ae")
    .replace(/[œ]/g, "oe")
    .replace(/[ø]/g, "o")
    .replace(/[đð]/g, "d")
    .replace(/[ł]/g, "l")
    .replace(/[ı]/g, "i")
    .toLowerCase();
  let body = folded.replace(/[^a-z0-9_-]+/g, "_").replace(/^[_-]+/, "").replace(/_+$/, "");
  body = body.slice(0, SAFE_PREFIX).replace(/_+$/, "");
  const suffix = fnv1a32Hex(stripped).slice(0, 6);
  return body === "" ? `r_${suffix}` : `${body}_${suffix}`;
}

/** Legacy on-disk model key: [^A-Za-z0-9._-] → "_", at most 80 characters, empty → "default". */
export function sanitizeModelKey(key: string | null | undefined): string {
  const s = (key ?? "").replace(/[^A-Za-z0-9._-]/gu, "_").slice(0, 80);
  return s === "" ? DEFAULT_RECIPE_ID : s;
}

/**
 * The id rule of role ids, ROI ids and model keys, at every door (legacy REST, tRPC, import): 1–64 characters of
 * ASCII letters, digits, '.', '_' and '-', starting with a letter or digit. What the WPF client sends passes
 * ("Inspection", "Master1", "inspection-1"; contract §2.4); path separators, "..", NUL bytes, spaces and long text do
 * not — ids are data, but they name folders of the legacy layout on import/export and columns of logs and CSVs.
 */
export const NAME_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const NAME_ID_RULE = "1-64 characters: letters, digits, '.', '_' or '-', starting with a letter or digit";

/** Why `value` is not a valid role / ROI id or model key (null when it is). `field` names it in the message. */
export function nameIdProblem(field: string, value: unknown): string | null {
  if (typeof value !== "string") return `${field} must be a string`;
  if (NAME_ID_PATTERN.test(value)) return null;
  const shown = value.length > 40 ? `${JSON.stringify(value.slice(0, 40))}… (${value.length} characters)` : JSON.stringify(value);
  return `invalid ${field} ${shown.replace(/\\u0000/g, "\\0")}: ${NAME_ID_RULE}`;
}

/** zod form of the id rule (tRPC inputs). */
export const NameIdSchema = z.string().trim().regex(NAME_ID_PATTERN, `must be ${NAME_ID_RULE}`);
