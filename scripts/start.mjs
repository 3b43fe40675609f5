#!/usr/bin/env node
// The one start command: prepares (Prisma client, bundled backbone, dashboard build; cached by turbo) and runs the
// inference service (BDI_PORT, default 8000) and the dashboard (DASHBOARD_PORT, default 3000) together.
// --dev runs the dashboard with `next dev` instead of a production build.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dev = process.argv.includes("--dev");
const port = process.env.BDI_PORT ?? "8000";
const env = {
  ...process.env,
  TURBO_TELEMETRY_DISABLED: "1",
  NEXT_TELEMETRY_DISABLED: "1",
  CHECKPOINT_DISABLE: "1",
  BDI_DATA_ROOT: path.resolve(process.env.BDI_DATA_ROOT ?? path.join(root, "data")),
  BDI_INFERENCE_URL: process.env.BDI_INFERENCE_URL ?? `http://127.0.0.1:${port}`,
};

// The key the dashboard signs the signed-in user's identity with and the service verifies (never a default): created
// once under the data root unless BDI_AUTH_SECRET is set (same file as apps/inference/src/auth-secret.ts).
if (!process.env.BDI_AUTH_SECRET) {
  mkdirSync(env.BDI_DATA_ROOT, { recursive: true });
  try {
    writeFileSync(path.join(env.BDI_DATA_ROOT, "auth-secret"), randomBytes(32).toString("hex") + "\n", { mode: 0o600, flag: "wx" });
  } catch (err) {
    if (err.code !== "EEXIST") throw err;
  }
}

const prep = spawnSync("npm", ["run", "build", "--", ...(dev ? ["--filter=!@bdi/dashboard"] : [])], { cwd: root, env, stdio: "inherit" });
if (prep.status !== 0) process.exit(prep.status ?? 1);

const children = [];
function start(name, cmd, args) {
  // Own process group, so stopping kills npm and the node process under it together.
  const child = spawn(cmd, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  const prefix = (stream) => (chunk) => {
    for (const line of chunk.toString().split("\n")) if (line) stream.write(`[${name}] ${line}\n`);
  };
  child.stdout.on("data", prefix(process.stdout));
  child.stderr.on("data", prefix(process.stderr));
  child.on("exit", (code) => {
    console.log(`[${name}] exited with ${code}`);
    stopAll(code ?? 1);
  });
  children.push(child);
}

let stopping = false;
function stopAll(code) {
  if (stopping) return;
  stopping = true;
  for (const c of children) {
    try {
      process.kill(-c.pid, "SIGTERM");
    } catch {
      /* already gone */
    }
  }
  // The service drains requests and closes the database on SIGTERM; give it a moment before we exit.
  setTimeout(() => process.exit(code), 3000).unref();
}
process.on("SIGINT", () => stopAll(0));
process.on("SIGTERM", () => stopAll(0));

start("inference", "npm", ["start", "-w", "@bdi/inference"]);
start("dashboard", "npm", ["run", dev ? "dev" : "start", "-w", "@bdi/dashboard"]);
console.log(`inference: http://127.0.0.1:${port}  dashboard: http://127.0.0.1:${env.DASHBOARD_PORT ?? 3000}  data: ${env.BDI_DATA_ROOT}`);
console.log("sign-in: create the first admin with `npm run users -- add NAME --role admin` (the service warns while there is none)");
