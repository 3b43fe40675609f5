// Runtime migration runner: applies the committed prisma/migrations/*/migration.sql with better-sqlite3 only,
// so a service start needs neither the Prisma CLI nor the wasm schema engine. It writes the same
// `_prisma_migrations` table and rows as Prisma Migrate, so scripts/migrate.mjs (status/deploy/dev) and this
// runner can be used on the same database interchangeably.
import Database from "better-sqlite3";
import { createHash, randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { MigrationError } from "./errors.ts";

/** Where the committed migrations live: <repo>/prisma/migrations. */
export const DEFAULT_MIGRATIONS_DIR = fileURLToPath(new URL("../../../prisma/migrations", import.meta.url));

// Byte-for-byte the DDL Prisma's schema engine uses for SQLite.
const MIGRATIONS_TABLE_DDL = `CREATE TABLE "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

export interface ApplyMigrationsResult {
  /** migrations applied by this call, in order */
  applied: string[];
  /** applied migrations whose migration.sql changed since (Prisma calls these "edited"); a warning, not an error */
  edited: string[];
}

/** Prisma's timestamp format: 2026-11-22T13:28:35.804+00:00 */
const prismaNow = () => new Date().toISOString().replace("Z", "+00:00");

export const migrationChecksum = (sql: string) => createHash("sha256").update(sql).digest("hex");

/** Strips an optional `file:` prefix (DATABASE_URL style). */
export const dbFileFromUrl = (urlOrPath: string) => urlOrPath.replace(/^file:/, "");

/** Persistent and per-connection pragmas every connection to the database gets. */
export function applyConnectionPragmas(db: Database.Database) {
  db.pragma("journal_mode = WAL"); // persistent: readers (dashboard) never block the writer
  db.pragma("foreign_keys = ON"); // per connection
  db.pragma("busy_timeout = 5000");
}

function listMigrationDirs(migrationsDir: string) {
  if (!existsSync(migrationsDir)) throw new MigrationError(`migrations directory not found: ${migrationsDir}`);
  return readdirSync(migrationsDir)
    .filter((d) => statSync(join(migrationsDir, d)).isDirectory() && existsSync(join(migrationsDir, d, "migration.sql")))
    .sort();
}

/**
 * The folder's migrations not yet applied, in name order, with their SQL and checksum; `done` maps the applied ones'
 * names to their checksums, and an applied one whose file changed since is named in `edited`. Both runners (this
 * one and migrate-pg.ts) walk the folder through it.
 */
export function pendingMigrations(migrationsDir: string, done: Map<string, string>): {
  pending: Array<{ name: string; sql: string; checksum: string }>; edited: string[];
} {
  const pending: Array<{ name: string; sql: string; checksum: string }> = [];
  const edited: string[] = [];
  for (const name of listMigrationDirs(migrationsDir)) {
    const sql = readFileSync(join(migrationsDir, name, "migration.sql"), "utf8");
    const checksum = migrationChecksum(sql);
    if (!done.has(name)) pending.push({ name, sql, checksum });
    else if (done.get(name) !== checksum) edited.push(name);
  }
  return { pending, edited };
}

/**
 * Applies every pending migration to the SQLite file (created if missing), in name order. Idempotent.
 * Refuses to run while a failed migration row is unresolved, like `prisma migrate deploy` (P3009).
 */
export function applyMigrations(
  dbFile: string,
  migrationsDir = DEFAULT_MIGRATIONS_DIR,
  opts: { lockTimeoutMs?: number } = {},
): ApplyMigrationsResult {
  const file = dbFileFromUrl(dbFile);
  if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
  const release = file === ":memory:" ? () => {} : acquireMigrationLock(file, opts.lockTimeoutMs ?? 60_000);
  const db = new Database(file);
  try {
    applyConnectionPragmas(db);
    const hasTable = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'").get();
    if (!hasTable) db.exec(MIGRATIONS_TABLE_DDL);

    const failed = db
      .prepare("SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NULL AND rolled_back_at IS NULL")
      .all() as { migration_name: string }[];
    if (failed.length) {
      throw new MigrationError(
        `migration(s) failed earlier and need manual resolution before anything else is applied: ` +
          failed.map((f) => f.migration_name).join(", "),
      );
    }

    const done = new Map<string, string>();
    const rows = db
      .prepare("SELECT migration_name, checksum FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL")
      .all() as { migration_name: string; checksum: string }[];
    for (const r of rows) done.set(r.migration_name, r.checksum);

    const { pending, edited } = pendingMigrations(migrationsDir, done);
    const result: ApplyMigrationsResult = { applied: [], edited };
    const insert = db.prepare(
      "INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, applied_steps_count) VALUES (?, ?, ?, ?, 0)",
    );
    const finish = db.prepare("UPDATE _prisma_migrations SET finished_at = ?, applied_steps_count = 1 WHERE id = ?");
    const fail = db.prepare("UPDATE _prisma_migrations SET logs = ? WHERE id = ?");

    for (const { name, sql, checksum } of pending) {
      const id = randomUUID();
      insert.run(id, checksum, name, prismaNow());
      try {
        // No wrapping transaction, like Prisma on SQLite: the scripts toggle PRAGMA foreign_keys themselves.
        db.exec(sql);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        fail.run(`Migration ${name} failed: ${message}`, id);
        throw new MigrationError(`migration ${name} failed: ${message}`);
      }
      finish.run(prismaNow(), id);
      result.applied.push(name);
    }
    return result;
  } finally {
    db.close();
    release();
  }
}

/**
 * Two processes starting at once (service + a CLI) must not both apply the same migration: the second would fail
 * on "table already exists" and leave a failed row. An exclusive transaction on a side file serialises them; the
 * operating system drops the lock if a process dies, so there is no stale lock to clean up.
 */
function acquireMigrationLock(file: string, timeoutMs: number): () => void {
  const lock = new Database(`${file}.migrate-lock`, { timeout: timeoutMs });
  try {
    lock.exec("BEGIN EXCLUSIVE");
  } catch (err) {
    lock.close();
    throw new MigrationError(`another process is migrating ${file} (waited ${timeoutMs} ms): ${(err as Error).message}`);
  }
  return () => {
    lock.exec("ROLLBACK");
    lock.close();
  };
}
