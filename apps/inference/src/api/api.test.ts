// Over real HTTP: the dashboard's binary routes (images, thumbnails, heatmaps, audit CSV), a FormData upload through
// /trpc, the fit progress subscription as server-sent events, and error bodies. No backbone needed.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import sharp from "sharp";
import type { FastifyInstance } from "fastify";
import { createInspection } from "@bdi/db";
import { buildApp } from "../app.ts";
import { getServices } from "../services/index.ts";
import { writeAtomic } from "../resources/storage.ts";
import { makeTestCtx, okCrops, type TestCtx } from "../trpc/test-support.ts";
import { signedInAs } from "../testing/auth.ts";

describe("dashboard HTTP: /api binary routes, FormData upload and SSE progress through /trpc", () => {
  let t: TestCtx;
  let app: FastifyInstance;
  let base: string;
  let sampleId: string;
  let roiId: string;
  let inspId: string;
  let inspNoHeatmap: string;
  let identity: () => Promise<Record<string, string>>;
  /** Every call of this suite is signed in as qa-eve (an engineer), as the dashboard's proxy would send it. */
  async function fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    for (const [k, v] of Object.entries(await identity())) headers.set(k, v);
    return globalThis.fetch(url, { ...init, headers });
  }

  before(async () => {
    t = await makeTestCtx({ backbone: "starting" });
    identity = await signedInAs(t.ctx, "qa-eve", "engineer");
    app = await buildApp(t.ctx, { logger: false });
    await app.listen({ port: 0, host: "127.0.0.1" });
    const addr = app.server.address();
    base = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;
  });
  after(async () => {
    await app.close();
    await t.cleanup();
  });

  it("samples.upload accepts a multipart FormData POST on /trpc and records the signed-in user", async () => {
    const [a, b] = await okCrops(2);
    const fd = new FormData();
    fd.append("recipeId", "disc-http");
    fd.append("roleId", "Inspection");
    fd.append("roiName", "inspection-1");
    fd.append("label", "ok");
    fd.append("files", new File([new Uint8Array(a!)], "a.png", { type: "image/png" }));
    fd.append("files", new File([new Uint8Array(b!)], "b.png", { type: "image/png" }));
    const r = await fetch(`${base}/trpc/samples.upload`, { method: "POST", body: fd });
    const body = (await r.json()) as { result: { data: { roi: { id: string }; samples: Array<{ id: string }> } } };
    assert.equal(r.status, 200, JSON.stringify(body));
    assert.equal(body.result.data.samples.length, 2);
    sampleId = body.result.data.samples[0]!.id;
    roiId = body.result.data.roi.id;
    const audit = await t.caller().audit.list({ entityId: sampleId });
    assert.equal(audit.items[0]!.actor, "qa-eve");
  });

  it("input errors come back as 400 with a readable message and the issues", async () => {
    const r = await fetch(`${base}/trpc/samples.list?input=${encodeURIComponent(JSON.stringify({ roiId: "../etc" }))}`);
    assert.equal(r.status, 400);
    const body = (await r.json()) as { error: { message: string; data: { code: string; issues: Array<{ path: string[]; message: string }> } } };
    assert.equal(body.error.data.code, "BAD_REQUEST");
    assert.match(body.error.message, /^Invalid input: roiId: must be an id/);
    assert.deepEqual(body.error.data.issues[0]!.path, ["roiId"]);
    const nf = await fetch(`${base}/trpc/samples.get?input=${encodeURIComponent(JSON.stringify({ id: "nope" }))}`);
    assert.equal(nf.status, 404);
  });

  it("GET /api/samples/:id/image serves the stored bytes with an immutable cache and ETag", async () => {
    const r = await fetch(`${base}/api/samples/${sampleId}/image`);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get("content-type"), "image/png");
    assert.match(r.headers.get("cache-control") ?? "", /immutable/);
    const etag = r.headers.get("etag")!;
    const meta = await sharp(Buffer.from(await r.arrayBuffer())).metadata();
    assert.equal(meta.width, 160);
    const again = await fetch(`${base}/api/samples/${sampleId}/image`, { headers: { "if-none-match": etag } });
    assert.equal(again.status, 304);
  });

  it("GET /api/samples/:id/thumb resizes to the requested size (webp)", async () => {
    const r = await fetch(`${base}/api/samples/${sampleId}/thumb?size=128`);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get("content-type"), "image/webp");
    const meta = await sharp(Buffer.from(await r.arrayBuffer())).metadata();
    assert.equal(meta.width, 128);
    assert.equal(meta.height, 102);
    assert.equal((await fetch(`${base}/api/samples/${sampleId}/thumb?size=100`)).status, 400);
  });

  it("ids are validated and errors never show a path", async () => {
    for (const p of ["/api/samples/bad.id/image", "/api/samples/..%2F..%2Fetc/image", "/api/inspections/a%20b/heatmap"]) {
      const r = await fetch(base + p);
      assert.equal(r.status, 400, p);
    }
    const nf = await fetch(`${base}/api/samples/unknownid/image`);
    assert.equal(nf.status, 404);
    const text = await nf.text();
    assert.deepEqual(JSON.parse(text), { error: "sample not found" });
    // A row whose file is gone: 404 without the stored path.
    await t.ctx.db.prisma.sample.update({ where: { id: sampleId }, data: { storedPath: "samples/gone.png" } }).catch(() => undefined);
    const gone = await fetch(`${base}/api/samples/${sampleId}/image`);
    assert.equal(gone.status, 404);
    const goneText = await gone.text();
    assert.ok(!goneText.includes(t.dataRoot) && !goneText.includes("gone.png"), goneText);
  });

  it("GET /api/inspections/:id/image and /heatmap (gray or colour overlay)", async () => {
    const [crop] = await okCrops(1);
    const gray = await sharp({ create: { width: 160, height: 128, channels: 3, background: { r: 200, g: 200, b: 200 } } }).toColourspace("b-w").png().toBuffer();
    await writeAtomic(t.dataRoot, "inspections/t/x.png", crop!);
    await writeAtomic(t.dataRoot, "inspections/t/x_heatmap.png", gray);
    const db = t.ctx.db.prisma;
    inspId = (await createInspection(db, { roiId, imageSha256: "c".repeat(64), imagePath: "inspections/t/x.png", heatmapPath: "inspections/t/x_heatmap.png", width: 160, height: 128, score: 2, threshold: 1, decision: "ng", source: "legacy-infer" })).id;
    inspNoHeatmap = (await createInspection(db, { roiId, imageSha256: "d".repeat(64), width: 160, height: 128, score: 0.1, threshold: 1, decision: "ok", source: "legacy-infer" })).id;
    const img = await fetch(`${base}/api/inspections/${inspId}/image`);
    assert.equal(img.status, 200);
    assert.equal(img.headers.get("content-type"), "image/png");
    const hm = await fetch(`${base}/api/inspections/${inspId}/heatmap`);
    assert.equal(hm.status, 200);
    assert.equal((await sharp(Buffer.from(await hm.arrayBuffer())).metadata()).channels, 1);
    const color = await fetch(`${base}/api/inspections/${inspId}/heatmap?style=color`);
    assert.equal(color.status, 200);
    const cm = await sharp(Buffer.from(await color.arrayBuffer())).metadata();
    assert.equal(cm.channels, 4);
    assert.equal(cm.width, 160);
    assert.equal((await fetch(`${base}/api/inspections/${inspId}/heatmap?style=rainbow`)).status, 400);
    assert.equal((await fetch(`${base}/api/inspections/${inspNoHeatmap}/heatmap`)).status, 404);
    assert.equal((await fetch(`${base}/api/inspections/${inspNoHeatmap}/image`)).status, 404);
  });

  it("GET /api/inspections/:id/heatmap?style=above colours only what is at or above the threshold", async () => {
    const db = t.ctx.db.prisma;
    // Uniform gray 200 over the range [0, 2] stands for 200/255·2 ≈ 1.57: above a threshold of 1, below one of 1.8.
    const make = (threshold: number) =>
      createInspection(db, { roiId, imageSha256: "e".repeat(64), imagePath: "inspections/t/x.png", heatmapPath: "inspections/t/x_heatmap.png", heatmapRange: [0, 2], width: 160, height: 128, score: 2, threshold, decision: "ng", source: "legacy-infer" });
    const alphaOf = async (id: string) => {
      const r = await fetch(`${base}/api/inspections/${id}/heatmap?style=above`);
      assert.equal(r.status, 200);
      const { data } = await sharp(Buffer.from(await r.arrayBuffer())).raw().toBuffer({ resolveWithObject: true });
      return data[3];
    };
    assert.ok((await alphaOf((await make(1)).id))! > 200, "coloured: above the threshold");
    assert.equal(await alphaOf((await make(1.8)).id), 0, "transparent: below the threshold");
    // An inspection stored before the range was kept cannot say what is above its threshold.
    assert.equal((await fetch(`${base}/api/inspections/${inspId}/heatmap?style=above`)).status, 409);
  });

  it("GET /api/audit.csv downloads the filtered audit log", async () => {
    const r = await fetch(`${base}/api/audit.csv?actor=qa-eve&actionPrefix=sample.`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get("content-type") ?? "", /^text\/csv/);
    assert.match(r.headers.get("content-disposition") ?? "", /^attachment; filename="audit-.*\.csv"$/);
    const lines = (await r.text()).trim().split("\r\n");
    assert.equal(lines[0], "at,actor,action,entityType,entityId,requestId,reason,beforeJson,afterJson");
    assert.equal(lines.length, 3, "two sample.create events by qa-eve");
    assert.ok(lines.slice(1).every((l) => l.includes(",qa-eve,sample.create,")));
    const bad = await fetch(`${base}/api/audit.csv?from=not-a-date`);
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: string }).error, /from/);
  });

  it("fit.progress streams a job as server-sent events until it finishes", async () => {
    const svc = getServices(t.ctx);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { id, done } = svc.jobs.submit("fit", roiId, { actor: "test" }, async (progress) => {
      await gate;
      progress(0.25, "extract", "1/4");
      progress(0.75, "coreset");
      return { ok: true };
    });
    const r = await fetch(`${base}/trpc/fit.progress?input=${encodeURIComponent(JSON.stringify({ jobId: id }))}`, {
      headers: { accept: "text/event-stream" },
    });
    assert.equal(r.status, 200);
    assert.match(r.headers.get("content-type") ?? "", /text\/event-stream/);
    const reader = r.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    let released = false;
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      const { value, done: end } = await reader.read();
      if (end) break;
      text += decoder.decode(value, { stream: true });
      if (!released && text.includes('"status":"running"')) {
        released = true;
        release();
      }
      if (/event: return/.test(text)) break;
    }
    await reader.cancel().catch(() => undefined);
    await done;
    const snaps = text
      .split("\n")
      .filter((l) => l.startsWith("data: "))
      .map((l) => { try { return JSON.parse(l.slice(6)); } catch { return null; } })
      .filter((d) => d && typeof d === "object" && "status" in d) as Array<{ status: string; progress: number; stage: string }>;
    assert.ok(snaps.length >= 3, text);
    assert.deepEqual(snaps.map((s) => s.stage).slice(-3), ["extract", "coreset", "done"]);
    assert.equal(snaps.at(-1)!.status, "succeeded");
    assert.match(text, /event: return/, "the stream ends when the job finishes");
  });
});
