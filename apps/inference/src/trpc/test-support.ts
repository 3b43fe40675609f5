// Test support for the router tests: a real service context (temp data root, real migrated SQLite, optionally the
// real bundled backbone), a tRPC caller without HTTP, and crops of the shared pitting data set.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import sharp from "sharp";
import { createDb } from "@bdi/db";
import { loadConfig } from "../config.ts";
import type { ServiceContext } from "../context.ts";
import { BackboneHolder } from "../runtime/backbone-state.ts";
import { loadServiceBackbone } from "../runtime/load-backbone.ts";
import type { Role } from "@bdi/core/auth/roles";
import { appRouter } from "./router.ts";
import { createCallerFactory } from "./trpc.ts";
import { bsdataDir } from "../testing/dataset.ts";
import { TEST_AUTH_SECRET } from "../testing/auth.ts";

export const DATASET_DIR = bsdataDir();

const createCaller = createCallerFactory(appRouter);
export type Caller = ReturnType<typeof createCaller>;

export type TestCtx = {
  ctx: ServiceContext;
  dataRoot: string;
  /** a caller signed in as `actor` with `role` (default admin); the identity is trusted as given, as the HTTP path
   * trusts a verified token (role checks still apply) */
  caller(actor?: string, requestId?: string, role?: Role): Caller;
  /** a caller with no signed-in user (every procedure refuses it) */
  anonymousCaller(): Caller;
  cleanup(): Promise<void>;
};

const silentLog = { info() {}, warn() {}, error() {}, debug() {}, trace() {}, fatal() {}, child() { return silentLog; }, level: "silent" } as never;

/** `backbone`: "load" (real bundled backbone, awaited), "starting" (never loads) or "error". */
export async function makeTestCtx(opts: { backbone?: "load" | "starting" | "error"; env?: Record<string, string> } = {}): Promise<TestCtx> {
  const dataRoot = mkdtempSync(path.join(tmpdir(), "bdi-trpc-"));
  const config = loadConfig({ BDI_DATA_ROOT: dataRoot, BDI_LOG_LEVEL: "silent", BDI_THREADS: "2", BDI_MIN_OK_SAMPLES: "3", BDI_AUTH_SECRET: TEST_AUTH_SECRET, ...opts.env });
  const db = await createDb({ dataRoot, migrate: true });
  const backbone = new BackboneHolder();
  const ctx = { config, db, backbone, startedAt: Date.now(), log: silentLog } as ServiceContext;
  if (opts.backbone === "load") await backbone.load(() => loadServiceBackbone(config));
  if (opts.backbone === "error") await backbone.load(async () => Promise.reject(new Error("no backbone in this test")));
  let n = 0;
  return {
    ctx,
    dataRoot,
    caller: (actor = "qa-anna", requestId, role = "admin") =>
      createCaller({ svc: ctx, actor, requestId: requestId ?? `req-${++n}`, identity: { userId: `test-${actor}`, username: actor, role } }),
    anonymousCaller: () => createCaller({ svc: ctx, actor: "anonymous", requestId: `req-${++n}`, identity: null }),
    async cleanup() {
      await db.close();
      rmSync(dataRoot, { recursive: true, force: true });
    },
  };
}

/** A 160×128 crop of a data set image, as a PNG. */
export async function crop(rel: string, left = 160, top = 40, width = 160, height = 128): Promise<Buffer> {
  const buf = readFileSync(path.join(DATASET_DIR, rel));
  return sharp(buf).extract({ left, top, width, height }).png().toBuffer();
}

export async function okCrops(n: number, from = 0): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (let i = 0; i < n; i++) out.push(await crop(`train/good/${String(from + i).padStart(3, "0")}.png`));
  return out;
}

/** A 160×128 crop centred on the pitting of test/pitting/NNN.png (from its ground-truth mask). */
export async function ngCrop(index: number): Promise<Buffer> {
  const name = String(index).padStart(3, "0");
  const { data, info } = await sharp(readFileSync(path.join(DATASET_DIR, `ground_truth/pitting/${name}_mask.png`)))
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  let sx = 0;
  let sy = 0;
  let k = 0;
  for (let y = 0; y < info.height; y++)
    for (let x = 0; x < info.width; x++)
      if (data[(y * info.width + x) * info.channels]! > 127) {
        sx += x;
        sy += y;
        k++;
      }
  const cx = k ? sx / k : info.width / 2;
  const cy = k ? sy / k : info.height / 2;
  const left = Math.max(0, Math.min(info.width - 160, Math.round(cx - 80)));
  const top = Math.max(0, Math.min(info.height - 128, Math.round(cy - 64)));
  return crop(`test/pitting/${name}.png`, left, top);
}

/** FormData for samples.upload. */
export function uploadForm(fields: Record<string, string>, files: Array<{ name: string; data: Buffer; type?: string }>): FormData {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) fd.append(k, v);
  for (const f of files) fd.append("files", new File([new Uint8Array(f.data)], f.name, { type: f.type ?? "image/png" }));
  return fd;
}

/** Asserts that `p` rejects with a TRPCError of `code` whose message matches `re`. */
export async function rejectsWith(p: Promise<unknown>, code: string, re?: RegExp): Promise<void> {
  try {
    await p;
  } catch (err) {
    const e = err as { code?: string; message?: string };
    if (e.code !== code) throw new Error(`expected ${code}, got ${e.code}: ${e.message}`);
    if (re && !re.test(e.message ?? "")) throw new Error(`message ${JSON.stringify(e.message)} does not match ${re}`);
    return;
  }
  throw new Error(`expected a ${code} error, but it resolved`);
}
