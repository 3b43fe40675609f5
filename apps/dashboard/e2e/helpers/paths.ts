import path from "node:path";
import { mkdirSync } from "node:fs";

export const DASHBOARD_DIR = path.resolve(import.meta.dirname, "..", "..");
export const REPO_ROOT = path.resolve(DASHBOARD_DIR, "..", "..");
/** Screenshots and server logs of e2e runs (gitignored). */
export const RESULTS_DIR = path.join(DASHBOARD_DIR, "test-results");

export function resultsPath(...parts: string[]): string {
  const p = path.join(RESULTS_DIR, ...parts);
  mkdirSync(path.dirname(p), { recursive: true });
  return p;
}

/** A file-name-safe slug of a test name. */
export function slug(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 80);
}
