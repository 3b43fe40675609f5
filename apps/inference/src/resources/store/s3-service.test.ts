// The service with BDI_STORE=s3://… (s3rver on loopback, the real AWS SDK): samples uploaded through the legacy REST
// API, a fit, /infer — nothing of it in the data root but the replica's cache — then a second instance (same database,
// an empty data root) answers /state and /infer with that version, fetching its bank once into its cache keyed by
// content hash. A version's objects are usable only whole: half an upload, or a bank whose bytes are not the ones its
// meta.json names, is refused without leaving anything in the cache.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createHash } from "node:crypto";
import { createDb } from "@bdi/db";
import { loadConfig } from "../../config.ts";
import { buildApp } from "../../app.ts";
import type { ServiceContext } from "../../context.ts";
import { BackboneHolder } from "../../runtime/backbone-state.ts";
import { loadServiceBackbone } from "../../runtime/load-backbone.ts";
import { getServices } from "../../services/index.ts";
import { recoverAfterCrash } from "../../services/recovery.ts";
import { call, countObjects, okCrops, startService, uploadParts, type NetPart, type TestService } from "../../legacy/test-support.ts";
import { startTestS3, type TestS3 } from "../../testing/s3-server.ts";
import { VersionArtifacts } from "./versions.ts";

const ROI: NetPart[] = [
  { kind: "text", name: "role_id", value: "Inspection" },
  { kind: "text", name: "roi_id", value: "inspection-1" },
  { kind: "text", name: "mm_per_px", value: "0.2" },
  { kind: "text", name: "model_key", value: "inspection-1" },
];
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

