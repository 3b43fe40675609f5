import { test } from "node:test";
import assert from "node:assert/strict";
import {
  normaliseRecipeId,
  RecipeIdSchema,
  safeRecipeIdFromLayoutName,
  sanitizeModelKey,
  RECIPE_ID_PATTERN,
  reservedRecipeIdMessage,
  invalidRecipeIdMessage,
} from "./ids.ts";
import {
  LabelSchema,
  DecisionSchema,
  SampleSourceSchema,
  ReviewStatusSchema,
  CoresetRateSchema,
  MmPerPxSchema,
  ThresholdSchema,
  CalibrationRuleSchema,
  decide,
} from "./common.ts";
import { RecipeIdError, DomainError, ShapeError, InvalidInputError, isDomainError } from "../errors.ts";

test("normaliseRecipeId: strip, lowercase, empty → default, valid pattern", () => {
  assert.equal(normaliseRecipeId(undefined), "default");
  assert.equal(normaliseRecipeId(null), "default");
  assert.equal(normaliseRecipeId(""), "default");
  assert.equal(normaliseRecipeId("   "), "default");
  assert.equal(normaliseRecipeId("  Recipe_A-1 \n"), "recipe_a-1");
  assert.equal(normaliseRecipeId("DEFAULT"), "default");
  assert.equal(normaliseRecipeId("a".repeat(64)), "a".repeat(64));
});

test("normaliseRecipeId: the exact legacy error messages", () => {
  assert.throws(
    () => normaliseRecipeId(" LAST "),
    (e: unknown) =>
      e instanceof RecipeIdError &&
      e.code === "invalid_recipe_id" &&
      e.message === "Invalid recipe_id 'last': value is reserved. Use an explicit recipe name (e.g. 'default' or a real recipe id).",
  );
  for (const [raw, shown] of [
    ["Layout 2", "layout 2"],
    ["línea.A", "línea.a"],
    ["_x", "_x"],
    ["-x", "-x"],
    ["a".repeat(65), "a".repeat(65)],
  ]) {
    assert.throws(
      () => normaliseRecipeId(raw),
      (e: unknown) => e instanceof RecipeIdError && e.message === `Invalid recipe_id '${shown}'. Allowed: [a-z0-9][a-z0-9_-]{0,63}.`,
      raw,
    );
  }
  assert.equal(reservedRecipeIdMessage("last"), "Invalid recipe_id 'last': value is reserved. Use an explicit recipe name (e.g. 'default' or a real recipe id).");
  assert.equal(invalidRecipeIdMessage("a b"), "Invalid recipe_id 'a b'. Allowed: [a-z0-9][a-z0-9_-]{0,63}.");
});

test("RecipeIdSchema: normalises or reports the legacy message", () => {
  assert.equal(RecipeIdSchema.parse(" Foo "), "foo");
  const r = RecipeIdSchema.safeParse("last");
  assert.ok(!r.success);
  assert.match(r.error.issues[0]!.message, /value is reserved/);
});

test("safeRecipeIdFromLayoutName: stable, valid, readable ids for any layout name", () => {
  assert.equal(safeRecipeIdFromLayoutName("recipe-1"), "recipe-1");
  assert.equal(safeRecipeIdFromLayoutName("  Recipe-1 "), "recipe-1");
  assert.equal(safeRecipeIdFromLayoutName(""), "default");
  const names = ["Layout 2", "layout 2", "línea.A", "linea_a", "Línea A", "last", "  ..  ", "Ärger über Öl", "x".repeat(200), "x".repeat(201), "日本語"];
  const ids = names.map(safeRecipeIdFromLayoutName);
  for (const id of ids) assert.match(id, RECIPE_ID_PATTERN);
  assert.deepEqual(ids.map(safeRecipeIdFromLayoutName), ids); // valid ids map to themselves
  assert.deepEqual(names.map(safeRecipeIdFromLayoutName), ids); // stable
  assert.match(ids[0]!, /^layout_2_[0-9a-f]{6}$/);
  assert.equal(ids[0], ids[1]); // case-insensitive, like the legacy lookup
  assert.match(ids[2]!, /^linea_a_[0-9a-f]{6}$/);
  assert.equal(ids[3], "linea_a"); // already valid: unchanged
  assert.notEqual(ids[2], ids[4]); // "línea.A" and "Línea A" fold alike but stay distinct
  assert.match(ids[5]!, /^last_[0-9a-f]{6}$/);
  assert.match(ids[6]!, /^r_[0-9a-f]{6}$/);
  assert.match(ids[7]!, /^arger_uber_ol_[0-9a-f]{6}$/);
  assert.equal(ids[8]!.length, 63);
  assert.notEqual(ids[8], ids[9]);
  assert.match(ids[10]!, /^r_[0-9a-f]{6}$/);
  for (const id of ids) assert.doesNotThrow(() => normaliseRecipeId(id));
});

test("sanitizeModelKey: legacy on-disk rule", () => {
  assert.equal(sanitizeModelKey("inspection-1"), "inspection-1");
  assert.equal(sanitizeModelKey("ROI 1/ä.v2"), "ROI_1__.v2");
  assert.equal(sanitizeModelKey("a😀b"), "a_b");
  assert.equal(sanitizeModelKey(""), "default");
  assert.equal(sanitizeModelKey(undefined), "default");
  assert.equal(sanitizeModelKey("k".repeat(100)).length, 80);
});

test("enums and numeric contracts", () => {
  assert.ok(LabelSchema.safeParse("unlabeled").success);
  assert.ok(!LabelSchema.safeParse("OK").success);
  assert.ok(DecisionSchema.safeParse("ng").success);
  assert.ok(SampleSourceSchema.safeParse("legacy-upload").success);
  assert.ok(ReviewStatusSchema.safeParse("false_positive").success);
  assert.ok(CalibrationRuleSchema.safeParse("p99ok_x1.02").success);
  assert.ok(CoresetRateSchema.safeParse(1).success);
  assert.ok(CoresetRateSchema.safeParse(0.1).success);
  assert.ok(!CoresetRateSchema.safeParse(0).success);
  assert.ok(!CoresetRateSchema.safeParse(1.5).success);
  assert.ok(MmPerPxSchema.safeParse(0.2).success);
  const bad = MmPerPxSchema.safeParse(0);
  assert.ok(!bad.success);
  assert.equal(bad.error.issues[0]!.message, "mm_per_px must be > 0 and finite");
  assert.ok(!MmPerPxSchema.safeParse(Infinity).success);
  assert.ok(ThresholdSchema.safeParse(0).success);
  assert.ok(!ThresholdSchema.safeParse(-0.1).success);
  assert.equal(decide(0.5, 0.5), "ng");
  assert.equal(decide(0.49, 0.5), "ok");
});

test("errors: typed with stable codes", () => {
  const e = new ShapeError("bad", { field: "r" });
  assert.ok(e instanceof DomainError && e instanceof Error);
  assert.equal(e.code, "invalid_shape");
  assert.equal(e.name, "ShapeError");
  assert.deepEqual(e.details, { field: "r" });
  assert.equal(new InvalidInputError("x").code, "invalid_input");
  assert.ok(isDomainError(new RecipeIdError("m", "x")));
  assert.ok(!isDomainError(new Error("x")));
});
