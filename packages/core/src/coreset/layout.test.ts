import { test } from "node:test";
import assert from "node:assert/strict";
import { cellDistance, layoutForShare, positionalBankSize, registrationShare, POSITIONAL_BANK_CAP, REGISTERED_SHARE } from "./layout.ts";
import { InvalidInputError } from "../errors.ts";

test("cellDistance: Chebyshev distance between row-major cells", () => {
  assert.equal(cellDistance(0, 0, 10), 0);
  assert.equal(cellDistance(0, 11, 10), 1); // (0,0) → (1,1)
  assert.equal(cellDistance(5, 52, 10), 5); // (0,5) → (5,2)
  assert.equal(cellDistance(9, 10, 10), 9, "the next row's first cell is not a neighbour of the row's last");
});

test("registrationShare: the share of nearest patches within the radius", () => {
  const g = 10;
  // queries at (2,2), (5,5), (8,8), (0,9); nearest at (2,4), (5,8), (8,8), (9,0)
  const q = [22, 55, 88, 9], nn = [24, 58, 88, 90];
  assert.equal(registrationShare(q, nn, g, 2), 0.5);
  assert.equal(registrationShare(q, nn, g, 3), 0.75);
  assert.equal(registrationShare(q, nn, g, 0), 0.25);
  assert.equal(registrationShare([], [], g), 0);
  assert.throws(() => registrationShare([1], [], g), InvalidInputError);
  assert.throws(() => registrationShare([1], [1], g, 1.5), InvalidInputError);
});

test("layoutForShare: positional only above the registered share", () => {
  assert.equal(layoutForShare(0.95), "positional");
  assert.equal(layoutForShare(REGISTERED_SHARE), "global");
  assert.equal(layoutForShare(0.07), "global");
  assert.equal(layoutForShare(Number.NaN), "global");
});

test("positionalBankSize: 2 picks per cell and fold, under the cap for a 512 × 208 crop, over it for a square one", () => {
  assert.equal(positionalBankSize(3840, 5), 38_400);
  assert.ok(positionalBankSize(3840, 5) <= POSITIONAL_BANK_CAP);
  assert.ok(positionalBankSize(96 * 96, 5) > POSITIONAL_BANK_CAP);
  assert.equal(positionalBankSize(100, 3), 600);
});
