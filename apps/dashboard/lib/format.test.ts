import { test } from "node:test";
import assert from "node:assert/strict";
import { formatDateTime, formatDuration, formatMs, formatPercent, formatScore } from "./format.ts";

test("durations", () => {
  assert.equal(formatDuration(0), "0s");
  assert.equal(formatDuration(75), "1m 15s");
  assert.equal(formatDuration(3720), "1h 2m");
  assert.equal(formatDuration(90000), "1d 1h");
  assert.equal(formatDuration(-1), "—");
  assert.equal(formatDuration(Number.NaN), "—");
});

test("milliseconds", () => {
  assert.equal(formatMs(850.4), "850 ms");
  assert.equal(formatMs(1234), "1.23 s");
  assert.equal(formatMs(12345), "12.3 s");
  assert.equal(formatMs(null), "—");
});

test("scores", () => {
  assert.equal(formatScore(0.123456), "0.1235");
  assert.equal(formatScore(12.3456), "12.35");
  assert.equal(formatScore(12345), "1.235e+4");
  assert.equal(formatScore(0.0001234), "1.234e-4");
  assert.equal(formatScore(0), "0.000");
  assert.equal(formatScore(undefined), "—");
});

test("percent and dates", () => {
  assert.equal(formatPercent(0.0234), "2.3%");
  assert.equal(formatPercent(null), "—");
  assert.equal(formatDateTime("not a date"), "—");
  assert.match(formatDateTime("2026-01-02T03:04:05Z", "en-GB"), /2026/);
});
