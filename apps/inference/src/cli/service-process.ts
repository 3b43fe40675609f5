// The real service for the CLI tools that measure it over HTTP (bench-service, eval-rest): `src/main.ts` as `npm start`
// runs it (edge + app), on a fresh temp data root and a free loopback port, plus the small HTTP helpers they share.
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "@bdi/core/testing/free-port";

const MAIN = resolve(dirname(fileURLToPath(import.meta.url)), "../main.ts");


/** Polls GET /health until 200 (503 while the backbone loads); gives up when `gone()` says the service exited. */
async function waitHealthy(base: string, gone: () => boolean, timeoutMs = 120_000) {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    if (gone()) throw new Error("the service exited during start-up");
    try {
      if ((await fetch(`${base}/health`)).status === 200) return;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("service did not become healthy in time");
}

export type ServiceProcess = {
  base: string;
  dataRoot: string;
  /** signals the service's whole process group (edge, app, compute processes), as a start script or `kill -9 -PGID` does */
  signalGroup(sig: NodeJS.Signals): void;
  /** settles with the edge's exit code (null when a signal ended it) */
  exited: Promise<number | null>;
  /** SIGTERM (the edge stops the app first), SIGKILL to the group after 20 s; then deletes the data root unless `keep`. */
  stop(opts?: { keep?: boolean }): Promise<void>;
};

/**
 * Starts `main.ts` (flags of `npm start`) with BDI_DATA_ROOT = a new temp folder, a free loopback port, log level
 * warn, the rest of the environment as given (`env` wins), and waits for GET /health 200. The service writes its logs
 * to this process's stderr, so stdout stays for the tool's own output (`--json`).
 */
export async function startService(tmpPrefix: string, env: NodeJS.ProcessEnv = {}): Promise<ServiceProcess> {
  // an existing data root (env BDI_DATA_ROOT) is used as it is: a restart on the same data
  const dataRoot = env.BDI_DATA_ROOT ?? mkdtempSync(join(os.tmpdir(), tmpPrefix));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  // --no-memory-reducer keeps V8 from running full GCs of 10–25 ms on the event loop just to shrink the heap after a
  // burst of uploads. detached: a group of its own, so a Ctrl-C of the tool reaches only the tool, which stops it.
  const child = spawn(process.execPath, ["--no-memory-reducer", "--import", "tsx", MAIN], {
    env: { ...process.env, BDI_DATA_ROOT: dataRoot, BDI_PORT: String(port), BDI_HOST: "127.0.0.1", BDI_LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", 2, 2],
    detached: true,
  });
  let running = true;
  const exited = new Promise<number | null>((res) => child.once("exit", (code) => { running = false; res(code); }));
  const signalGroup = (sig: NodeJS.Signals) => { try { process.kill(-child.pid!, sig); } catch { /* gone */ } };
  const onExit = () => signalGroup("SIGTERM");
  process.on("exit", onExit);
  let stopped: Promise<void> | null = null;
  const stop = (opts: { keep?: boolean } = {}) => (stopped ??= (async () => {
    if (running) {
      child.kill("SIGTERM");
      const force = setTimeout(() => signalGroup("SIGKILL"), 20_000);
      await exited;
      clearTimeout(force);
    }
    process.off("exit", onExit);
    if (!opts.keep) rmSync(dataRoot, { recursive: true, force: true });
  })());
  try {
    await waitHealthy(base, () => !running);
  } catch (e) {
    await stop();
    throw e;
  }
  return { base, dataRoot, stop, signalGroup, exited };
}

/** A multipart body exactly as .NET's MultipartFormDataContent writes it (legacy contract §2.1). */
export class NetMultipart {
  readonly body: Buffer;
  readonly contentType: string;
  constructor(parts: Array<{ name: string; value: string; contentType?: string } | { name: string; filename: string; data: Buffer; contentType?: string }>) {
    const boundary = randomUUID();
    const chunks: Buffer[] = [];
    for (const p of parts) {
      const file = "data" in p;
      const disposition = file ? `name=${p.name}; filename=${p.filename}; filename*=utf-8''${encodeURIComponent(p.filename)}` : `name=${p.name}`;
      const type = p.contentType ?? (file ? "image/png" : "text/plain; charset=utf-8");
      chunks.push(Buffer.from(`--${boundary}\r\nContent-Type: ${type}\r\nContent-Disposition: form-data; ${disposition}\r\n\r\n`), file ? p.data : Buffer.from(p.value), Buffer.from("\r\n"));
    }
    chunks.push(Buffer.from(`--${boundary}--\r\n`));
    this.body = Buffer.concat(chunks);
    this.contentType = `multipart/form-data; boundary="${boundary}"`;
  }
}

/** POSTs a form (FormData or .NET-style), or a JSON body, with a fresh X-Request-Id as the client sends; throws on non-2xx. */
export async function post(base: string, path: string, body: FormData | NetMultipart | object) {
  const headers: Record<string, string> = { "x-request-id": randomUUID() };
  let payload: FormData | Buffer | string;
  if (body instanceof FormData) payload = body;
  else if (body instanceof NetMultipart) {
    payload = body.body;
    headers["content-type"] = body.contentType;
  } else {
    payload = JSON.stringify(body);
    headers["content-type"] = "application/json";
  }
  const res = await fetch(`${base}${path}`, { method: "POST", body: payload, headers });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(`${path} → ${res.status} ${JSON.stringify(json).slice(0, 300)}`);
  return json as Record<string, unknown>;
}
