import { test } from "node:test";
import assert from "node:assert/strict";
import { spreadIndices } from "./spread.ts";
import { InvalidInputError } from "../errors.ts";

test("spreadIndices: the middle of equal runs, or every index", () => {
  assert.deepEqual(spreadIndices(160, 8), [10, 30, 50, 70, 90, 110, 130, 150]);
  assert.deepEqual(spreadIndices(5, 8), [0, 1, 2, 3, 4]);
  assert.deepEqual(spreadIndices(5, 5), [0, 1, 2, 3, 4]);
  assert.deepEqual(spreadIndices(3, 1), [1]);
  assert.deepEqual(spreadIndices(0, 8), []);
  assert.throws(() => spreadIndices(-1, 2), InvalidInputError);
  assert.throws(() => spreadIndices(4, 1.5), InvalidInputError);
});
