// @bdi/db: Prisma Client on better-sqlite3 (default) or PostgreSQL (plant mode), the migration runners and the
// typed repositories.
export {
  createDb, resolveDbFile, resolvePostgresUrl, DB_FILE_NAME, type CreateDbOptions, type Db, type DbEngine,
} from "./client.ts";
export { applyMigrationsPg, isPostgresUrl, DEFAULT_PG_MIGRATIONS_DIR } from "./migrate-pg.ts";
export {
  applyMigrations, applyConnectionPragmas, migrationChecksum, DEFAULT_MIGRATIONS_DIR, type ApplyMigrationsResult,
} from "./migrate-sql.ts";
export * from "./errors.ts";
export * from "./enums.ts";
export {
  inTx, parseJson, toJson, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE,
  type AuditCtx, type Page, type PageArgs, type Queryable, type TxClient,
} from "./repos/common.ts";
export * from "./repos/audit.ts";
export * from "./repos/recipes.ts";
export * from "./repos/rois.ts";
export * from "./repos/samples.ts";
export * from "./repos/modelVersions.ts";
export * from "./repos/calibrations.ts";
export * from "./repos/inspections.ts";
export * from "./repos/retention.ts";
export * from "./repos/reports.ts";
export * from "./repos/line-watch.ts";
export * from "./repos/users.ts";
export * from "./repos/health.ts";
export * from "./repos/jobs.ts";
export { openPgChannels, MAX_NOTIFY_BYTES, type PgChannels } from "./pg-channels.ts";
export { startPgQueue, QUEUE_NAME, type PgQueue, type PgQueueOptions } from "./pg-queue.ts";
export { PrismaClient, Prisma } from "./generated/prisma/client.ts";
export type {
  Recipe, Role, Roi, Sample, ModelVersion, ModelVersionSample, Calibration, Inspection, AuditEvent, User,
} from "./generated/prisma/client.ts";
