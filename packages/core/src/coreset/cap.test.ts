import { test } from "node:test";
import assert from "node:assert/strict";
import { BANK_CAP, cappedCoresetRate } from "./cap.ts";
import { InvalidInputError } from "../errors.ts";

test("cappedCoresetRate: the rate until rate × patches reaches the cap, then cap / patches", () => {
  assert.equal(cappedCoresetRate(0.05, 100_000, 32_768), 0.05); // 5,000 vectors
  assert.equal(cappedCoresetRate(0.05, 655_360, 32_768), 0.05); // exactly the cap
  assert.equal(cappedCoresetRate(0.05, 2_700_000, 32_768), 32_768 / 2_700_000); // 400 near-square crops at 768
  assert.equal(cappedCoresetRate(0.1, 1_000_000) * 1_000_000, BANK_CAP);
  assert.equal(BANK_CAP, 16_384);
  assert.equal(cappedCoresetRate(1, 10_000_000, 32_768), 1, "memory_fit=true keeps every patch");
  assert.equal(cappedCoresetRate(0.1, 0), 0.1);
});

test("cappedCoresetRate: the bank stops growing with the training set", () => {
  const bank = (images: number) => Math.round(cappedCoresetRate(0.05, images * 6700, 32_768) * images * 6700);
  assert.equal(bank(50), 16_750);
  assert.equal(bank(100), 32_768);
  assert.equal(bank(400), 32_768);
});

test("cappedCoresetRate: refuses nonsense", () => {
  assert.throws(() => cappedCoresetRate(0, 10), InvalidInputError);
  assert.throws(() => cappedCoresetRate(NaN, 10), InvalidInputError);
  assert.throws(() => cappedCoresetRate(0.1, -1), InvalidInputError);
  assert.throws(() => cappedCoresetRate(0.1, 10, 0), InvalidInputError);
});
