// The edge process over real HTTP: `node --import tsx src/main.ts` as `npm start` runs it (edge + forked app, temp data
// root, real SQLite, the bundled backbone). /health answered by the edge must equal the app's own answer, everything
// else must pass through untouched, and a stopped app must not stop the poll — until its snapshot goes stale.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { call, okCrops, uploadParts } from "../legacy/test-support.ts";
import { freePort } from "@bdi/core/testing/free-port";

const MAIN = fileURLToPath(new URL("../main.ts", import.meta.url));


const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

type Stack = { edge: ChildProcess; base: string; appBase: string; appPid: number; dataRoot: string; logs: string[] };

async function startStack(env: Record<string, string> = {}): Promise<Stack> {
  const dataRoot = mkdtempSync(path.join(tmpdir(), "bdi-edge-"));
  const port = await freePort();
  const edge = spawn(process.execPath, ["--import", "tsx", MAIN], {
    env: { ...process.env, BDI_DATA_ROOT: dataRoot, BDI_PORT: String(port), BDI_HOST: "127.0.0.1", BDI_LOG_LEVEL: "info", BDI_THREADS: "2", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: string[] = [];
  let appPid = 0;
  let appPort = 0;
  const onLine = (chunk: Buffer) => {
    for (const line of chunk.toString().split("\n")) {
      if (!line) continue;
      logs.push(line);
      if (line.includes("app listening behind the edge")) {
        const m = JSON.parse(line) as { pid: number; port: number };
        appPid = m.pid;
        appPort = m.port;
      }
    }
  };
  edge.stdout!.on("data", onLine);
  edge.stderr!.on("data", onLine);
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 240; i++) {
    if (edge.exitCode !== null) throw new Error(`the service exited during start-up:\n${logs.join("\n")}`);
    const r = await fetch(`${base}/health`).catch(() => null);
    if (r?.status === 200 && appPid) return { edge, base, appBase: `http://127.0.0.1:${appPort}`, appPid, dataRoot, logs };
    await sleep(250);
  }
  edge.kill("SIGKILL");
  throw new Error(`the service did not become healthy:\n${logs.join("\n")}`);
}

function exited(p: ChildProcess, timeoutMs: number): Promise<number | null> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve(p.exitCode);
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error("process did not exit")), timeoutMs);
    p.once("exit", (code) => {
      clearTimeout(t);
      resolve(code);
    });
  });
}

async function waitUntilGone(pid: number, timeoutMs: number) {
  for (let t = 0; t < timeoutMs && alive(pid); t += 100) await sleep(100);
  return !alive(pid);
}

