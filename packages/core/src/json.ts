// JSON text columns and fields: one tolerant reader (null / empty text is "no value").

/** JSON text → value (null for null/empty). */
export function parseJson<T = unknown>(text: string | null | undefined): T | null {
  return text == null || text === "" ? null : (JSON.parse(text) as T);
}
