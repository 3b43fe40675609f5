// Migrations: committed SQL == schema.prisma (wasm engine), the runtime runner, and their compatibility.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { applyMigrations, DEFAULT_MIGRATIONS_DIR, migrationChecksum } from "./migrate-sql.ts";
import { MigrationError } from "./errors.ts";

const MIGRATE = fileURLToPath(new URL("../scripts/migrate.mjs", import.meta.url));
const SCHEMA = fileURLToPath(new URL("../../../prisma/schema.prisma", import.meta.url));
const committed = readdirSync(DEFAULT_MIGRATIONS_DIR, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();

function migrate(...args: string[]) {
  const env = { ...process.env };
  delete env.DATABASE_URL;
  const r = spawnSync(process.execPath, [MIGRATE, ...args], { encoding: "utf8", env });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function tempDir() {
  return mkdtempSync(join(tmpdir(), "bdi-migrate-test-"));
}

function rows(file: string) {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare("SELECT * FROM _prisma_migrations ORDER BY migration_name").all() as Record<string, unknown>[];
  } finally {
    db.close();
  }
}

test("committed migrations match schema.prisma (migrate.mjs diff exits 0)", () => {
  assert.ok(committed.length >= 1, "at least the init migration is committed");
  const r = migrate("diff");
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.out, /empty migration/);
});

