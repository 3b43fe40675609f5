// Shared helpers for the unit tests (not exported from the package index).
import { readFileSync } from "node:fs";
import assert from "node:assert/strict";

let cached: Record<string, any> | null = null;

/** Known answers computed with OpenCV / numpy / scipy by scripts/gen-reference-fixtures.py. */
export function reference(): Record<string, any> {
  cached ??= JSON.parse(readFileSync(new URL("./__fixtures__/reference.json", import.meta.url), "utf8")) as Record<string, any>;
  return cached;
}

/** Element-wise |a − b| ≤ tol (absolute), with the first offending index in the message. */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what = "values"): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (!(Math.abs(a - e) <= tol)) assert.fail(`${what}[${i}]: ${a} vs expected ${e} (tol ${tol})`);
  }
}
