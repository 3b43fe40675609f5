// The operator's name, kept in this browser and sent with every tRPC request as `x-actor` so audit events say who
// did what. Not authentication: the service has none yet.
const KEY = "bdi.operator";
const MAX = 64;

/**
 * Trimmed, at most 64 characters, printable Latin-1 only (an HTTP header value cannot carry other characters);
 * "" when nothing usable is left.
 */
export function normalizeOperatorName(raw: string): string {
  return raw
    .replace(/[^\u0020-\u007e\u00a0-\u00ff]/g, "")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, MAX)
    .trim();
}

export function getOperatorName(): string {
  if (typeof window === "undefined") return "";
  try {
    return normalizeOperatorName(window.localStorage.getItem(KEY) ?? "");
  } catch {
    return "";
  }
}

export function setOperatorName(name: string): string {
  const clean = normalizeOperatorName(name);
  try {
    if (clean) window.localStorage.setItem(KEY, clean);
    else window.localStorage.removeItem(KEY);
  } catch {
    // storage disabled: the name lasts for this page only
  }
  window.dispatchEvent(new Event("bdi-operator"));
  return clean;
}
