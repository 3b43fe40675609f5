// PostgreSQL migrations (plant mode): the generated migrations equal the schema on a real server, the runtime
// runner applies them once even when two replicas start together, and it records failures like on SQLite.
// Runs in the PostgreSQL leg (`npm run test:pg`, which starts a throwaway cluster and sets BDI_TEST_PG_URL).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { applyMigrationsPg, DEFAULT_PG_MIGRATIONS_DIR, MIGRATION_LOCK_KEY } from "./migrate-pg.ts";
import { MigrationError } from "./errors.ts";
import { dumpSchema } from "./testing-pg.ts";

const ADMIN = process.env.BDI_TEST_PG_URL;
const skip = ADMIN ? false : "needs a PostgreSQL test cluster: runs in `npm run test:pg -w @bdi/db` (part of npm test)";
const MIGRATE = fileURLToPath(new URL("../scripts/migrate.mjs", import.meta.url));
const GEN = fileURLToPath(new URL("../scripts/gen-postgres.mjs", import.meta.url));
const committed = readdirSync(DEFAULT_PG_MIGRATIONS_DIR, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();

let n = 0;
const dbs: string[] = [];
async function query<T extends pg.QueryResultRow>(url: string, sql: string, args: unknown[] = []) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(sql, args)).rows;
  } finally {
    await c.end();
  }
}
/** A fresh, empty database in the cluster. */
async function freshDb() {
  const name = `bdi_mig_${process.pid}_${n++}`;
  await query(ADMIN!, `CREATE DATABASE "${name}"`);
  dbs.push(name);
  const u = new URL(ADMIN!);
  u.pathname = `/${name}`;
  return u.toString();
}
const rows = (url: string) =>
  query<{ migration_name: string; finished_at: Date | null; logs: string | null; checksum: string }>(
    url, "SELECT * FROM _prisma_migrations ORDER BY migration_name");

function migrate(...args: string[]) {
  const env = { ...process.env };
  delete env.DATABASE_URL;
  const r = spawnSync(process.execPath, [MIGRATE, ...args], { encoding: "utf8", env });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

before(() => assert.ok(committed.length >= 1 || skip, "the generated PostgreSQL migrations are committed"));
after(async () => {
  for (const d of dbs) await query(ADMIN!, `DROP DATABASE IF EXISTS "${d}" WITH (FORCE)`);
});

test("generated PostgreSQL migrations equal schema.prisma on a real server; runner and Prisma's engine agree", { skip }, async () => {
  const gen = spawnSync(process.execPath, [GEN, "--check"], { encoding: "utf8" });
  assert.equal(gen.status, 0, `prisma/postgresql is generated from schema.prisma and committed: ${gen.stdout}${gen.stderr}`);

  // Replaying the migrations builds exactly what Prisma's engine would create for the schema from nothing.
  const byMigrations = await freshDb();
  assert.deepEqual(await applyMigrationsPg(byMigrations), { applied: committed, edited: [] });
  const bySchema = await freshDb();
  const full = spawnSync(process.execPath, [GEN, "--full"], { encoding: "utf8" });
  assert.equal(full.status, 0, full.stderr);
  await query(bySchema, full.stdout);
  const schema = dumpSchema(bySchema);
  assert.match(schema, /CREATE TABLE public\."Inspection"/);
  assert.equal(dumpSchema(byMigrations), schema);

  // Prisma's own engine sees the runner's history as complete, and the other way round.
  const status = migrate("status", "--url", byMigrations);
  assert.equal(status.code, 0, status.out + status.err);
  assert.match(status.out, /"history": null/);
  assert.match(migrate("deploy", "--url", byMigrations).out, /No pending migrations/);
  const byEngine = await freshDb();
  assert.equal(migrate("deploy", "--url", byEngine).code, 0);
  assert.deepEqual(await applyMigrationsPg(byEngine), { applied: [], edited: [] });
  assert.deepEqual((await rows(byEngine)).map((r) => [r.migration_name, r.checksum]), (await rows(byMigrations)).map((r) => [r.migration_name, r.checksum]));
});

test("two replicas starting together: the advisory lock lets one migrate, the other finds nothing to do", { skip }, async () => {
  const url = await freshDb();
  // Hold the lock so both runners are certainly waiting at the same time, then let them race.
  const holder = new pg.Client({ connectionString: url });
  await holder.connect();
  await holder.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
  const both = Promise.all([applyMigrationsPg(url), applyMigrationsPg(url)]);
  await new Promise((r) => setTimeout(r, 300));
  const waiting = await query<{ n: string }>(url, "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted");
  assert.equal(Number(waiting[0]!.n), 2, "both runners wait on the lock");
  await holder.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]);
  await holder.end();

  const [a, b] = await both;
  assert.deepEqual([a.applied, b.applied].sort((x, y) => x.length - y.length), [[], committed]);
  const r = await rows(url);
  assert.equal(r.length, committed.length, "each migration recorded once");
  assert.ok(r.every((x) => x.finished_at !== null && x.logs === null));
});

test("runner times out behind a held lock, records a failing migration atomically and refuses to go past it", { skip }, async () => {
  const url = await freshDb();
  const holder = new pg.Client({ connectionString: url });
  await holder.connect();
  await holder.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
  await assert.rejects(applyMigrationsPg(url, DEFAULT_PG_MIGRATIONS_DIR, { lockTimeoutMs: 100 }), /another process is migrating/);
  await holder.end(); // a dead session releases its lock

  const dir = mkdtempSync(join(tmpdir(), "bdi-migrate-pg-"));
  try {
    const migrations = join(dir, "migrations");
    cpSync(DEFAULT_PG_MIGRATIONS_DIR, migrations, { recursive: true });
    mkdirSync(join(migrations, "99990101000000_broken"));
    // The first statement would succeed; the transaction must take it back when the second fails.
    writeFileSync(join(migrations, "99990101000000_broken", "migration.sql"), 'CREATE TABLE "Half" ("id" TEXT);\nCREATE TABLE "Broken" (;\n');
    await assert.rejects(applyMigrationsPg(url, migrations), (e) => e instanceof MigrationError && /99990101000000_broken failed/.test(e.message));
    const failed = (await rows(url)).find((x) => x.migration_name === "99990101000000_broken")!;
    assert.equal(failed.finished_at, null);
    assert.match(failed.logs!, /syntax error/);
    assert.equal((await query(url, "SELECT 1 FROM pg_tables WHERE tablename = 'Half'")).length, 0, "no half-applied migration");
    assert.equal((await rows(url)).filter((x) => x.finished_at !== null).length, committed.length);
    await assert.rejects(applyMigrationsPg(url, migrations), /need manual resolution/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
