// Test support for the legacy contract suite: a real service (temp data root, real SQLite, the real bundled
// backbone) listening on loopback, raw .NET-style multipart bodies, and small crops of the pitting data set.
// With BDI_CONTRACT_BASE_URL set (the cluster test, tooling/cluster), the suite runs against that running service
// instead — the load balancer in front of plant-mode replicas — with its database (BDI_CONTRACT_DATABASE_URL) and
// its store (BDI_STORE…) opened for the suite's look at rows and stored objects.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import sharp from "sharp";
import { createDb } from "@bdi/db";
import { loadConfig, type Config } from "../config.ts";
import { buildApp } from "../app.ts";
import { BackboneHolder } from "../runtime/backbone-state.ts";
import type { ServiceContext } from "../context.ts";
import { loadServiceBackbone } from "../runtime/load-backbone.ts";
import { createObjectStore, type ObjectStore } from "../resources/store/object-store.ts";
import { bsdataDir } from "../testing/dataset.ts";

export const DATASET_DIR = bsdataDir();

export type TestService = {
  base: string;
  ctx: ServiceContext;
  dataRoot: string;
  /** where the service keeps images and artifacts (its data root, or the cluster's bucket) */
  store: ObjectStore;
  close(): Promise<void>;
};

/** The running service the suite targets instead of starting its own (see the top of this file); null = its own. */
export const REMOTE_SERVICE = process.env.BDI_CONTRACT_BASE_URL ?? null;

async function remoteService(base: string): Promise<TestService> {
  const url = process.env.BDI_CONTRACT_DATABASE_URL;
  if (!url) throw new Error("BDI_CONTRACT_BASE_URL needs BDI_CONTRACT_DATABASE_URL (the service's database)");
  const dataRoot = mkdtempSync(path.join(tmpdir(), "bdi-remote-"));
  const config: Config = loadConfig({ ...process.env, BDI_DATA_ROOT: dataRoot, DATABASE_URL: url });
  const db = await createDb({ url, migrate: false });
  const ctx = { config, db, backbone: new BackboneHolder(), startedAt: Date.now() } as ServiceContext;
  return {
    base: base.replace(/\/+$/, ""),
    ctx,
    dataRoot,
    store: createObjectStore(config),
    async close() {
      await db.close();
      rmSync(dataRoot, { recursive: true, force: true });
    },
  };
}

/** The objects under `prefix/` in the service's store. */
export async function countObjects(store: ObjectStore, prefix: string): Promise<number> {
  let n = 0;
  for await (const _ of store.list(prefix)) n++;
  return n;
}

/** /metrics of the service; behind a balancer, of every replica reached in a few requests (each counts its own). */
export async function metricsOfAll(base: string): Promise<string> {
  if (!REMOTE_SERVICE) return (await fetch(`${base}/metrics`)).text();
  const byReplica = new Map<string, string>();
  for (let i = 0; i < 8; i++) {
    const text = await (await fetch(`${base}/metrics`)).text();
    byReplica.set(/replica="([^"]*)"/.exec(text)?.[1] ?? "", text);
  }
  return [...byReplica.values()].join("\n");
}

