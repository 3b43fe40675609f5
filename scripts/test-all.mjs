#!/usr/bin/env node
// The one test command: prepares what tests need (Prisma client, bundled backbone, dashboard build), runs the lint
// task (ESLint with the import boundaries, jscpd, knip: one check that passes or fails), then every suite in turn,
// and ends with one line "N passed, M failed" summing all of them.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: "1", NEXT_TELEMETRY_DISABLED: "1", CHECKPOINT_DISABLE: "1" };

const suites = [
  // counted as one check: passed when the whole lint task exits 0
  { name: "lint", cmd: ["npm", "run", "lint"], single: true },
  { name: "core", cmd: ["npm", "run", "test", "-w", "@bdi/core"] },
  { name: "db", cmd: ["npm", "run", "test", "-w", "@bdi/db"] },
  { name: "models", cmd: ["npm", "run", "test", "-w", "@bdi/models"] },
  { name: "inference", cmd: ["npm", "run", "test", "-w", "@bdi/inference"] },
  { name: "dashboard", cmd: ["npm", "run", "test", "-w", "@bdi/dashboard"] },
  { name: "dashboard-e2e", cmd: ["npm", "run", "e2e", "-w", "@bdi/dashboard"] },
  // plant mode on loopback: PostgreSQL + S3 server + 2 replicas behind HAProxy + the dashboard (tooling/cluster)
  { name: "cluster", cmd: ["npm", "run", "test", "-w", "@bdi/cluster"] },
];
const only = process.argv.slice(2);

function run(cmd, { capture }) {
  return new Promise((resolve) => {
    const child = spawn(cmd[0], cmd.slice(1), { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    const onData = (stream) => (chunk) => {
      const s = chunk.toString();
      if (capture) out += s;
      stream.write(s);
    };
    child.stdout.on("data", onData(process.stdout));
    child.stderr.on("data", onData(process.stderr));
    child.on("close", (code) => resolve({ code: code ?? 1, out }));
  });
}

/** node:test prints "# pass N" / "# fail N" (TAP) or "ℹ pass N" (spec) at the end of a run. Cancelled tests
 * (a failing before() hook cancels the rest of its file) count as failures, or they would vanish from the sum.
 * Skipped tests are neither: they are shown in the suite's row, so a skip is never a silent pass. */
function counts(out) {
  let pass = 0;
  let fail = 0;
  let skip = 0;
  for (const m of out.matchAll(/^(?:#|ℹ) (pass|fail|cancelled|skipped) (\d+)\s*$/gm)) {
    if (m[1] === "pass") pass += Number(m[2]);
    else if (m[1] === "skipped") skip += Number(m[2]);
    else fail += Number(m[2]);
  }
  return { pass, fail, skip };
}

const prep = await run(["npm", "run", "build"], { capture: false });
if (prep.code !== 0) {
  console.log("build failed before tests could run");
  console.log("0 passed, 1 failed");
  process.exit(1);
}

let passed = 0;
let failed = 0;
const rows = [];
for (const suite of suites) {
  if (only.length && !only.includes(suite.name)) continue;
  const t0 = Date.now();
  const { code, out } = await run(suite.cmd, { capture: true });
  const c = suite.single ? { pass: code === 0 ? 1 : 0, fail: 0, skip: 0 } : counts(out);
  // A suite that crashed before reporting still counts as a failure.
  if (code !== 0 && c.fail === 0) c.fail = 1;
  passed += c.pass;
  failed += c.fail;
  const skipped = c.skip ? `  (${c.skip} skipped: see the suite's "# SKIP" lines for why)` : "";
  rows.push(`${suite.name.padEnd(14)} ${String(c.pass).padStart(4)} passed ${String(c.fail).padStart(3)} failed  ${((Date.now() - t0) / 1000).toFixed(1)} s${skipped}`);
}
console.log("\n" + rows.join("\n"));
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
