// The real stack for end-to-end tests: the inference service on a temp data root and a free port, and the built
// dashboard (`next start`) on another free port pointed at it with BDI_INFERENCE_URL. The browser only talks to the
// dashboard, whose /svc proxy forwards to the service.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { DASHBOARD_DIR, REPO_ROOT, resultsPath } from "./paths.ts";
import { FatalWaitError, startServer, waitFor, type Server } from "./process.ts";
import { freePort } from "@bdi/core/testing/free-port";
import { account, createUserWithCli, newAuthSecret, rememberSession, sessionCookie, type Account, type SessionCookie } from "./auth.ts";

/** Long enough for a cold backbone load on a small CI machine. */
const SERVICE_READY_MS = Number(process.env.E2E_SERVICE_READY_MS ?? 180_000);
const DASHBOARD_READY_MS = Number(process.env.E2E_DASHBOARD_READY_MS ?? 60_000);

/** Fails with a clear message when the dashboard was not built (e2e runs `next start`, never `next dev`). */
export function assertDashboardBuilt(): void {
  if (!existsSync(path.join(DASHBOARD_DIR, ".next", "BUILD_ID"))) {
    throw new Error(
      `No production build of the dashboard at ${path.join(DASHBOARD_DIR, ".next")}.\n` +
        "Build it first: npm run build -w @bdi/dashboard   (or npm run build at the repository root)",
    );
  }
}

/** The test runner's environment minus what a test must opt into (an API key left in the shell would lock others out). */
function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NEXT_TELEMETRY_DISABLED: "1",
    TURBO_TELEMETRY_DISABLED: "1",
    CHECKPOINT_DISABLE: "1",
  };
  for (const k of ["BDI_API_KEY", "BACKEND_API_KEY", "BDI_INFERENCE_URL"]) delete env[k];
  return env;
}

export type Inference = Server & { url: string; port: number; dataRoot: string };

/** `node --import tsx apps/inference/src/main.ts` on a fresh temp data root. Resolves once GET /health is 200. */
export async function startInference(
  opts: { port?: number; dataRoot?: string; env?: NodeJS.ProcessEnv; waitReady?: boolean; tag?: string } = {},
): Promise<Inference> {
  const port = opts.port ?? (await freePort());
  const dataRoot = opts.dataRoot ?? mkdtempSync(path.join(os.tmpdir(), "bdi-e2e-data-"));
  const tag = opts.tag ?? "inference";
  const server = startServer({
    name: "inference service",
    command: process.execPath,
    args: ["--import", "tsx", "apps/inference/src/main.ts"],
    cwd: REPO_ROOT,
    env: { ...baseEnv(), BDI_DATA_ROOT: dataRoot, BDI_PORT: String(port), BDI_HOST: "127.0.0.1", ...opts.env },
    logPath: resultsPath("logs", `${tag}-${port}.log`),
  });
  const url = `http://127.0.0.1:${port}`;
  const svc: Inference = { ...server, url, port, dataRoot };
  if (opts.waitReady !== false) {
    try {
      await waitFor("the inference service's /health to report ok", server, SERVICE_READY_MS, async () => {
        const res = await fetch(`${url}/health`);
        const body = (await res.json().catch(() => null)) as { status?: string; reason?: string } | null;
        if (res.status === 200 && body?.status === "ok") return true;
        if (body?.status === "error") throw new FatalWaitError(`the service's backbone failed to load: ${body.reason ?? "no reason"}\n${server.logTail()}`);
        return undefined; // 503 "starting": keep polling
      }, 500);
    } catch (err) {
      await server.stop();
      throw err;
    }
  }
  return svc;
}

export type Dashboard = Server & { url: string; port: number };

/** `next start` of the built dashboard, pointed at `inferenceUrl` at run time (+ `env`). Resolves once `/` renders. */
export async function startDashboard(opts: { inferenceUrl: string; tag?: string; env?: NodeJS.ProcessEnv }): Promise<Dashboard> {
  assertDashboardBuilt();
  const port = await freePort();
  const nextBin = path.join(REPO_ROOT, "node_modules", "next", "dist", "bin", "next");
  const server = startServer({
    name: "dashboard (next start)",
    command: process.execPath,
    args: [nextBin, "start", "-p", String(port), "-H", "127.0.0.1"],
    cwd: DASHBOARD_DIR,
    env: { ...baseEnv(), ...opts.env, BDI_INFERENCE_URL: opts.inferenceUrl, PORT: String(port) },
    logPath: resultsPath("logs", `${opts.tag ?? "dashboard"}-${port}.log`),
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor("the dashboard to serve /", server, DASHBOARD_READY_MS, async () => {
      const res = await fetch(url);
      const html = await res.text();
      return res.status === 200 && html.includes("<html") ? true : undefined;
    });
  } catch (err) {
    await server.stop();
    throw err;
  }
  return { ...server, url, port };
}

export type Stack = {
  inference: Inference;
  dashboard: Dashboard;
  /** the first admin, created with the real CLI (`npm run users -- add`) */
  admin: Account;
  /** the admin's session cookie, from the dashboard's own sign-in (browsers launched afterwards carry it) */
  adminSession: SessionCookie;
  /** the shared key of this stack (BDI_AUTH_SECRET of both processes) */
  authSecret: string;
  /** another user on this stack's data root, through the real CLI */
  addUser: (username: string, role: Account["role"]) => Account;
  stop: () => Promise<void>;
};

/**
 * Inference + dashboard on a fresh temp data root, sharing a fresh BDI_AUTH_SECRET, with a first admin created by the
 * real CLI and signed in; `stop()` kills both process groups and removes the data root. `env` goes to the service,
 * `dashboardEnv` to the dashboard, `sharedEnv` to both (e.g. BDI_API_KEY).
 */
export async function startStack(
  opts: { env?: NodeJS.ProcessEnv; dashboardEnv?: Record<string, string>; sharedEnv?: Record<string, string> } = {},
): Promise<Stack> {
  assertDashboardBuilt(); // before spending a minute on the backbone
  const authSecret = newAuthSecret();
  const shared: Record<string, string> = { BDI_AUTH_SECRET: authSecret, ...opts.sharedEnv };
  const inference = await startInference({ env: { ...shared, ...opts.env } as NodeJS.ProcessEnv });
  let dashboard: Dashboard;
  try {
    dashboard = await startDashboard({ inferenceUrl: inference.url, env: { ...shared, ...opts.dashboardEnv } as NodeJS.ProcessEnv });
  } catch (err) {
    await inference.stop();
    rmSync(inference.dataRoot, { recursive: true, force: true });
    throw err;
  }
  const addUser = (username: string, role: Account["role"]) => {
    const a = account(username, role);
    createUserWithCli(inference.dataRoot, a, { BDI_AUTH_SECRET: authSecret });
    return a;
  };
  let admin: Account;
  let adminSession: SessionCookie;
  try {
    admin = addUser("e2e-admin", "admin");
    adminSession = await sessionCookie(dashboard.url, admin);
  } catch (err) {
    await Promise.all([dashboard.stop(), inference.stop()]);
    rmSync(inference.dataRoot, { recursive: true, force: true });
    throw err;
  }
  rememberSession(adminSession);
  return {
    inference,
    dashboard,
    admin,
    adminSession,
    authSecret,
    addUser,
    stop: async () => {
      rememberSession(null);
      await Promise.all([dashboard.stop(), inference.stop()]);
      rmSync(inference.dataRoot, { recursive: true, force: true });
    },
  };
}
