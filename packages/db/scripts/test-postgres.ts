// The PostgreSQL leg of this package's tests: starts one throwaway cluster (src/testing-pg.ts), runs the repository
// tests and the PostgreSQL migration tests against it (BDI_TEST_PG_URL), and stops it. Without PostgreSQL binaries
// it prints why and skips (exit 0); CI (.ci/run) installs them, so there the leg always runs.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { postgresUnavailableReason, startPostgres } from "../src/testing-pg.ts";

const NODE_TEST = fileURLToPath(new URL("../../../scripts/node-test.mjs", import.meta.url));
const FILES = process.argv.length > 2 ? process.argv.slice(2) : ["src/repos", "src/migrate-pg.test.ts", "src/client-pg.test.ts", "src/pg-channels.test.ts"];

const reason = postgresUnavailableReason();
if (reason) {
  console.log(`PostgreSQL leg SKIPPED: ${reason}`);
  process.exit(0);
}
const cluster = await startPostgres();
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => {
    cluster.stop();
    process.exit(1);
  });
}
let status = 1;
try {
  console.log(`PostgreSQL leg: repository and migration tests on ${cluster.adminUrl}`);
  const r = spawnSync(process.execPath, [NODE_TEST, ...FILES], { stdio: "inherit", env: { ...process.env, BDI_TEST_PG_URL: cluster.adminUrl } });
  status = r.status ?? 1;
} finally {
  cluster.stop();
}
process.exit(status);
