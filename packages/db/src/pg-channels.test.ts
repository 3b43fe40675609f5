// LISTEN/NOTIFY between two "replicas" on one PostgreSQL database. Runs in the PostgreSQL leg (`npm run test:pg`).
import { test } from "node:test";
import assert from "node:assert/strict";
import pg from "pg";
import { createPostgresTestDatabase } from "./testing.ts";
import { MAX_NOTIFY_BYTES, openPgChannels } from "./pg-channels.ts";

const ADMIN = process.env.BDI_TEST_PG_URL;
const skip = ADMIN ? false : "needs a PostgreSQL test cluster: runs in `npm run test:pg -w @bdi/db` (part of npm test)";

const next = (ch: { on(c: string, h: (p: string) => void): () => void }, channel: string) =>
  new Promise<string>((resolve) => {
    const off = ch.on(channel, (p) => {
      off();
      resolve(p);
    });
  });

test("a notification reaches every listener, the sender's own included; a dropped connection comes back", { skip }, async () => {
  const database = await createPostgresTestDatabase(ADMIN!);
  const a = await openPgChannels(database.url, ["bdi_test"], { reconnectDelayMs: 100 });
  const b = await openPgChannels(database.url, ["bdi_test"], { reconnectDelayMs: 100 });
  try {
    const [atA, atB] = [next(a, "bdi_test"), next(b, "bdi_test")];
    await a.notify("bdi_test", "activated v2");
    assert.deepEqual(await Promise.all([atA, atB]), ["activated v2", "activated v2"]);
    await assert.rejects(a.notify("bdi_test", "x".repeat(MAX_NOTIFY_BYTES + 1)), /over/);
    assert.throws(() => a.on("other", () => undefined), /not listening/);

    // The server drops b's listening session (restart, failover): b reconnects, says so, and hears again.
    const reconnected = new Promise<void>((resolve) => b.onReconnect(resolve));
    const admin = new pg.Client({ connectionString: ADMIN });
    await admin.connect();
    await admin.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'bdi-channels' AND pid <> pg_backend_pid() AND query LIKE 'LISTEN%'",
      [new URL(database.url).pathname.slice(1)],
    );
    await admin.end();
    await reconnected;
    const again = next(b, "bdi_test");
    await a.notify("bdi_test", "threshold changed");
    assert.equal(await again, "threshold changed");
  } finally {
    await a.close();
    await b.close();
    await database.drop();
  }
});
