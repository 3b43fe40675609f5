import { test } from "node:test";
import assert from "node:assert/strict";
import { createTestDb, TEST_CTX } from "../testing.ts";
import { MmPerPxConflictError, NotFoundError, ValidationError } from "../errors.ts";
import { findRecipe, getRecipe, listRecipes, lockRecipeMmPerPx, resolveRecipe, sameMmPerPx, setRecipeMmPerPx } from "./recipes.ts";
import { listAuditEvents } from "./audit.ts";

test("resolveRecipe creates a recipe once, keeps the display name, audits the creation", async () => {
  const t = await createTestDb();
  try {
    const a = await resolveRecipe(t.prisma, { id: "defaultlayout", displayName: "DefaultLayout" }, TEST_CTX);
    const b = await resolveRecipe(t.prisma, { id: "defaultlayout", displayName: "ignored" }, TEST_CTX);
    assert.equal(a.created, true);
    assert.equal(b.created, false);
    assert.equal(b.recipe.displayName, "DefaultLayout");
    assert.equal(a.recipe.mmPerPx, null);
    assert.deepEqual((await listRecipes(t.prisma)).map((r) => r.id), ["defaultlayout"]);
    const events = await listAuditEvents(t.prisma, { entityType: "Recipe" });
    assert.deepEqual(events.items.map((e) => [e.action, e.actor, e.requestId]), [["recipe.create", "test", "req-test"]]);
    await assert.rejects(resolveRecipe(t.prisma, { id: "Bad Name" }, TEST_CTX), ValidationError);
    await assert.rejects(resolveRecipe(t.prisma, { id: "" }, TEST_CTX), ValidationError);
    assert.equal(await findRecipe(t.prisma, "nope"), null);
    await assert.rejects(getRecipe(t.prisma, "nope"), NotFoundError);
  } finally {
    await t.cleanup();
  }
});

test("mm/px lock: first value locks, equal values pass, a different value is a typed conflict", async () => {
  const t = await createTestDb();
  try {
    await resolveRecipe(t.prisma, { id: "r1" }, TEST_CTX);
    const first = await lockRecipeMmPerPx(t.prisma, { recipeId: "r1", mmPerPx: 0.2 }, TEST_CTX);
    assert.ok(first.ok && first.lockedNow);
    assert.equal(first.recipe.mmPerPx, 0.2);
    assert.ok(first.recipe.mmPerPxLockedAt instanceof Date);

    const same = await lockRecipeMmPerPx(t.prisma, { recipeId: "r1", mmPerPx: 0.2 + 1e-8 }, TEST_CTX);
    assert.ok(same.ok && !same.lockedNow);

    const other = await lockRecipeMmPerPx(t.prisma, { recipeId: "r1", mmPerPx: 0.25 }, TEST_CTX);
    assert.equal(other.ok, false);
    if (other.ok) return;
    assert.ok(other.conflict instanceof MmPerPxConflictError);
    assert.equal(other.conflict.expected, 0.2);
    assert.equal(other.conflict.got, 0.25);
    assert.equal(other.conflict.message, "mm_per_px mismatch for recipe 'r1': expected 0.2, got 0.25");
    assert.equal((await getRecipe(t.prisma, "r1")).mmPerPx, 0.2, "a conflict changes nothing");

    const locks = await listAuditEvents(t.prisma, { action: "recipe.lock_mm_per_px" });
    assert.equal(locks.items.length, 1);

    await assert.rejects(lockRecipeMmPerPx(t.prisma, { recipeId: "r1", mmPerPx: 0 }, TEST_CTX), ValidationError);
    await assert.rejects(lockRecipeMmPerPx(t.prisma, { recipeId: "r1", mmPerPx: Number.NaN }, TEST_CTX), ValidationError);
    await assert.rejects(lockRecipeMmPerPx(t.prisma, { recipeId: "zz", mmPerPx: 0.2 }, TEST_CTX), NotFoundError);

    // Admin override: unlock, then the next value locks again.
    const unlocked = await setRecipeMmPerPx(t.prisma, { recipeId: "r1", mmPerPx: null }, { ...TEST_CTX, reason: "new lens" });
    assert.equal(unlocked.mmPerPx, null);
    const relock = await lockRecipeMmPerPx(t.prisma, { recipeId: "r1", mmPerPx: 0.25 }, TEST_CTX);
    assert.ok(relock.ok && relock.lockedNow);
    const [override] = (await listAuditEvents(t.prisma, { action: "recipe.set_mm_per_px" })).items;
    assert.equal(override!.reason, "new lens");
  } finally {
    await t.cleanup();
  }
});

test("sameMmPerPx uses the legacy relative tolerance", () => {
  assert.ok(sameMmPerPx(0.2, 0.2 + 5e-7));
  assert.ok(!sameMmPerPx(0.2, 0.2 + 2e-6));
  assert.ok(sameMmPerPx(1000, 1000 + 5e-4));
  assert.ok(!sameMmPerPx(1000, 1000 + 2e-3));
});
