import { test } from "node:test";
import assert from "node:assert/strict";
import { normalizeOperatorName } from "./operator.ts";

test("operator names are trimmed and whitespace collapsed", () => {
  assert.equal(normalizeOperatorName("  Anna   Müller \n"), "Anna Müller");
});

test("characters a header cannot carry are dropped", () => {
  assert.equal(normalizeOperatorName("Łukasz\u0007"), "ukasz");
  assert.equal(normalizeOperatorName("\u0000\u0001"), "");
});

test("names are capped at 64 characters", () => {
  assert.equal(normalizeOperatorName("x".repeat(100)).length, 64);
});
