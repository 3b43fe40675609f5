// Reachability of the database, for a replica's /health (a round trip, no table touched).
import type { Queryable } from "./common.ts";

/** Resolves when the database answered a trivial query; rejects with the driver's error otherwise. */
export async function pingDatabase(db: Queryable): Promise<void> {
  await db.$queryRawUnsafe("SELECT 1");
}
