// Opens the BrakeDiscInspector database, pending migrations applied first: Prisma Client over better-sqlite3 (the
// default, one file), or over node-postgres when the URL is postgres://… (plant mode, many replicas).
import { mkdirSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/prisma/client.ts";
import { PrismaClient as PgPrismaClient } from "./generated/prisma-pg/client.ts";
import { applyMigrations, DEFAULT_MIGRATIONS_DIR, dbFileFromUrl, type ApplyMigrationsResult } from "./migrate-sql.ts";
import { applyMigrationsPg, DEFAULT_PG_MIGRATIONS_DIR, isPostgresUrl } from "./migrate-pg.ts";
import { withTransactionGate } from "./tx-gate.ts";
import { markPostgresClient } from "./repos/common.ts";

export interface CreateDbOptions {
  /** `file:/abs/path.sqlite` or `file:./relative.sqlite` (relative to the working directory), or
   * `postgres://…` / `postgresql://…` for PostgreSQL. Beats dataRoot. */
  url?: string;
  /** Data root; the database is `<dataRoot>/bdi.sqlite`. Default: $DATABASE_URL, else $BDI_DATA_ROOT, else ./data */
  dataRoot?: string;
  /** Apply pending migrations before opening (default true). */
  migrate?: boolean;
  /** default: prisma/migrations (SQLite) or prisma/postgresql/migrations (PostgreSQL) */
  migrationsDir?: string;
}

export type DbEngine = "sqlite" | "postgresql";

export interface Db {
  prisma: PrismaClient;
  engine: DbEngine;
  /** absolute path of the SQLite file; for PostgreSQL the URL without its password */
  file: string;
  /** what applyMigrations did at open (null when skipped) */
  migrations: ApplyMigrationsResult | null;
  /** PostgreSQL only: the connection URL, for the connections beside Prisma's pool (job queue, LISTEN/NOTIFY) */
  pgUrl?: string;
  close(): Promise<void>;
}

export const DB_FILE_NAME = "bdi.sqlite";

/** Resolves the SQLite file: explicit url > explicit dataRoot > $DATABASE_URL > $BDI_DATA_ROOT > ./data. */
export function resolveDbFile(opts: Pick<CreateDbOptions, "url" | "dataRoot"> = {}, env = process.env): string {
  let file: string;
  if (opts.url) file = dbFileFromUrl(opts.url);
  else if (opts.dataRoot) file = join(opts.dataRoot, DB_FILE_NAME);
  else if (env.DATABASE_URL) file = dbFileFromUrl(env.DATABASE_URL);
  else file = join(env.BDI_DATA_ROOT || "./data", DB_FILE_NAME);
  return isAbsolute(file) ? file : resolve(file);
}

/**
 * The PostgreSQL URL when the url option or $DATABASE_URL select plant mode, else null (SQLite). A postgres://
 * $DATABASE_URL wins over the dataRoot option: the data root still holds the files, the database moves to the server.
 */
export function resolvePostgresUrl(opts: Pick<CreateDbOptions, "url"> = {}, env = process.env): string | null {
  if (opts.url) return isPostgresUrl(opts.url) ? opts.url : null;
  return isPostgresUrl(env.DATABASE_URL) ? env.DATABASE_URL : null;
}

const withoutPassword = (url: string) => {
  const u = new URL(url);
  if (u.password) u.password = "***";
  return u.toString();
};

async function createPostgresDb(url: string, opts: CreateDbOptions): Promise<Db> {
  const migrations = opts.migrate === false ? null : await applyMigrationsPg(url, opts.migrationsDir ?? DEFAULT_PG_MIGRATIONS_DIR);
  // A pool, not one connection: concurrent requests and transactions each get their own session, so the SQLite
  // transaction gate is not needed here.
  const pg = new PgPrismaClient({ adapter: new PrismaPg({ connectionString: url }), transactionOptions: { maxWait: 10_000, timeout: 10_000 } });
  // Both clients come from the same schema.prisma (scripts/gen-postgres.mjs): same models, same methods. The types
  // differ only by provider-only extras (e.g. `mode: "insensitive"`), which the repositories do not use.
  const prisma = pg as PrismaClient;
  markPostgresClient(prisma);
  return { prisma, engine: "postgresql", file: withoutPassword(url), migrations, pgUrl: url, close: () => pg.$disconnect() };
}

export async function createDb(opts: CreateDbOptions = {}): Promise<Db> {
  const pgUrl = resolvePostgresUrl(opts);
  if (pgUrl) return createPostgresDb(pgUrl, opts);
  const file = resolveDbFile(opts);
  mkdirSync(dirname(file), { recursive: true });
  const migrations = opts.migrate === false ? null : applyMigrations(file, opts.migrationsDir ?? DEFAULT_MIGRATIONS_DIR);

  const adapter = withTransactionGate(new PrismaBetterSqlite3({ url: `file:${file}`, timeout: 5000 }));
  // Transactions queue behind each other (one SQLite connection, see tx-gate.ts): allow more than Prisma's 2 s
  // default wait before a queued transaction gives up.
  const prisma = new PrismaClient({ adapter, transactionOptions: { maxWait: 10_000, timeout: 10_000 } });
  // WAL is persistent (set by the runner too, repeated for migrate:false); foreign_keys is per connection.
  await prisma.$queryRawUnsafe("PRAGMA journal_mode = WAL");
  await prisma.$executeRawUnsafe("PRAGMA foreign_keys = ON");

  return {
    prisma,
    engine: "sqlite",
    file,
    migrations,
    close: () => prisma.$disconnect(),
  };
}
