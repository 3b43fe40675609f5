// createDb: file resolution, migrations at open, pragmas, and the transaction gate.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import Database from "better-sqlite3";
import { createDb, resolveDbFile } from "./client.ts";
import { createTestDb } from "./testing.ts";

test("resolveDbFile: url > dataRoot > DATABASE_URL > BDI_DATA_ROOT > ./data", () => {
  const env = { DATABASE_URL: "file:/env/url.sqlite", BDI_DATA_ROOT: "/env/root" };
  assert.equal(resolveDbFile({ url: "file:/x/y.sqlite", dataRoot: "/d" }, env), "/x/y.sqlite");
  assert.equal(resolveDbFile({ dataRoot: "/d" }, env), "/d/bdi.sqlite");
  assert.equal(resolveDbFile({}, env), "/env/url.sqlite");
  assert.equal(resolveDbFile({}, { BDI_DATA_ROOT: "/env/root" }), "/env/root/bdi.sqlite");
  assert.equal(resolveDbFile({}, {}), resolve("data/bdi.sqlite"));
  assert.equal(resolveDbFile({ url: "file:./rel.sqlite" }, {}), resolve("rel.sqlite"));
});

test("createDb creates the parent directory, migrates, and turns on WAL and foreign keys", async () => {
  const dir = mkdtempSync(join(tmpdir(), "bdi-client-test-"));
  try {
    const db = await createDb({ dataRoot: join(dir, "deep", "root") });
    assert.equal(db.file, join(dir, "deep", "root", "bdi.sqlite"));
    assert.ok(existsSync(db.file));
    assert.ok(db.migrations!.applied.length >= 1);
    const [mode] = await db.prisma.$queryRawUnsafe<{ journal_mode: string }[]>("PRAGMA journal_mode");
    const [fk] = await db.prisma.$queryRawUnsafe<{ foreign_keys: bigint | number }[]>("PRAGMA foreign_keys");
    assert.equal(mode!.journal_mode, "wal");
    assert.equal(Number(fk!.foreign_keys), 1);
    // Enforced, not just declared: a sample pointing at no ROI is refused.
    await assert.rejects(
      db.prisma.sample.create({
        data: { roiId: "nope", label: "ok", source: "dashboard", storedPath: "a", fileName: "a", sha256: "x", width: 1, height: 1 },
      }),
      /Foreign key constraint/i,
    );
    await db.close();

    // Reopening applies nothing; migrate:false skips the runner entirely.
    const again = await createDb({ dataRoot: join(dir, "deep", "root") });
    assert.deepEqual(again.migrations, { applied: [], edited: [] });
    await again.close();
    const skipped = await createDb({ url: `file:${join(dir, "bare.sqlite")}`, migrate: false });
    assert.equal(skipped.migrations, null);
    assert.equal(await skipped.prisma.recipe.count().catch(() => "no table"), "no table");
    await skipped.close();

    const raw = new Database(join(dir, "bare.sqlite"), { readonly: true });
    assert.equal(raw.pragma("journal_mode", { simple: true }), "wal"); // WAL is persistent in the file
    raw.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a plain write during another caller's open transaction is not swallowed by its rollback", async () => {
  const t = await createTestDb();
  try {
    const { prisma } = t;
    const failing = prisma
      .$transaction(async (tx) => {
        await tx.recipe.create({ data: { id: "in-tx", displayName: "rolled back" } });
        await new Promise((r) => setTimeout(r, 50)); // e.g. awaiting a file write between statements
        throw new Error("boom");
      })
      .catch((e: Error) => e.message);
    await new Promise((r) => setTimeout(r, 10));
    await prisma.recipe.create({ data: { id: "outside", displayName: "must survive" } });
    assert.equal(await failing, "boom");
    assert.deepEqual((await prisma.recipe.findMany()).map((r) => r.id), ["outside"]);
  } finally {
    await t.cleanup();
  }
});

test("DateTime columns are stored as sortable ISO-8601 text", async () => {
  const t = await createTestDb();
  try {
    await t.prisma.recipe.create({ data: { id: "r", displayName: "R" } });
    const raw = new Database(t.file, { readonly: true });
    const row = raw.prepare("SELECT createdAt, typeof(createdAt) AS kind FROM Recipe").get() as { createdAt: string; kind: string };
    raw.close();
    assert.equal(row.kind, "text");
    assert.match(row.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/);
  } finally {
    await t.cleanup();
  }
});

test("concurrent audited writes and reads on one client all land (transactions queue, reads wait)", async () => {
  const t = await createTestDb();
  try {
    const { upsertRoi } = await import("./repos/rois.ts");
    const { createSample, listSamples } = await import("./repos/samples.ts");
    const { roi } = await upsertRoi(t.prisma, { recipeId: "r1", roleId: "Inspection", roiId: "inspection-1" }, { actor: "t" });
    const writes = Array.from({ length: 40 }, (_, i) =>
      createSample(t.prisma, { roiId: roi.id, label: "ok", source: "dashboard", storedPath: `p${i}`, fileName: `f${i}`, sha256: `h${i}`, width: 1, height: 1 }, { actor: "t" }),
    );
    const reads = Array.from({ length: 10 }, () => listSamples(t.prisma, { roiId: roi.id }));
    await Promise.all([...writes, ...reads]);
    assert.equal(await t.prisma.sample.count(), 40);
    assert.equal(await t.prisma.auditEvent.count({ where: { action: "sample.create" } }), 40);
  } finally {
    await t.cleanup();
  }
});
