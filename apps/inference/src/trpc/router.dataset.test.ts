// Router tests without HTTP and without the backbone: dataset curation, overview, review of stored inspections,
// audit, and the error mapping of each.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createInspection } from "@bdi/db";
import { writeAtomic } from "../resources/storage.ts";
import { getServices } from "../services/index.ts";
import { makeTestCtx, ngCrop, okCrops, rejectsWith, uploadForm, type TestCtx } from "./test-support.ts";

describe("dashboard router: dataset, overview, review, audit (no backbone)", () => {
  let t: TestCtx;
  let ok: Buffer[];
  let ng: Buffer;
  let roiId: string;

  before(async () => {
    t = await makeTestCtx({ backbone: "starting" });
    ok = await okCrops(4);
    ng = await ngCrop(0);
  });
  after(() => t.cleanup());

  it("health and an empty overview", async () => {
    const c = t.caller();
    const h = await c.health();
    assert.equal(h.ready, false);
    assert.equal(h.status, "starting");
    const o = await c.overview();
    assert.deepEqual(o.recipes, []);
    assert.equal(o.health.status, "starting");
    assert.equal(o.today.inspections, 0);
    assert.equal(o.today.ngRate, null);
  });

  it("samples.upload creates the ROI and stores every file (FormData), audited with the actor", async () => {
    const c = t.caller("qa-anna");
    const res = await c.samples.upload(
      uploadForm({ recipeId: "disc-a", roleId: "Inspection", roiName: "inspection-1", label: "ok", mmPerPx: "0.2" }, ok.slice(0, 3).map((d, i) => ({ name: `ok${i}.png`, data: d }))),
    );
    assert.equal(res.samples.length, 3);
    assert.equal(res.roi.recipeId, "disc-a");
    assert.equal(res.roi.roiName, "inspection-1");
    roiId = res.roi.id;
    for (const s of res.samples) {
      assert.equal(s.label, "ok");
      assert.equal(s.source, "dashboard");
      assert.equal(s.width, 160);
      assert.equal(s.height, 128);
      assert.equal(s.mmPerPx, 0.2);
      assert.equal(s.imageUrl, `/api/samples/${s.id}/image`);
      assert.ok(!("storedPath" in s), "paths are not exposed");
    }
    const ngRes = await c.samples.upload(uploadForm({ roiId, label: "ng", note: "deep pit" }, [{ name: "ng.png", data: ng }]));
    assert.equal(ngRes.samples[0]!.label, "ng");
    assert.equal(ngRes.samples[0]!.note, "deep pit");
    assert.equal(ngRes.samples[0]!.mmPerPx, 0.2, "mm/px defaults to the recipe's locked value");
    const audit = await c.audit.list({ entityType: "Sample", action: "sample.create" });
    assert.equal(audit.items.length, 4);
    assert.ok(audit.items.every((e) => e.actor === "qa-anna"));
  });

  it("samples.upload is all or nothing and says what is wrong", async () => {
    const c = t.caller();
    await rejectsWith(
      c.samples.upload(uploadForm({ roiId, label: "ok" }, [{ name: "good.png", data: ok[3]! }, { name: "broken.png", data: Buffer.from("not an image") }])),
      "BAD_REQUEST",
      /broken\.png.*could not be decoded/,
    );
    const page = await c.samples.list({ roiId, label: "ok" });
    assert.equal(page.items.length, 3, "nothing was stored");
    await rejectsWith(c.samples.upload(uploadForm({ roiId, label: "ok" }, [])), "BAD_REQUEST", /files/);
    await rejectsWith(c.samples.upload(uploadForm({ label: "ok" }, [{ name: "a.png", data: ok[3]! }])), "BAD_REQUEST", /roiId/);
    await rejectsWith(c.samples.upload(uploadForm({ roiId, label: "maybe" }, [{ name: "a.png", data: ok[3]! }])), "BAD_REQUEST", /label/);
    // The recipe's mm/px is locked at 0.2 (legacy 409 rule).
    await rejectsWith(c.samples.upload(uploadForm({ roiId, label: "ok", mmPerPx: "0.3" }, [{ name: "a.png", data: ok[3]! }])), "CONFLICT", /mm_per_px mismatch/);
    await rejectsWith(c.samples.upload(uploadForm({ roiId: "nope", label: "ok" }, [{ name: "a.png", data: ok[3]! }])), "NOT_FOUND", /Roi not found/);
  });

  it("samples.list filters and paginates with a cursor, newest first", async () => {
    const c = t.caller();
    const all = await c.samples.list({ roiId });
    assert.equal(all.items.length, 4);
    assert.equal(all.nextCursor, null);
    const p1 = await c.samples.list({ roiId, limit: 3 });
    assert.equal(p1.items.length, 3);
    assert.ok(p1.nextCursor);
    const p2 = await c.samples.list({ roiId, limit: 3, cursor: p1.nextCursor });
    assert.equal(p2.items.length, 1);
    assert.equal(p2.nextCursor, null);
    assert.deepEqual([...p1.items, ...p2.items].map((s) => s.id), all.items.map((s) => s.id));
    assert.equal((await c.samples.list({ roiId, label: "ng" })).items.length, 1);
    assert.equal((await c.samples.list({ roiId, source: "legacy-upload" })).items.length, 0);
    assert.equal((await c.samples.list({ roiId, from: "2999-01-01" })).items.length, 0);
    assert.equal((await c.samples.list({ roiId, to: new Date(Date.now() + 60_000).toISOString() })).items.length, 4);
    await rejectsWith(c.samples.list({ roiId, from: "yesterday" }), "BAD_REQUEST", /from/);
    await rejectsWith(c.samples.list({ roiId, limit: 0 }), "BAD_REQUEST", /limit/);
    await rejectsWith(c.samples.list({ roiId: "../../etc" }), "BAD_REQUEST", /roiId: must be an id/);
  });

  it("relabel, note, soft delete and restore are audited; a deleted sample cannot be relabelled", async () => {
    const c = t.caller("qa-ben");
    const [s] = (await c.samples.list({ roiId, label: "ok", limit: 1 })).items;
    const r = await c.samples.relabel({ id: s!.id, label: "ng", reason: "pit visible at the edge" });
    assert.equal(r.label, "ng");
    const n = await c.samples.setNote({ id: s!.id, note: "check lighting" });
    assert.equal(n.note, "check lighting");
    assert.equal((await c.samples.setNote({ id: s!.id, note: "" })).note, null);
    const d = await c.samples.delete({ id: s!.id });
    assert.ok(d.deletedAt);
    assert.equal((await c.samples.list({ roiId, deleted: "only" })).items.length, 1);
    await rejectsWith(c.samples.relabel({ id: s!.id, label: "ok" }), "CONFLICT", /deleted; restore it first/);
    const back = await c.samples.restore({ id: s!.id });
    assert.equal(back.deletedAt, null);
    await c.samples.relabel({ id: s!.id, label: "ok" });
    const got = await c.samples.get({ id: s!.id });
    assert.equal(got.label, "ok");
    assert.deepEqual(got.trainedVersions, []);
    const events = await c.audit.list({ entityId: s!.id });
    assert.deepEqual(
      events.items.map((e) => e.action).reverse(),
      ["sample.create", "sample.relabel", "sample.set_note", "sample.set_note", "sample.delete", "sample.restore", "sample.relabel"],
    );
    const relabel = events.items.find((e) => e.reason === "pit visible at the edge");
    assert.equal(relabel?.actor, "qa-ben");
    assert.equal((relabel?.before as { label: string }).label, "ok");
    assert.equal((relabel?.after as { label: string }).label, "ng");
    await rejectsWith(c.samples.get({ id: "missing" }), "NOT_FOUND", /Sample not found: missing/);
  });

  it("samples.setNgRegions stores rectangles and polygons on NG samples only, inside the crop", async () => {
    const c = t.caller();
    const [ngS] = (await c.samples.list({ roiId, label: "ng" })).items;
    const [okS] = (await c.samples.list({ roiId, label: "ok", limit: 1 })).items;
    const regions = [
      { kind: "rect" as const, x: 10, y: 12, w: 30, h: 20 },
      { kind: "polygon" as const, points: [[50, 50], [80, 52], [70, 90]] as [number, number][] },
    ];
    const saved = await c.samples.setNgRegions({ id: ngS!.id, regions });
    assert.deepEqual(saved.ngRegions, regions);
    await rejectsWith(c.samples.setNgRegions({ id: ngS!.id, regions: [{ kind: "rect", x: 150, y: 0, w: 30, h: 10 }] }), "BAD_REQUEST", /outside the 160x128 px crop/);
    await rejectsWith(c.samples.setNgRegions({ id: ngS!.id, regions: [{ kind: "polygon", points: [[1, 1], [2, 2]] }] }), "BAD_REQUEST", /at least 3 points/);
    await rejectsWith(c.samples.setNgRegions({ id: okS!.id, regions }), "PRECONDITION_FAILED", /only be drawn on an NG sample/);
    assert.equal((await c.samples.setNgRegions({ id: ngS!.id, regions: [] })).ngRegions, null);
    await c.samples.setNgRegions({ id: ngS!.id, regions });
  });

  it("samples.bulk is all or nothing", async () => {
    const c = t.caller();
    const oks = (await c.samples.list({ roiId, label: "ok" })).items;
    await rejectsWith(c.samples.bulk({ action: "delete", ids: [oks[0]!.id, "missing-id"] }), "NOT_FOUND", /missing-id/);
    assert.equal((await c.samples.list({ roiId, deleted: "only" })).items.length, 0, "nothing was deleted");
    const del = await c.samples.bulk({ action: "delete", ids: oks.map((s) => s.id), reason: "blurry batch" });
    assert.equal(del.count, oks.length);
    assert.equal((await c.samples.list({ roiId, label: "ok" })).items.length, 0);
    await c.samples.bulk({ action: "restore", ids: oks.map((s) => s.id) });
    const rel = await c.samples.bulk({ action: "relabel", ids: [oks[0]!.id], label: "unlabeled" });
    assert.equal(rel.items[0]!.label, "unlabeled");
    await c.samples.bulk({ action: "relabel", ids: [oks[0]!.id], label: "ok" });
    await rejectsWith(c.samples.bulk({ action: "relabel", ids: [] as string[], label: "ok" }), "BAD_REQUEST");
    const ev = await c.audit.list({ action: "sample.delete", limit: 500 });
    assert.ok(ev.items.filter((e) => e.reason === "blurry batch").length === oks.length);
  });

  it("overview and rois.list show the ROI with its counts, today's NG rate and last inspections", async () => {
    const db = t.ctx.db.prisma;
    // Two stored inspections (as /infer would leave them), one with files on disk.
    const png = ok[0]!;
    await writeAtomic(t.dataRoot, "inspections/test/a.png", png);
    await writeAtomic(t.dataRoot, "inspections/test/a_heatmap.png", png);
    await createInspection(db, { roiId, imageSha256: "a".repeat(64), imagePath: "inspections/test/a.png", heatmapPath: "inspections/test/a_heatmap.png", width: 160, height: 128, mmPerPx: 0.2, score: 2.5, threshold: 1.5, decision: "ng", regions: [], source: "legacy-infer" });
    await createInspection(db, { roiId, imageSha256: "b".repeat(64), width: 160, height: 128, score: 0.5, threshold: 1.5, decision: "ok", source: "legacy-infer" });
    const c = t.caller();
    const o = await c.overview({ lastInspections: 1 });
    assert.equal(o.recipes.length, 1);
    const roi = o.recipes[0]!.roles[0]!.rois[0]!;
    assert.equal(roi.id, roiId);
    assert.deepEqual(roi.counts, { ok: 3, ng: 1, unlabeled: 0 });
    assert.equal(roi.fitted, false);
    assert.equal(roi.activeModelVersion, null);
    assert.deepEqual(roi.today, { inspections: 2, ng: 1, ngRate: 0.5 });
    assert.equal(roi.lastInspections.length, 1);
    assert.equal(o.today.ngRate, 0.5);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
    assert.equal((await c.overview({ since: tomorrow })).today.inspections, 0);
    const rois = await c.rois.list();
    assert.equal(rois[0]!.label, "disc-a / Inspection / inspection-1");
  });

  it("inspections: list with filters, get, review, add to the dataset (once)", async () => {
    const c = t.caller("qa-carl");
    const all = await c.inspections.list();
    assert.equal(all.items.length, 2);
    assert.equal((await c.inspections.list({ decision: "ng" })).items.length, 1);
    assert.equal((await c.inspections.list({ minScore: 1, maxScore: 3 })).items.length, 1);
    assert.equal((await c.inspections.list({ roiId, reviewStatus: "pending" })).items.length, 2);
    await rejectsWith(c.inspections.list({ minScore: 3, maxScore: 1 }), "BAD_REQUEST", /minScore must be <= maxScore/);
    const ngI = all.items.find((i) => i.decision === "ng")!;
    const okI = all.items.find((i) => i.decision === "ok")!;
    assert.equal(ngI.imageUrl, `/api/inspections/${ngI.id}/image`);
    assert.equal(okI.imageUrl, null);
    const d = await c.inspections.get({ id: ngI.id });
    assert.equal(d.scoreRatio, 2.5 / 1.5);
    assert.equal(d.roi.id, roiId);
    const r = await c.inspections.review({ id: ngI.id, verdict: "confirmed_ng", note: "real pit" });
    assert.equal(r.reviewStatus, "confirmed_ng");
    assert.equal(r.reviewer, "qa-carl");
    assert.equal((await c.inspections.list({ reviewStatus: "confirmed_ng" })).items.length, 1);
    const added = await c.inspections.addToDataset({ id: ngI.id, label: "ng" });
    assert.equal(added.sample.label, "ng");
    assert.equal(added.sample.source, "infer-capture");
    assert.equal(added.sample.inspectionId, ngI.id);
    assert.equal(added.inspection.reviewStatus, "confirmed_ng", "a consistent verdict is kept");
    await rejectsWith(c.inspections.addToDataset({ id: ngI.id, label: "ok" }), "CONFLICT", /already in the dataset as a NG sample/);
    await rejectsWith(c.inspections.addToDataset({ id: okI.id, label: "ok" }), "BAD_REQUEST", /did not keep its crop/);
    assert.equal((await c.inspections.get({ id: ngI.id })).samples.length, 1);
    await rejectsWith(c.inspections.review({ id: "nope", verdict: "pending" }), "NOT_FOUND");
    const ev = await c.audit.list({ entityId: ngI.id });
    assert.equal(ev.items[0]!.action, "inspection.review");
  });

  it("fit, calibration, testUpload and models report clear errors without a backbone or a model", async () => {
    const c = t.caller();
    await rejectsWith(c.fit.start({ roiId }), "SERVICE_UNAVAILABLE", /backbone is still loading/);
    await rejectsWith(c.fit.start({ roiId: "nope" }), "NOT_FOUND");
    await rejectsWith(c.fit.start({ roiId, coresetRate: 2 }), "BAD_REQUEST", /coresetRate/);
    await rejectsWith(c.calibration.data({ roiId }), "PRECONDITION_FAILED", /no active model version/);
    await rejectsWith(c.calibration.data({}), "BAD_REQUEST", /modelVersionId or roiId/);
    await rejectsWith(c.calibration.rescore({ modelVersionId: "nope", threshold: 1 }), "NOT_FOUND", /ModelVersion not found/);
    await rejectsWith(c.calibration.save({ modelVersionId: "nope", threshold: 1, reason: "x" }), "BAD_REQUEST", /reason/);
    await rejectsWith(c.models.activate({ id: "nope", reason: "rollback" }), "NOT_FOUND");
    await rejectsWith(c.models.compare({ a: "same", b: "same" }), "BAD_REQUEST", /two different versions/);
    const fd = new FormData();
    fd.append("roiId", roiId);
    fd.append("file", new File([new Uint8Array(ok[0]!)], "t.png", { type: "image/png" }));
    await rejectsWith(c.inspections.testUpload(fd), "SERVICE_UNAVAILABLE");
    await rejectsWith(c.inspections.testUpload(new FormData()), "BAD_REQUEST", /roiId/);
    assert.deepEqual(await c.jobs.list(), []);
    await rejectsWith(c.fit.progress({ jobId: "8c0d5e0e-4c38-4b8e-9a59-2b0a39f0d0a1" }), "NOT_FOUND", /job .* not found/);
    assert.deepEqual((await c.models.list({ roiId })).versions, []);
  });

  it("fit.progress (createCaller): snapshots of a running job; leaving early removes the listener", async () => {
    const jobs = getServices(t.ctx).jobs;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { id, done } = jobs.submit("fit", roiId, { actor: "test" }, async (progress) => {
      await gate;
      progress(0.5, "extract", "2/4");
      return { ok: true };
    });
    const before = jobs.listenerCount(`job:${id}`);
    const stream = await t.caller().fit.progress({ jobId: id });
    const seen: string[] = [];
    for await (const ev of stream) {
      seen.push(`${ev.status}:${ev.stage}`);
      if (seen.length === 1) release();
      if (ev.stage === "extract") break;
    }
    assert.equal(seen[0]!.split(":")[0] === "queued" || seen[0]!.split(":")[0] === "running", true);
    assert.ok(seen.includes("running:extract"), seen.join(","));
    assert.equal(jobs.listenerCount(`job:${id}`), before, "no listener left behind");
    await done;
    const listed = await t.caller().jobs.list({ roiId, status: "succeeded" });
    assert.equal(listed[0]!.id, id);
    assert.equal(listed[0]!.result, null, "a non-fit result is not exposed");
  });

  it("audit.list filters and paginates; facets list actors and actions", async () => {
    const c = t.caller();
    const byActor = await c.audit.list({ actor: "qa-ben" });
    assert.ok(byActor.items.length > 0 && byActor.items.every((e) => e.actor === "qa-ben"));
    const prefix = await c.audit.list({ actionPrefix: "sample.", limit: 2 });
    assert.equal(prefix.items.length, 2);
    const next = await c.audit.list({ actionPrefix: "sample.", limit: 2, cursor: prefix.nextCursor });
    assert.notEqual(next.items[0]!.id, prefix.items[0]!.id);
    assert.equal((await c.audit.list({ from: "2999-01-01" })).items.length, 0);
    const f = await c.audit.facets();
    assert.ok(f.actors.some((a) => a.value === "qa-anna"));
    assert.ok(f.actions.some((a) => a.value === "sample.relabel"));
    assert.ok(f.entityTypes.some((a) => a.value === "Sample"));
  });
});