test("diff exits 2 and prints the SQL when schema.prisma has changed", () => {
  const dir = tempDir();
  try {
    const schema = join(dir, "schema.prisma");
    writeFileSync(schema, readFileSync(SCHEMA, "utf8").replace("  note             String?\n", "  note             String?\n  extra            String?\n"));
    const r = migrate("diff", "--schema", schema, "--migrations", DEFAULT_MIGRATIONS_DIR);
    assert.equal(r.code, 2, r.out + r.err);
    assert.match(r.out, /extra/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("runtime runner: fresh database, Prisma's table and checksums, idempotent re-run", () => {
  const dir = tempDir();
  try {
    const file = join(dir, "nested", "bdi.sqlite"); // parent directory is created
    const first = applyMigrations(file);
    assert.deepEqual(first, { applied: committed, edited: [] });
    const r = rows(file);
    assert.equal(r.length, committed.length);
    for (const [i, row] of r.entries()) {
      const sql = readFileSync(join(DEFAULT_MIGRATIONS_DIR, committed[i]!, "migration.sql"), "utf8");
      assert.equal(row.migration_name, committed[i]);
      assert.equal(row.checksum, migrationChecksum(sql));
      assert.match(row.checksum as string, /^[0-9a-f]{64}$/);
      assert.equal(row.applied_steps_count, 1);
      assert.equal(row.rolled_back_at, null);
      assert.match(row.finished_at as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/);
    }
    assert.deepEqual(applyMigrations(file), { applied: [], edited: [] });
    assert.equal(rows(file).length, committed.length);

    const db = new Database(file, { readonly: true });
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name").all() as { name: string }[]).map((t) => t.name);
    assert.equal(db.pragma("journal_mode", { simple: true }), "wal");
    db.close();
    for (const t of ["Recipe", "Role", "Roi", "Sample", "ModelVersion", "ModelVersionSample", "Calibration", "Inspection", "AuditEvent"]) {
      assert.ok(tables.includes(t), `table ${t}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the PostgreSQL variant in prisma/postgresql is generated from schema.prisma and up to date (gen-postgres --check)", () => {
  const r = spawnSync(process.execPath, [fileURLToPath(new URL("../scripts/gen-postgres.mjs", import.meta.url)), "--check"], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

test("runner and wasm engine agree: same DDL, status in sync, deploy has nothing to do", () => {
  const dir = tempDir();
  try {
    const byRunner = join(dir, "runner.sqlite");
    const byEngine = join(dir, "engine.sqlite");
    applyMigrations(byRunner);
    const deployed = migrate("deploy", "--url", `file:${byEngine}`);
    assert.equal(deployed.code, 0, deployed.err);
    assert.match(deployed.out, /Applied: /);

    const ddl = (f: string) => {
      const db = new Database(f, { readonly: true });
      const all = db.prepare("SELECT type, name, sql FROM sqlite_master ORDER BY type, name").all();
      db.close();
      return all;
    };
    assert.deepEqual(ddl(byRunner), ddl(byEngine));
    assert.deepEqual(rows(byRunner).map((r) => [r.migration_name, r.checksum]), rows(byEngine).map((r) => [r.migration_name, r.checksum]));

    const status = migrate("status", "--url", `file:${byRunner}`);
    assert.equal(status.code, 0, status.out + status.err);
    assert.match(status.out, /"history": null/);
    assert.match(migrate("deploy", "--url", `file:${byRunner}`).out, /No pending migrations/);
    assert.deepEqual(applyMigrations(byEngine), { applied: [], edited: [] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("runner records a failing migration and refuses to continue past it; edited migrations are reported", () => {
  const dir = tempDir();
  try {
    const migrations = join(dir, "migrations");
    cpSync(DEFAULT_MIGRATIONS_DIR, migrations, { recursive: true });
    const file = join(dir, "bdi.sqlite");
    applyMigrations(file, migrations);

    mkdirSync(join(migrations, "99990101000000_broken"));
    writeFileSync(join(migrations, "99990101000000_broken", "migration.sql"), 'CREATE TABLE "Broken" (;\n');
    assert.throws(() => applyMigrations(file, migrations), (e) => e instanceof MigrationError && /99990101000000_broken failed/.test(e.message));
    const failed = rows(file).find((r) => r.migration_name === "99990101000000_broken")!;
    assert.equal(failed.finished_at, null);
    assert.match(failed.logs as string, /syntax error/);

    // Fixing the file is not enough: the failed row must be resolved first (like Prisma's P3009).
    writeFileSync(join(migrations, "99990101000000_broken", "migration.sql"), 'CREATE TABLE "Broken" ("id" TEXT);\n');
    assert.throws(() => applyMigrations(file, migrations), /need manual resolution/);

    rmSync(join(migrations, "99990101000000_broken"), { recursive: true });
    const db = new Database(file);
    db.prepare("DELETE FROM _prisma_migrations WHERE migration_name = ?").run("99990101000000_broken");
    db.close();
    const init = join(migrations, committed[0]!, "migration.sql");
    writeFileSync(init, readFileSync(init, "utf8") + "\n-- edited\n");
    assert.deepEqual(applyMigrations(file, migrations), { applied: [], edited: [committed[0]] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("migrate.mjs dev creates and applies a new migration that brings diff back to 0", () => {
  const dir = tempDir();
  try {
    const migrations = join(dir, "migrations");
    cpSync(DEFAULT_MIGRATIONS_DIR, migrations, { recursive: true });
    const schema = join(dir, "schema.prisma");
    writeFileSync(schema, readFileSync(SCHEMA, "utf8").replace("  note             String?\n", "  note             String?\n  extra            String?\n"));
    const url = `file:${join(dir, "dev.sqlite")}`;
    const args = ["--schema", schema, "--migrations", migrations, "--url", url];

    const dev = migrate("dev", "add_extra", ...args);
    assert.equal(dev.code, 0, dev.out + dev.err);
    const created = readdirSync(migrations).filter((d) => d.endsWith("_add_extra"));
    assert.equal(created.length, 1);
    assert.match(readFileSync(join(migrations, created[0]!, "migration.sql"), "utf8"), /"extra" TEXT/);
    assert.equal(migrate("diff", "--schema", schema, "--migrations", migrations).code, 0);
    assert.match(migrate("dev", "again", ...args).out, /Already in sync/);
    assert.equal(migrate("status", ...args).code, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("runner waits for (and times out on) another process's migration lock", () => {
  const dir = tempDir();
  try {
    const file = join(dir, "bdi.sqlite");
    const other = new Database(`${file}.migrate-lock`);
    other.exec("BEGIN EXCLUSIVE");
    assert.throws(() => applyMigrations(file, DEFAULT_MIGRATIONS_DIR, { lockTimeoutMs: 50 }), /another process is migrating/);
    other.exec("ROLLBACK");
    other.close();
    assert.deepEqual(applyMigrations(file).applied, committed);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
