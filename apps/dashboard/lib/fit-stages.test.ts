import { test } from "node:test";
import assert from "node:assert/strict";
import { fitRemainingSeconds, fitStageName } from "./fit-stages.ts";

test("fitStageName: one wording per stage code, unknown codes shown as they are", () => {
  assert.equal(fitStageName("extract"), "Extracting features");
  assert.equal(fitStageName("calibrating"), fitStageName("calibrate"));
  assert.equal(fitStageName("something-new"), "something-new");
  assert.equal(fitStageName(null), "Running");
});

test("fitRemainingSeconds: a straight-line estimate once there is something to go on", () => {
  assert.equal(fitRemainingSeconds(10_000, 0.5), 10);
  assert.equal(fitRemainingSeconds(10_000, 0.02), null);
  assert.equal(fitRemainingSeconds(1000, 0.5), null);
  assert.equal(fitRemainingSeconds(10_000, 1), null);
});