describe("service on an S3 store: fit on one instance, score on another with an empty cache", () => {
  let s3: TestS3;
  let a: TestService;
  const closers: Array<() => Promise<void>> = [];
  before(async () => {
    s3 = await startTestS3();
    a = await startService({ ...s3.env, BDI_MIN_OK_SAMPLES: "3", BDI_SCORING_WORKERS: "1" });
  });
  after(async () => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
    await a?.close();
    await s3?.close();
  });

  /** A second instance on the same database with its own, empty data root (another replica of a plant). */
  async function secondInstance() {
    const dataRoot = mkdtempSync(path.join(tmpdir(), "bdi-s3-replica-"));
    const config = loadConfig({ ...s3.env, BDI_DATA_ROOT: dataRoot, BDI_LOG_LEVEL: "silent", BDI_THREADS: "2", BDI_INPUT_SIZE: "320", BDI_SCORING_WORKERS: "1" });
    const db = await createDb({ url: `file:${a.ctx.db.file}`, migrate: false });
    const ctx = { config, db, backbone: new BackboneHolder(), startedAt: Date.now() } as ServiceContext;
    const app = await buildApp(ctx, { logger: false });
    await app.listen({ port: 0, host: "127.0.0.1" });
    await ctx.backbone.load(() => loadServiceBackbone(config));
    const addr = app.server.address();
    closers.push(async () => {
      await app.close();
      await db.close();
      rmSync(dataRoot, { recursive: true, force: true });
    });
    return { base: `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`, dataRoot, svc: getServices(ctx) };
  }

  it("uploads, fits and infers through the bucket; the other instance downloads the bank once and scores the same", async () => {
    const crops = await okCrops(5);
    for (let i = 0; i < 4; i++) {
      const up = await call(a.base, "POST", "/datasets/ok/upload", { multipart: uploadParts("ok", crops[i]!, i) });
      assert.equal(up.status, 200, up.text);
    }
    const fit = await call(a.base, "POST", "/fit_ok", { multipart: [...ROI, { kind: "text", name: "use_dataset", value: "true" }, { kind: "text", name: "memory_fit", value: "false" }] });
    assert.equal(fit.status, 200, fit.text);
    const inferA = await call(a.base, "POST", "/infer", { multipart: [...ROI, { kind: "file", name: "image", filename: "roi.png", data: crops[4]! }] });
    assert.equal(inferA.status, 200, inferA.text);

    // Everything is in the bucket; the data root holds the database and this replica's cache only.
    const version = (await a.ctx.db.prisma.modelVersion.findFirstOrThrow({ where: { status: "ready" } }));
    const rel = version.artifactPath!;
    assert.equal(await countObjects(a.store, "samples"), 4);
    assert.equal(await countObjects(a.store, "inspections"), 2, "the crop and its heatmap");
    const meta = JSON.parse((await a.store.get(`${rel}/meta.json`))!.toString()) as { contentSha256: Record<string, string>; norm?: unknown; cells?: unknown };
    const dataFiles = Object.keys(meta.contentSha256).sort();
    // these crops are registered: the positional memory's cells travel with the bank (and the normalisation if any)
    assert.ok(meta.cells, "a positional bank");
    assert.deepEqual(dataFiles, meta.norm ? ["bank.f32", "cells.u32", "norm.f32"] : ["bank.f32", "cells.u32"]);
    assert.equal(await countObjects(a.store, rel), dataFiles.length + 1);
    assert.equal(sha((await a.store.get(`${rel}/bank.f32`))!), meta.contentSha256["bank.f32"]);
    for (const d of ["samples", "inspections", "models"]) assert.ok(!existsSync(path.join(a.dataRoot, d)), `${d}/ in the data root`);
    assert.ok(existsSync(path.join(a.dataRoot, "cache", "blobs", meta.contentSha256["bank.f32"]!)), "the fitting instance keeps its bank by content hash");

    // The second instance: nothing local; /state and /infer fetch the version.
    const b = await secondInstance();
    const state = await call(b.base, "GET", "/state?role_id=Inspection&roi_id=inspection-1");
    assert.deepEqual([state.json.memory_fitted, state.json.calib_present], [true, true], state.text);
    const inferB = await call(b.base, "POST", "/infer", { multipart: [...ROI, { kind: "file", name: "image", filename: "roi.png", data: crops[4]! }] });
    assert.equal(inferB.status, 200, inferB.text);
    assert.deepEqual([inferB.json.score, inferB.json.threshold, inferB.json.decision], [inferA.json.score, inferA.json.threshold, inferA.json.decision]);
    assert.equal(b.svc.artifacts.downloads, dataFiles.length, "each data file fetched once");
    for (const f of dataFiles) {
      const blob = path.join(b.dataRoot, "cache", "blobs", meta.contentSha256[f]!);
      assert.equal(sha(readFileSync(blob)), meta.contentSha256[f]);
      assert.equal(statSync(blob).ino, statSync(path.join(b.dataRoot, "cache", "versions", version.id, f)).ino, "the version folder links the blob (no copy)");
    }
    const again = await call(b.base, "POST", "/infer", { multipart: [...ROI, { kind: "file", name: "image", filename: "roi.png", data: crops[3]! }] });
    assert.equal(again.status, 200);
    assert.equal(b.svc.artifacts.downloads, dataFiles.length, "no second download");
    assert.equal(await countObjects(a.store, "inspections"), 6, "the second instance's evidence is in the bucket too");

    // Keyed by content: a fresh process on that data root, its version folder gone, rebuilds it from the blobs.
    rmSync(path.join(b.dataRoot, "cache", "versions"), { recursive: true, force: true });
    const fresh = new VersionArtifacts(b.svc.store, b.dataRoot);
    const dir = await fresh.localDir(rel, version.id);
    assert.equal(fresh.downloads, 0);
    assert.ok(readFileSync(path.join(dir, "bank.f32")).equals((await a.store.get(`${rel}/bank.f32`))!));
  });

  it("start-up recovery with a bucket: this replica's stale cache goes, the bucket's recent objects stay (another replica may be writing)", async () => {
    const svc = getServices(a.ctx);
    const version = await a.ctx.db.prisma.modelVersion.findFirstOrThrow({ where: { status: "ready" } });
    const cache = (...p: string[]) => path.join(a.dataRoot, "cache", ...p);
    const meta = JSON.parse((await a.store.get(`${version.artifactPath}/meta.json`))!.toString()) as { contentSha256: Record<string, string> };
    const bankBlob = cache("blobs", meta.contentSha256["bank.f32"]!);
    mkdirSync(cache("versions", "gone-version"), { recursive: true });
    writeFileSync(cache("versions", "gone-version", "bank.f32"), "x");
    writeFileSync(cache("blobs", "f".repeat(64)), "unlinked");
    mkdirSync(cache("store", "samples"), { recursive: true });
    writeFileSync(cache("store", "samples", "x.png.tmp-1-abcd"), "partial download");
    const young = "models/default/Inspection__inspection-1/v0099-young";
    await a.store.put(`${young}/bank.f32`, Buffer.from("another replica's upload in progress"));

    const report = await recoverAfterCrash(svc);
    assert.ok(report.removed.orphanArtifacts.includes("cache/versions/gone-version"));
    assert.ok(report.removed.orphanArtifacts.includes(`cache/blobs/${"f".repeat(64)}`));
    assert.ok(report.removed.tempFiles.includes("cache/store/samples/x.png.tmp-1-abcd"));
    assert.ok(!existsSync(cache("versions", "gone-version")));
    assert.ok(existsSync(bankBlob) && existsSync(cache("versions", version.id, "bank.f32")), "the ready version's local copy stays");
    assert.equal(await a.store.exists(`${young}/bank.f32`), true, "a recent object of a version without a row stays");
    assert.equal(await countObjects(a.store, version.artifactPath!), Object.keys(meta.contentSha256).length + 1);
    await a.store.deletePrefix(young);
  });

  it("a half-uploaded version or a bank that is not the one meta.json names is refused and leaves nothing in the cache", async () => {
    const store = a.store;
    const dataRoot = mkdtempSync(path.join(tmpdir(), "bdi-s3-half-"));
    closers.push(async () => rmSync(dataRoot, { recursive: true, force: true }));
    const artifacts = new VersionArtifacts(store, dataRoot);
    const rel = "models/default/Inspection__half/v0001-half";
    const bank = Buffer.alloc(4 * 16, 7);
    await store.put(`${rel}/bank.f32`, bank); // the upload stopped before meta.json
    await assert.rejects(artifacts.localDir(rel, "half"), /meta\.json missing from the store/);
    assert.ok(!existsSync(path.join(dataRoot, "cache", "versions", "half")));

    await store.put(`${rel}/meta.json`, Buffer.from(JSON.stringify({ format: 1, file: "bank.f32", n: 1, dim: 16, contentSha256: { "bank.f32": "0".repeat(64) } })));
    await assert.rejects(artifacts.localDir(rel, "half"), /content hash/);
    assert.ok(!existsSync(path.join(dataRoot, "cache", "versions", "half")));
    assert.ok(!existsSync(path.join(dataRoot, "cache", "blobs", "0".repeat(64))));
    await store.deletePrefix(rel);
  });
});
