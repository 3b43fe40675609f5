import { test } from "node:test";
import assert from "node:assert/strict";
import {
  brightnessTable, brightnessGain, BRIGHTNESS_REFERENCE_CROPS, MAX_BRIGHTNESS_GAIN, meanLevel, normalisesBrightness, referenceLevel, validBrightnessLevel,
} from "./brightness.ts";
import { InvalidInputError } from "../errors.ts";

test("meanLevel: the mean of every byte", () => {
  assert.equal(meanLevel(Uint8Array.from([0, 255])), 127.5);
  assert.equal(meanLevel(Uint8Array.from([10, 20, 30, 40, 50, 60, 70])), 40); // a tail past the 4-wide steps
  assert.equal(meanLevel(new Uint8Array(7).fill(200)), 200);
  assert.throws(() => meanLevel(new Uint8Array(0)), InvalidInputError);
});

test("referenceLevel: the median of the crops' levels (one washed-out crop does not move it)", () => {
  assert.equal(referenceLevel([135, 132, 210]), 135);
  assert.equal(referenceLevel([130, 140]), 135);
  assert.equal(referenceLevel([120, 130, 140, 250]), 135);
  assert.throws(() => referenceLevel([]), InvalidInputError);
  assert.throws(() => referenceLevel([130, Number.NaN]), InvalidInputError);
  assert.throws(() => referenceLevel([0]), InvalidInputError);
  assert.equal(BRIGHTNESS_REFERENCE_CROPS, 8);
});

test("brightnessGain: reference ÷ level, bounded both ways", () => {
  assert.equal(brightnessGain(150, 135), 0.9);
  assert.equal(brightnessGain(108, 135), 1.25);
  assert.equal(brightnessGain(10, 135), MAX_BRIGHTNESS_GAIN); // 13.5× is not a lamp: bounded
  assert.equal(brightnessGain(0, 135), MAX_BRIGHTNESS_GAIN); // a black crop
  assert.equal(brightnessGain(255, 20), 1 / MAX_BRIGHTNESS_GAIN);
  assert.throws(() => brightnessGain(100, 0), InvalidInputError);
  assert.throws(() => brightnessGain(100, 300), InvalidInputError);
  assert.throws(() => brightnessGain(Number.NaN, 135), InvalidInputError);
});

test("brightnessTable: scales, rounds and clips at white; the level then meets the reference", () => {
  const apply = (px: Uint8Array, gain: number) => { const t = brightnessTable(gain); for (let i = 0; i < px.length; i++) px[i] = t[px[i]!]!; };
  const px = Uint8Array.from([0, 10, 100, 200, 250]);
  apply(px, 1.25);
  assert.deepEqual([...px], [0, 13, 125, 250, 255]); // 12.5 rounds up; 312.5 clips
  const crop = Uint8Array.from({ length: 3000 }, (_, i) => 100 + (i % 41)); // mean 120
  const reference = 135;
  apply(crop, brightnessGain(meanLevel(crop), reference));
  assert.ok(Math.abs(meanLevel(crop) - reference) < 0.5, `level ${meanLevel(crop)}`);
  assert.deepEqual([...brightnessTable(1)], Array.from({ length: 256 }, (_, v) => v), "gain 1: every byte as it is");
  assert.deepEqual([...brightnessTable(0.5)].slice(0, 6), [0, 1, 1, 2, 2, 3]); // 0.5 and 1.5 and 2.5 round up
  assert.throws(() => brightnessTable(0), InvalidInputError);
  assert.throws(() => brightnessTable(Number.POSITIVE_INFINITY), InvalidInputError);
});

test("normalisesBrightness: registered ROIs only; validBrightnessLevel", () => {
  assert.equal(normalisesBrightness("registered"), true);
  assert.equal(normalisesBrightness("texture"), false);
  assert.equal(normalisesBrightness(undefined), false); // not probed
  assert.equal(validBrightnessLevel(135.2), true);
  assert.equal(validBrightnessLevel(255), true);
  for (const bad of [0, -1, 256, Number.NaN, Number.POSITIVE_INFINITY, "135", null, undefined]) assert.equal(validBrightnessLevel(bad), false, String(bad));
});