/** Starts the service on 127.0.0.1:0 with a fresh data root. `waitForBackbone` defaults to true. */
export async function startService(env: Record<string, string> = {}, opts: { waitForBackbone?: boolean; loadBackbone?: boolean } = {}): Promise<TestService> {
  if (REMOTE_SERVICE) {
    if (Object.keys(env).length || opts.loadBackbone === false) throw new Error("a service with its own settings cannot be the running one (BDI_CONTRACT_BASE_URL)");
    return remoteService(REMOTE_SERVICE);
  }
  const dataRoot = mkdtempSync(path.join(tmpdir(), "bdi-legacy-"));
  // The real bundled backbone at a smaller square input (320 px → 40×40 grid) keeps fits fast on 2 cores.
  const config: Config = loadConfig({ BDI_DATA_ROOT: dataRoot, BDI_LOG_LEVEL: "silent", BDI_THREADS: "2", BDI_INPUT_SIZE: "320", ...env });
  const db = await createDb({ dataRoot, migrate: true });
  const backbone = new BackboneHolder();
  const ctx = { config, db, backbone, startedAt: Date.now() } as ServiceContext;
  const app = await buildApp(ctx, { logger: false });
  ctx.log = app.log;
  await app.listen({ port: 0, host: "127.0.0.1" });
  const addr = app.server.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;
  if (opts.loadBackbone !== false) {
    const loading = backbone.load(() => loadServiceBackbone(config));
    if (opts.waitForBackbone !== false) await loading;
  }
  return {
    base: `http://127.0.0.1:${port}`,
    ctx,
    dataRoot,
    store: createObjectStore(config),
    async close() {
      await app.close();
      await db.close();
      rmSync(dataRoot, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Multipart exactly as .NET's MultipartFormDataContent writes it (contract §2.1).

export type NetPart =
  | { kind: "text"; name: string; value: string; contentType?: string }
  | { kind: "file"; name: string; filename: string; data: Buffer; contentType?: string };

export function netMultipart(parts: NetPart[]): { body: Buffer; contentType: string } {
  const boundary = randomUUID();
  const chunks: Buffer[] = [];
  for (const p of parts) {
    let head = `--${boundary}\r\n`;
    if (p.kind === "text") {
      head += `Content-Type: ${p.contentType ?? "text/plain; charset=utf-8"}\r\n`;
      head += `Content-Disposition: form-data; name=${p.name}\r\n\r\n`;
      chunks.push(Buffer.from(head, "utf8"), Buffer.from(p.value, "utf8"), Buffer.from("\r\n"));
    } else {
      head += `Content-Type: ${p.contentType ?? "image/png"}\r\n`;
      head += `Content-Disposition: form-data; name=${p.name}; filename=${p.filename}; filename*=utf-8''${encodeURIComponent(p.filename)}\r\n\r\n`;
      chunks.push(Buffer.from(head, "utf8"), p.data, Buffer.from("\r\n"));
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary="${boundary}"` };
}

export type Res = { status: number; headers: Headers; text: string; json: any; bytes: Buffer };

export async function call(
  base: string,
  method: string,
  pathAndQuery: string,
  opts: { headers?: Record<string, string>; json?: unknown; multipart?: NetPart[]; body?: string | Buffer; contentType?: string } = {},
): Promise<Res> {
  const headers: Record<string, string> = { "X-Request-Id": randomUUID(), ...(opts.headers ?? {}) };
  let body: Buffer | string | undefined;
  if (opts.multipart) {
    const mp = netMultipart(opts.multipart);
    body = mp.body;
    headers["Content-Type"] = mp.contentType;
  } else if (opts.json !== undefined) {
    body = JSON.stringify(opts.json);
    headers["Content-Type"] = "application/json; charset=utf-8";
  } else if (opts.body !== undefined) {
    body = opts.body;
    if (opts.contentType) headers["Content-Type"] = opts.contentType;
  }
  const r = await fetch(base + pathAndQuery, { method, headers, body });
  const bytes = Buffer.from(await r.arrayBuffer());
  const text = bytes.toString("utf8");
  let json: any = undefined;
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: r.status, headers: r.headers, text, json, bytes };
}

// ---------------------------------------------------------------------------------------------------------------
// Test images: small crops of the pitting data set, encoded as the client does (4-channel PNG).

export async function crop(rel: string, opts: { left?: number; top?: number; width?: number; height?: number } = {}): Promise<Buffer> {
  const buf = readFileSync(path.join(DATASET_DIR, rel));
  const { left = 0, top = 0, width = 160, height = 128 } = opts;
  return sharp(buf).extract({ left, top, width, height }).ensureAlpha().png().toBuffer();
}

export async function okCrops(n: number, from = 0): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (let i = 0; i < n; i++) out.push(await crop(`train/good/${String(from + i).padStart(3, "0")}.png`, { left: 160, top: 40 }));
  return out;
}

export function sampleMeta(label: "ok" | "ng", filename: string, mmPerPx = 0.2, extra: Record<string, unknown> = {}) {
  return JSON.stringify({
    role_id: "Inspection",
    roi_id: "inspection-1",
    label,
    filename,
    angle: null,
    timestamp: null,
    mm_per_px: mmPerPx,
    shape_json: JSON.stringify({ kind: "rect", x: 0, y: 0, w: 160, h: 128 }),
    created_at_utc: "2026-01-12T10:15:00.1234567Z",
    source_path: "C:\\data\\img.png",
    ...extra,
  });
}

/** A .NET-style dataset upload of one image with its metas part (application/json, no filename). */
export function uploadParts(label: "ok" | "ng", png: Buffer, i: number, opts: { roiId?: string; mmPerPx?: number } = {}): NetPart[] {
  const filename = `sample_20260112_1015${String(i).padStart(5, "0")}.png`;
  return [
    { kind: "text", name: "role_id", value: "Inspection" },
    { kind: "text", name: "roi_id", value: opts.roiId ?? "inspection-1" },
    { kind: "file", name: "images", filename, data: png },
    { kind: "text", name: "metas", value: sampleMeta(label, filename, opts.mmPerPx ?? 0.2), contentType: "application/json; charset=utf-8" },
  ];
}
