import { test } from "node:test";
import assert from "node:assert/strict";
import { actionWords, auditValue } from "./audit-words.ts";

test("actionWords: known codes in words, unknown ones readable", () => {
  assert.equal(actionWords("calibration.create"), "Threshold saved");
  assert.equal(actionWords("fit.cancel"), "Fit cancelled");
  assert.equal(actionWords("user.set_role"), "User set role");
});

test("auditValue: short numbers, never 17 digits", () => {
  assert.equal(auditValue(0.12345678901234567), "0.1235");
  assert.equal(auditValue(42), "42");
  assert.equal(auditValue(null), "∅");
  assert.equal(auditValue("x".repeat(100)).length, 40);
});

test("ruleWords: calibration rules in words", async () => {
  const { ruleWords } = await import("./audit-words.ts");
  assert.match(ruleWords("midpoint_p99ok_p5ng"), /midway between/);
  assert.equal(ruleWords("something"), "something");
});

test("mapWords: how a version makes its map, for its card", async () => {
  const { mapWords } = await import("./audit-words.ts");
  assert.equal(mapWords(null), "—");
  assert.equal(mapWords({ normalised: false, baseline: "none", channelWeights: false, brightness: false }), "raw distances");
  assert.equal(mapWords({ normalised: true, baseline: "none", channelWeights: true, brightness: false }), "z-scores per grid cell, features weighted per channel");
  assert.equal(
    mapWords({ normalised: true, baseline: "none", channelWeights: true, brightness: true }),
    "z-scores per grid cell, crops at the ROI's brightness, features weighted per channel",
  );
  assert.equal(mapWords({ normalised: true, baseline: "crop-median", channelWeights: false, brightness: false }), "z-scores per grid cell, over the crop's own median");
});

test("scoreRuleWords: the version's image-score rule in words", async () => {
  const { scoreRuleWords } = await import("./audit-words.ts");
  assert.equal(scoreRuleWords("tail-mean", 99), "mean of the map's top 1 %");
  assert.equal(scoreRuleWords("tail-mean", 99.5), "mean of the map's top 0.5 %");
  assert.equal(scoreRuleWords("percentile", 99), "p99 of the map");
  assert.equal(scoreRuleWords(undefined, 95), "p95 of the map");
  assert.equal(scoreRuleWords("tail-mean", 99, "crop-median"), "mean of the map's top 1 %, over the crop's own median");
  assert.equal(scoreRuleWords("tail-mean", 99, "none"), "mean of the map's top 1 %");
  assert.equal(scoreRuleWords("tail-mean", 99, "none", true), "mean of the map's top 1 %; features weighted per channel");
  assert.equal(scoreRuleWords("tail-mean", 99, "crop-median", false), "mean of the map's top 1 %, over the crop's own median");
  assert.equal(scoreRuleWords("tail-mean", 99, "none", true, true), "mean of the map's top 1 %; crops at the ROI's brightness, features weighted per channel");
  assert.equal(scoreRuleWords("tail-mean", 99, "none", false, true), "mean of the map's top 1 %; crops at the ROI's brightness");
});
