// A replica's own fields in /health (plant mode operations): its id, its role, database and store reachability, added
// after the legacy fields; /metrics names the replica in every sample. SQLite mode here; the PostgreSQL + S3 side
// (and an unreachable database) is checked by the cluster test (tooling/cluster).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { call, startService } from "./test-support.ts";

async function untilProbed(base: string) {
  for (let i = 0; i < 100; i++) {
    const h = await call(base, "GET", "/health");
    if (h.json.database.reachable !== null && h.json.store.reachable !== null) return h;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("the health probes never answered");
}

describe("replica health", () => {
  it("/health adds replica_id, role, runs_jobs, database and store after the legacy fields; /metrics labels the replica", async () => {
    const s = await startService({ BDI_REPLICA_ID: "cell-7.a" }, { loadBackbone: false });
    try {
      const h = await untilProbed(s.base);
      assert.equal(h.status, 503); // backbone not loaded: the legacy status code, whatever the new fields say
      for (const k of ["status", "device", "model", "version", "request_id", "recipe_id"]) assert.equal(typeof h.json[k], "string", k);
      assert.equal(h.json.replica_id, "cell-7.a");
      assert.equal(h.json.role, "standalone");
      assert.equal(h.json.runs_jobs, true);
      assert.deepEqual(h.json.database, { engine: "sqlite", reachable: true });
      assert.deepEqual(h.json.store, { kind: "local", reachable: true });
      // the per-request ids stay the last fields, as the legacy body had them
      assert.deepEqual(Object.keys(h.json).slice(-2), ["request_id", "recipe_id"]);

      const m = await call(s.base, "GET", "/metrics");
      assert.match(m.text, /^bdi_uptime_seconds\{replica="cell-7\.a"\} \d+$/m);
      assert.match(m.text, /^bdi_http_requests_total\{method="GET",route="\/health",status="503",replica="cell-7\.a"\} \d+$/m);
    } finally {
      await s.close();
    }
  });

  it("an invalid BDI_REPLICA_ID is refused at start with the variable named", async () => {
    await assert.rejects(startService({ BDI_REPLICA_ID: "has space" }, { loadBackbone: false }), /BDI_REPLICA_ID/);
  });
});
