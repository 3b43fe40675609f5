// Opens the BrakeDiscInspector database: Prisma Client over better-sqlite3, pending migrations applied first.
import { mkdirSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "./generated/prisma/client.ts";
import { applyMigrations, DEFAULT_MIGRATIONS_DIR, dbFileFromUrl, type ApplyMigrationsResult } from "./migrate-sql.ts";
import { withTransactionGate } from "./tx-gate.ts";

export interface CreateDbOptions {
  /** `file:/abs/path.sqlite` or `file:./relative.sqlite` (relative to the working directory). Beats dataRoot. */
  url?: string;
  /** Data root; the database is `<dataRoot>/bdi.sqlite`. Default: $DATABASE_URL, else $BDI_DATA_ROOT, else ./data */
  dataRoot?: string;
  /** Apply pending migrations before opening (default true). */
  migrate?: boolean;
  migrationsDir?: string;
}

export interface Db {
  prisma: PrismaClient;
  /** absolute path of the SQLite file */
  file: string;
  /** what applyMigrations did at open (null when skipped) */
  migrations: ApplyMigrationsResult | null;
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

export async function createDb(opts: CreateDbOptions = {}): Promise<Db> {
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
    file,
    migrations,
    close: () => prisma.$disconnect(),
  };
}
