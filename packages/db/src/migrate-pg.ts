// Runtime migration runner for PostgreSQL (plant mode): applies prisma/postgresql/migrations/*/migration.sql with
// node-postgres only, writing the same `_prisma_migrations` rows as Prisma Migrate (like migrate-sql.ts for SQLite).
// Replicas that start together serialise on a session advisory lock, so the migrations run exactly once; the lock
// goes away with the connection, so a replica that dies while migrating leaves no stale lock.
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { MigrationError } from "./errors.ts";
import { pendingMigrations, type ApplyMigrationsResult } from "./migrate-sql.ts";

/** Where the generated PostgreSQL migrations live: <repo>/prisma/postgresql/migrations. */
export const DEFAULT_PG_MIGRATIONS_DIR = fileURLToPath(new URL("../../../prisma/postgresql/migrations", import.meta.url));

/** The advisory lock key Prisma Migrate itself takes, so this runner and a `prisma migrate deploy` also exclude each other. */
export const MIGRATION_LOCK_KEY = 72707369;

// The DDL Prisma's schema engine uses for PostgreSQL.
const MIGRATIONS_TABLE_DDL = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

/** `postgres://…` or `postgresql://…`: plant mode. */
export const isPostgresUrl = (url: string | undefined): url is string => !!url && /^postgres(ql)?:\/\//i.test(url);

async function takeLock(client: pg.Client, timeoutMs: number) {
  // statement_timeout bounds the wait for the lock; it is reset right after.
  await client.query(`SET statement_timeout = ${Math.max(1, Math.round(timeoutMs))}`);
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
  } catch (err) {
    throw new MigrationError(`another process is migrating the database (waited ${timeoutMs} ms): ${(err as Error).message}`);
  } finally {
    await client.query("SET statement_timeout = 0").catch(() => {});
  }
}

/**
 * Applies every pending migration to the PostgreSQL database at `url`, in name order, each in its own transaction
 * (PostgreSQL DDL is transactional, so a failed migration leaves no half-made table). Idempotent. Refuses to run
 * while a failed migration row is unresolved, like `prisma migrate deploy` (P3009).
 */
export async function applyMigrationsPg(
  url: string,
  migrationsDir = DEFAULT_PG_MIGRATIONS_DIR,
  opts: { lockTimeoutMs?: number } = {},
): Promise<ApplyMigrationsResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await takeLock(client, opts.lockTimeoutMs ?? 60_000);
    await client.query(MIGRATIONS_TABLE_DDL);
    const failed = await client.query<{ migration_name: string }>(
      "SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NULL AND rolled_back_at IS NULL",
    );
    if (failed.rows.length) {
      throw new MigrationError(
        `migration(s) failed earlier and need manual resolution before anything else is applied: ` +
          failed.rows.map((f) => f.migration_name).join(", "),
      );
    }
    const done = new Map<string, string>();
    const rows = await client.query<{ migration_name: string; checksum: string }>(
      "SELECT migration_name, checksum FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL",
    );
    for (const r of rows.rows) done.set(r.migration_name, r.checksum);

    const { pending, edited } = pendingMigrations(migrationsDir, done);
    const result: ApplyMigrationsResult = { applied: [], edited };
    for (const { name, sql, checksum } of pending) {
      const id = randomUUID();
      await client.query(
        "INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, applied_steps_count) VALUES ($1, $2, $3, now(), 0)",
        [id, checksum, name],
      );
      try {
        await client.query(`BEGIN;\n${sql}\n;COMMIT;`);
      } catch (err) {
        await client.query("ROLLBACK").catch(() => {});
        const message = err instanceof Error ? err.message : String(err);
        await client.query("UPDATE _prisma_migrations SET logs = $1 WHERE id = $2", [`Migration ${name} failed: ${message}`, id]);
        throw new MigrationError(`migration ${name} failed: ${message}`);
      }
      await client.query("UPDATE _prisma_migrations SET finished_at = now(), applied_steps_count = 1 WHERE id = $1", [id]);
      result.applied.push(name);
    }
    return result;
  } finally {
    // Ending the session releases the advisory lock.
    await client.end().catch(() => {});
  }
}
