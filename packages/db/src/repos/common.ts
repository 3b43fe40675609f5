// Shared plumbing of the repositories: client types, transactions, audit context, JSON columns, pagination.
import type { Prisma, PrismaClient } from "../generated/prisma/client.ts";

export type TxClient = Prisma.TransactionClient;
/** Every repository function accepts the client or a transaction client, so callers can compose them. */
export type Queryable = PrismaClient | TxClient;

/** Who did it and in which request: required by every mutation a user triggers (it is written to AuditEvent). */
export interface AuditCtx {
  actor: string;
  requestId?: string | null;
  reason?: string | null;
}

// Clients opened on PostgreSQL (client.ts registers them). SQLite runs one transaction at a time on its single
// connection (tx-gate.ts), so read-then-write steps (next version number, "create the recipe if missing", one
// active calibration) can never interleave. PostgreSQL runs them concurrently from a pool and from other replicas:
// there the same transactions run SERIALIZABLE, and one that lost a conflict is run again from the start.
const postgresClients = new WeakSet<object>();
export const markPostgresClient = (client: PrismaClient) => void postgresClients.add(client);

const MAX_TX_ATTEMPTS = 8;
const isWriteConflict = (err: unknown) => (err as { code?: unknown } | null)?.code === "P2034";

/** Runs fn in a transaction, or inside the caller's transaction when given a transaction client. */
export async function inTx<T>(db: Queryable, fn: (tx: TxClient) => Promise<T>): Promise<T> {
  if (!("$transaction" in db)) return fn(db);
  if (!postgresClients.has(db)) return db.$transaction(fn);
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.$transaction(fn, { isolationLevel: "Serializable" });
    } catch (err) {
      if (!isWriteConflict(err) || attempt >= MAX_TX_ATTEMPTS) throw err;
      // A little random back-off, so the retried transactions do not collide again in lockstep.
      await new Promise((r) => setTimeout(r, Math.random() * 10 * attempt));
    }
  }
}

/**
 * Runs reads in one snapshot: the queries Prisma issues for one `include` are separate statements, and a commit
 * between them shows a row next to another row's newer state. PostgreSQL: a REPEATABLE READ transaction (one
 * snapshot, no conflicts to retry for reads); SQLite: a transaction (its gate runs it alone on the connection).
 */
export async function inSnapshot<T>(db: Queryable, fn: (tx: TxClient) => Promise<T>): Promise<T> {
  if (!("$transaction" in db)) return fn(db);
  if (!postgresClients.has(db)) return db.$transaction(fn);
  // set as the transaction's first statement: the clients share the SQLite client's types, which name no such level
  return db.$transaction(async (tx) => {
    await tx.$executeRawUnsafe("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
    return fn(tx);
  });
}

/** Value → JSON column. undefined stays undefined (= "do not touch" in Prisma updates). */
export function toJson(value: unknown): string | null | undefined {
  if (value === undefined) return undefined;
  if (value === null) return null;
  return JSON.stringify(value);
}

/** JSON column → value (null for null/empty): core's reader. */
export { parseJson } from "@bdi/core/json";

export interface PageArgs {
  /** id of the last item of the previous page */
  cursor?: string | null;
  /** 1…500, default 50 */
  limit?: number;
}
export interface Page<T> {
  items: T[];
  /** pass as `cursor` to get the next page; null on the last page */
  nextCursor: string | null;
}
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

export function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE_SIZE;
  return Math.min(MAX_PAGE_SIZE, Math.max(1, Math.floor(limit)));
}

/** Prisma cursor arguments: one extra row tells whether a next page exists. */
export function pageQuery(args: PageArgs): { take: number; cursor?: { id: string }; skip?: number } {
  const take = pageLimit(args.limit) + 1;
  return args.cursor ? { take, cursor: { id: args.cursor }, skip: 1 } : { take };
}

export function toPage<T extends { id: string }>(rows: T[], args: PageArgs): Page<T> {
  const limit = pageLimit(args.limit);
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? items[items.length - 1]!.id : null };
}

/** createdAt-style range filter: from inclusive, to exclusive. */
export function dateRange(from?: Date | null, to?: Date | null) {
  if (!from && !to) return undefined;
  return { ...(from ? { gte: from } : {}), ...(to ? { lt: to } : {}) };
}
