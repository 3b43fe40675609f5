// createDb in plant mode: a postgres:// URL (option or $DATABASE_URL) opens PostgreSQL through @prisma/adapter-pg,
// migrated at open. Runs in the PostgreSQL leg (`npm run test:pg`, BDI_TEST_PG_URL).
import { test } from "node:test";
import assert from "node:assert/strict";
import pg from "pg";
import { createDb, resolvePostgresUrl } from "./client.ts";
import { createPostgresTestDatabase } from "./testing.ts";

const ADMIN = process.env.BDI_TEST_PG_URL;
const skip = ADMIN ? false : "needs a PostgreSQL test cluster: runs in `npm run test:pg -w @bdi/db` (part of npm test)";

test("resolvePostgresUrl: postgres:// or postgresql:// selects PostgreSQL; SQLite stays the default", () => {
  assert.equal(resolvePostgresUrl({}, {}), null);
  assert.equal(resolvePostgresUrl({}, { DATABASE_URL: "file:/x.sqlite" }), null);
  assert.equal(resolvePostgresUrl({}, { DATABASE_URL: "postgres://u@h/db" }), "postgres://u@h/db");
  assert.equal(resolvePostgresUrl({ url: "postgresql://u@h/db" }, {}), "postgresql://u@h/db");
  assert.equal(resolvePostgresUrl({ url: "file:/x.sqlite" }, { DATABASE_URL: "postgres://u@h/db" }), null, "an explicit url wins");
  // The service passes its data root (for files); a postgres:// DATABASE_URL still moves the database to the server.
  assert.equal(resolvePostgresUrl({}, { DATABASE_URL: "postgresql://u@h/db" }), "postgresql://u@h/db");
});

test("DATABASE_URL=postgres://… opens a migrated PostgreSQL database; foreign keys enforced", { skip }, async () => {
  // An empty database: createDb itself must migrate it.
  const name = `bdi_client_${process.pid}`;
  const admin = new pg.Client({ connectionString: ADMIN });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  const u = new URL(ADMIN!);
  u.pathname = `/${name}`;
  const before = process.env.DATABASE_URL;
  process.env.DATABASE_URL = u.toString().replace(/^postgresql:/, "postgres:");
  try {
    const db = await createDb({ dataRoot: "/nonexistent/files-only" });
    assert.equal(db.engine, "postgresql");
    assert.ok(db.migrations!.applied.length >= 1);
    const [v] = await db.prisma.$queryRawUnsafe<{ server_version: string }[]>("SHOW server_version");
    assert.match(v!.server_version, /^\d+/);
    await assert.rejects(
      db.prisma.sample.create({
        data: { roiId: "nope", label: "ok", source: "dashboard", storedPath: "a", fileName: "a", sha256: "x", width: 1, height: 1 },
      }),
      /Foreign key constraint/i,
    );
    await db.close();
    const again = await createDb();
    assert.deepEqual(again.migrations, { applied: [], edited: [] });
    await again.close();
  } finally {
    if (before === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = before;
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
});

test("test databases are independent copies of a migrated template", { skip }, async () => {
  const a = await createPostgresTestDatabase(ADMIN!);
  const b = await createPostgresTestDatabase(ADMIN!);
  try {
    assert.notEqual(a.url, b.url);
    const da = await createDb({ url: a.url });
    const db = await createDb({ url: b.url });
    assert.deepEqual(da.migrations, { applied: [], edited: [] }, "the template was migrated");
    await da.prisma.recipe.create({ data: { id: "only-in-a", displayName: "A" } });
    assert.equal(await db.prisma.recipe.count(), 0);
    await da.close();
    await db.close();
  } finally {
    await a.drop();
    await b.drop();
  }
});
