import { test } from "node:test";
import assert from "node:assert/strict";
import { REVIEW_KEYS, reviewHotkeys, step } from "./review-keys.ts";

test("every documented key maps to its action, and no key is bound twice", () => {
  const seen: string[] = [];
  const map = reviewHotkeys((a) => seen.push(a));
  const keys = REVIEW_KEYS.flatMap((k) => k.keys);
  assert.equal(new Set(keys).size, keys.length);
  for (const k of ["j", "ArrowDown", "k", "n", "o", "N", "O", "h"]) map[k]!();
  assert.deepEqual(seen, ["next", "next", "prev", "confirmNg", "falsePositive", "addNg", "addOk", "toggleHeatmap"]);
});

test("next / previous stay inside the list", () => {
  assert.equal(step(-1, 1, 3), 0);
  assert.equal(step(-1, -1, 3), 2);
  assert.equal(step(2, 1, 3), 2);
  assert.equal(step(0, -1, 3), 0);
  assert.equal(step(1, 1, 3), 2);
  assert.equal(step(0, 1, 0), -1);
});
