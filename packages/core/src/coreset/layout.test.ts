import { test } from "node:test";
import assert from "node:assert/strict";
import { cellDistance, cropKindForShare, cropKindOf, layoutForCrops, positionalBankSize, probeCellStep, registrationShare, POSITIONAL_BANK_CAP, POSITIONAL_RADIUS, REGISTERED_SHARE, REGISTRATION_PROBE_CELLS } from "./layout.ts";
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

test("cropKindForShare: registered only above the registered share", () => {
  assert.equal(cropKindForShare(0.95), "registered");
  assert.equal(cropKindForShare(REGISTERED_SHARE), "texture");
  assert.equal(cropKindForShare(0.07), "texture");
  assert.equal(cropKindForShare(Number.NaN), "texture");
});

test("layoutForCrops: the positional memory for registered crops whose picks fit its bound, else the global coreset", () => {
  assert.equal(layoutForCrops("registered", 3840, 5), "positional"); // a 512 × 208 crop at 768: 38,400 picks
  assert.equal(layoutForCrops("registered", 4096, 5), "positional"); // exactly the bound
  assert.equal(layoutForCrops("registered", 4097, 5), "global");
  assert.equal(layoutForCrops("registered", 9216, 5), "global"); // a square crop at 768: still read as registered
  assert.equal(layoutForCrops("texture", 100, 5), "global");
  assert.equal(layoutForCrops(undefined, 100, 5), "global");
});

test("cropKindOf: the probe's share where it ran, else what the layout implies", () => {
  assert.equal(cropKindOf({ layout: "global", registrationShare: 0.8 }), "registered"); // a large registered ROI
  assert.equal(cropKindOf({ layout: "global", registrationShare: 0.1 }), "texture");
  assert.equal(cropKindOf({ layout: "positional", registrationShare: 0.9 }), "registered");
  assert.equal(cropKindOf({ layout: "positional" }), "registered"); // asked for: positional holds registered crops
  assert.equal(cropKindOf({ layout: "positional", registrationShare: null }), "registered");
  assert.equal(cropKindOf({ layout: "global" }), undefined); // not probed: neither is known
  assert.equal(cropKindOf({}), undefined); // fitted before layouts existed
});

test("positionalBankSize: 2 picks per cell and fold, under the cap for a 512 × 208 crop, over it for a square one", () => {
  assert.equal(positionalBankSize(3840, 5), 38_400);
  assert.ok(positionalBankSize(3840, 5) <= POSITIONAL_BANK_CAP);
  assert.ok(positionalBankSize(96 * 96, 5) > POSITIONAL_BANK_CAP);
  assert.equal(positionalBankSize(100, 3), 600);
});

test("probeCellStep: every cell up to the probe's bound, an even share beyond, never sparser than the radius allows", () => {
  assert.equal(REGISTRATION_PROBE_CELLS, 4096);
  assert.equal(probeCellStep(0), 1);
  assert.equal(probeCellStep(3840), 1); // a 512 × 208 crop at 768: probed as before
  assert.equal(probeCellStep(4096), 1);
  assert.equal(probeCellStep(4097), 2);
  assert.equal(probeCellStep(6656), 2); // bsdata's crops at 1024
  assert.equal(probeCellStep(9216), 3); // a square crop at 768: 3,072 cells kept
  assert.equal(probeCellStep(128 * 128), 4); // a square crop at 1024
  assert.equal(probeCellStep(160 * 160), 2 * POSITIONAL_RADIUS + 1, "never sparser than one in any 5 neighbouring cells");
  assert.throws(() => probeCellStep(-1), InvalidInputError);
  assert.throws(() => probeCellStep(1.5), InvalidInputError);
});
