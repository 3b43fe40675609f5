// Test helper (also for other packages' tests): a real, migrated database in a fresh temp directory.
// SQLite by default. With BDI_TEST_PG_URL (the admin URL of a test cluster, set by scripts/test-postgres.ts) each
// test database is a fresh PostgreSQL database instead, copied from a migrated template.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { createDb, DB_FILE_NAME, type CreateDbOptions, type Db } from "./client.ts";
import { applyMigrationsPg } from "./migrate-pg.ts";

export interface TestDb extends Db {
  /** the temp data root (holding bdi.sqlite in SQLite mode) */
  dir: string;
  /** closes the client and removes the directory (and the PostgreSQL database) */
  cleanup(): Promise<void>;
}

async function admin<T>(adminUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const withDb = (url: string, name: string) => {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
};

// One migrated template per process: CREATE DATABASE … TEMPLATE copies it in milliseconds.
let template: Promise<string> | undefined;
function migratedTemplate(adminUrl: string): Promise<string> {
  template ??= (async () => {
    const name = `bdi_tpl_${process.pid}_${randomBytes(3).toString("hex")}`;
    await admin(adminUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
    await applyMigrationsPg(withDb(adminUrl, name)); // the runner ends its session: the template has no connections
    return name;
  })();
  return template;
}

/** A fresh, migrated PostgreSQL database in the cluster at adminUrl; drop() removes it. */
export async function createPostgresTestDatabase(adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const tpl = await migratedTemplate(adminUrl);
  const name = `bdi_t_${randomBytes(6).toString("hex")}`;
  await admin(adminUrl, (c) => c.query(`CREATE DATABASE "${name}" TEMPLATE "${tpl}"`));
  return {
    url: withDb(adminUrl, name),
    drop: () => admin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => {}),
  };
}

export async function createTestDb(opts: Omit<CreateDbOptions, "url" | "dataRoot"> = {}): Promise<TestDb> {
  const dir = mkdtempSync(join(tmpdir(), "bdi-db-test-"));
  const pgAdmin = process.env.BDI_TEST_PG_URL;
  const pgDb = pgAdmin ? await createPostgresTestDatabase(pgAdmin) : null;
  // An explicit url either way, so a DATABASE_URL in the environment never redirects a test.
  const db = await createDb({ ...opts, url: pgDb ? pgDb.url : `file:${join(dir, DB_FILE_NAME)}` });
  return {
    ...db,
    dir,
    cleanup: async () => {
      await db.close();
      await pgDb?.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A tiny fixture: recipe "r1", role "Inspection", ROI "inspection-1". */
export const TEST_ROI_KEY = { recipeId: "r1", roleId: "Inspection", roiId: "inspection-1" } as const;
export const TEST_CTX = { actor: "test", requestId: "req-test" } as const;