describe("edge process (npm start: edge + app)", () => {
  let s: Stack;
  before(async () => {
    s = await startStack({ BDI_MAX_UPLOAD_MB: "1" });
  });
  after(async () => {
    if (s?.edge.exitCode === null) s.edge.kill("SIGKILL");
    if (s?.appPid && alive(s.appPid)) process.kill(s.appPid, "SIGKILL");
    if (s) rmSync(s.dataRoot, { recursive: true, force: true });
  });

  it("answers /health with the app's own status, body and ids", async () => {
    const variants: Array<Record<string, string>> = [{}, { "X-Recipe-Id": "DefaultLayout" }, { "X-Recipe-Id": "Layout 2.b" }];
    for (const headers of variants) {
      const viaEdge = await call(s.base, "GET", "/health", { headers: { ...headers, "X-Request-Id": "poll-1" } });
      const direct = await call(s.appBase, "GET", "/health", { headers: { ...headers, "X-Request-Id": "poll-1" } });
      assert.equal(viaEdge.status, 200);
      assert.equal(viaEdge.status, direct.status);
      assert.equal(viaEdge.text, direct.text);
      assert.equal(viaEdge.headers.get("x-request-id"), "poll-1");
      assert.equal(viaEdge.headers.get("x-recipe-id"), direct.headers.get("x-recipe-id"));
      assert.equal(viaEdge.headers.get("content-type"), "application/json; charset=utf-8");
    }
    const q = await call(s.base, "GET", "/health?recipe_id=Linea_B");
    assert.equal(q.json.recipe_id, "linea_b");
  });

  it("leaves requests it does not answer to the app: the reserved recipe, CORS, uploads, 404s", async () => {
    const last = await call(s.base, "GET", "/health", { headers: { "X-Recipe-Id": "last" } });
    assert.equal(last.status, 400);
    assert.match(last.json.detail.error, /reserved/);

    const cors = await call(s.base, "GET", "/health", { headers: { Origin: "http://qa.example" } });
    assert.equal(cors.status, 200);
    assert.equal(cors.headers.get("access-control-allow-origin"), "http://qa.example"); // BDI_CORS_ORIGINS=* reflects the origin

    const [png] = await okCrops(1);
    const up = await call(s.base, "POST", "/datasets/ok/upload", { multipart: uploadParts("ok", png!, 0) });
    assert.equal(up.status, 200, up.text);
    const list = await call(s.base, "GET", "/datasets/list?role_id=Inspection&roi_id=inspection-1");
    assert.equal(list.status, 200);
    assert.equal(list.json.classes.ok.count, 1);
    const file = await call(s.base, "GET", `/datasets/file?role_id=Inspection&roi_id=inspection-1&label=ok&filename=${list.json.classes.ok.files[0]}`);
    assert.equal(file.status, 200);
    assert.ok(file.bytes.equals(png!), "the stored crop comes back byte for byte through the edge");

    const missing = await call(s.base, "OPTIONS", "/nope");
    assert.equal(missing.status, 404);
  });

  it("passes the app's 413 for an oversized body through (the app must not close the connection mid-upload)", async () => {
    for (let i = 0; i < 3; i++) {
      const big = await call(s.base, "POST", "/calibrate_ng", { body: Buffer.alloc(8 << 20, 0x20), contentType: "application/json" });
      assert.equal(big.status, 413, big.text);
      assert.match(big.json.detail, /Upload too large/);
    }
    assert.equal((await call(s.base, "GET", "/health")).status, 200);
  });

  it("counts the polls it answered in the app's /metrics", async () => {
    const count = async () => {
      const m = await call(s.base, "GET", "/metrics");
      const line = m.text.split("\n").find((l) => l.startsWith('bdi_http_requests_total{method="GET",route="/health",status="200",replica="'));
      return line ? Number(line.split(" ").pop()) : 0;
    };
    const before = await count();
    for (let i = 0; i < 5; i++) await call(s.base, "GET", "/health");
    let now = before;
    for (let i = 0; i < 40 && now < before + 5; i++) {
      await sleep(100);
      now = await count();
    }
    assert.ok(now >= before + 5, `expected ≥ ${before + 5} /health requests in /metrics, got ${now}`);
  });

  it("keeps answering /health while the app is stopped, and hands the poll to the app once the snapshot is stale", async () => {
    process.kill(s.appPid, "SIGSTOP");
    try {
      const during = await call(s.base, "GET", "/health");
      assert.equal(during.status, 200);
      assert.equal(during.json.status, "ok");
      // /state needs the app: it must wait, not be answered by the edge.
      let stateDone = false;
      const state = call(s.base, "GET", "/state?role_id=Inspection&roi_id=inspection-1").then((r) => ((stateDone = true), r));
      await sleep(5_600); // past the snapshot's 5 s freshness bound
      assert.equal(stateDone, false);
      let healthDone = false;
      const stale = call(s.base, "GET", "/health").then((r) => ((healthDone = true), r));
      await sleep(400);
      assert.equal(healthDone, false, "a stale snapshot must not be served");
      process.kill(s.appPid, "SIGCONT");
      assert.equal((await stale).status, 200);
      assert.equal((await state).status, 200);
      assert.ok(s.logs.some((l) => l.includes("has not sent its health")), "the edge logged the stale snapshot");
    } finally {
      process.kill(s.appPid, "SIGCONT");
    }
  });

  it("stops the app on SIGTERM", async () => {
    s.edge.kill("SIGTERM");
    assert.equal(await exited(s.edge, 20_000), 0);
    assert.ok(await waitUntilGone(s.appPid, 5_000), "the app process is gone");
  });
});

describe("edge process: the app dies", () => {
  it("exits with an error when its app exits unexpectedly", async () => {
    const s = await startStack();
    try {
      process.kill(s.appPid, "SIGKILL");
      const code = await exited(s.edge, 10_000);
      assert.notEqual(code, 0);
    } finally {
      if (s.edge.exitCode === null) s.edge.kill("SIGKILL");
      rmSync(s.dataRoot, { recursive: true, force: true });
    }
  });
});
