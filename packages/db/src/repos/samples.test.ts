import { test } from "node:test";
import assert from "node:assert/strict";
import { createTestDb, TEST_CTX, TEST_ROI_KEY, type TestDb } from "../testing.ts";
import { ConflictError, NotFoundError, ValidationError } from "../errors.ts";
import type { SampleLabel, SampleSource } from "../enums.ts";
import { upsertRoi } from "./rois.ts";
import { listAuditEvents } from "./audit.ts";
import {
  createSample, findSampleByFileName, findSamplesBySha256, getSample, listDatasetSamples, listSamples, relabelSample,
  restoreSample, setSampleNgRegions, setSampleNote, softDeleteSample,
} from "./samples.ts";

async function seed(t: TestDb) {
  const { roi } = await upsertRoi(t.prisma, TEST_ROI_KEY, TEST_CTX);
  let n = 0;
  const add = (label: SampleLabel, source: SampleSource = "dashboard", extra: Record<string, unknown> = {}) =>
    createSample(
      t.prisma,
      { roiId: roi.id, label, source, storedPath: `datasets/${label}/s${n}.png`, fileName: `s${n}.png`, sha256: `sha${n++}`, width: 64, height: 48, ...extra },
      TEST_CTX,
    );
  return { roi, add };
}

test("createSample stores fields and JSON, audits, validates", async () => {
  const t = await createTestDb();
  try {
    const { roi, add } = await seed(t);
    const s = await add("ok", "legacy-upload", { originalFileName: "sample_1.png", mmPerPx: 0.2, shape: { kind: "circle" }, clientMeta: { angle: null } });
    assert.equal(s.label, "ok");
    assert.equal(s.roiId, roi.id);
    assert.deepEqual(JSON.parse(s.shapeJson!), { kind: "circle" });
    assert.deepEqual(JSON.parse(s.clientMetaJson!), { angle: null });
    assert.equal(s.deletedAt, null);
    const [ev] = (await listAuditEvents(t.prisma, { action: "sample.create" })).items;
    assert.equal(ev!.entityId, s.id);
    assert.equal(JSON.parse(ev!.afterJson!).sha256, s.sha256);
    assert.equal(ev!.beforeJson, null);

    await assert.rejects(add("maybe" as SampleLabel), ValidationError);
    await assert.rejects(add("ok", "camera" as SampleSource), ValidationError);
    await assert.rejects(add("ok", "dashboard", { width: 0 }), ValidationError);
    await assert.rejects(add("ok", "dashboard", { roiId: "nope" }), /Foreign key/i);
  } finally {
    await t.cleanup();
  }
});

test("the audit event is written in the same transaction: a failing audit rolls the change back", async () => {
  const t = await createTestDb();
  try {
    const { roi } = await seed(t);
    const badCtx = {} as { actor: string };
    await assert.rejects(
      createSample(t.prisma, { roiId: roi.id, label: "ok", source: "dashboard", storedPath: "p", fileName: "f", sha256: "h", width: 1, height: 1 }, badCtx),
    );
    assert.equal(await t.prisma.sample.count(), 0);
    const s = await createSample(t.prisma, { roiId: roi.id, label: "ok", source: "dashboard", storedPath: "p", fileName: "f", sha256: "h", width: 1, height: 1 }, TEST_CTX);
    await assert.rejects(relabelSample(t.prisma, { sampleId: s.id, label: "ng" }, badCtx));
    assert.equal((await getSample(t.prisma, s.id)).label, "ok");
  } finally {
    await t.cleanup();
  }
});

test("listSamples filters by label, source, date range and deletion, newest first, cursor pages", async () => {
  const t = await createTestDb();
  try {
    const { roi, add } = await seed(t);
    const created = [];
    for (let i = 0; i < 12; i++) created.push(await add(i % 3 === 0 ? "ng" : "ok", i < 6 ? "legacy-upload" : "dashboard"));
    // Same timestamp for several rows: ordering must still be total (createdAt, id).
    const sameTime = new Date("2026-01-02T00:00:00.000Z");
    for (const [i, s] of created.entries()) {
      await t.prisma.sample.update({ where: { id: s.id }, data: { createdAt: i < 4 ? new Date(`2026-01-01T00:00:0${i}.000Z`) : sameTime } });
    }

    const all = await listSamples(t.prisma, { roiId: roi.id, limit: 100 });
    assert.equal(all.items.length, 12);
    assert.equal(all.nextCursor, null);
    for (let i = 1; i < all.items.length; i++) assert.ok(+all.items[i - 1]!.createdAt >= +all.items[i]!.createdAt);

    const paged: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Awaited<ReturnType<typeof listSamples>> = await listSamples(t.prisma, { roiId: roi.id, limit: 5, cursor });
      paged.push(...page.items.map((s) => s.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    assert.equal(pages, 3);
    assert.deepEqual(paged, all.items.map((s) => s.id), "pages concatenate to the full list, no gaps or repeats");

    assert.equal((await listSamples(t.prisma, { label: "ng" })).items.length, 4);
    assert.equal((await listSamples(t.prisma, { source: "dashboard", label: "ok" })).items.length, 4);
    const early = await listSamples(t.prisma, { from: new Date("2026-01-01T00:00:01.000Z"), to: new Date("2026-01-01T00:00:03.000Z") });
    assert.deepEqual(early.items.map((s) => s.id), [created[2]!.id, created[1]!.id], "from inclusive, to exclusive");

    await softDeleteSample(t.prisma, { sampleId: created[0]!.id }, TEST_CTX);
    assert.equal((await listSamples(t.prisma, { roiId: roi.id, limit: 100 })).items.length, 11);
    assert.deepEqual((await listSamples(t.prisma, { deleted: "only" })).items.map((s) => s.id), [created[0]!.id]);
    assert.equal((await listSamples(t.prisma, { deleted: "include", limit: 100 })).items.length, 12);
    const dataset = await listDatasetSamples(t.prisma, { roiId: roi.id, label: "ng" });
    assert.deepEqual(new Set(dataset.map((s) => s.id)), new Set([created[3]!.id, created[6]!.id, created[9]!.id]), "deleted excluded");
    assert.equal(dataset[0]!.id, created[3]!.id, "oldest first");
  } finally {
    await t.cleanup();
  }
});

test("relabel, note, NG regions, soft delete and restore: audited with before/after, no-ops are silent", async () => {
  const t = await createTestDb();
  try {
    const { add } = await seed(t);
    const s = await add("unlabeled");
    const ctx = { actor: "qa.alice", requestId: "r-7", reason: "looked again" };

    const relabelled = await relabelSample(t.prisma, { sampleId: s.id, label: "ng", storedPath: "datasets/ng/s0.png" }, ctx);
    assert.equal(relabelled.label, "ng");
    assert.equal(relabelled.storedPath, "datasets/ng/s0.png");
    await relabelSample(t.prisma, { sampleId: s.id, label: "ng" }, ctx); // no-op

    await setSampleNote(t.prisma, { sampleId: s.id, note: "scratch near hub" }, ctx);
    await setSampleNote(t.prisma, { sampleId: s.id, note: "scratch near hub" }, ctx); // no-op
    const regions = [{ x: 1, y: 2, w: 3, h: 4 }];
    const withRegions = await setSampleNgRegions(t.prisma, { sampleId: s.id, regions }, ctx);
    assert.deepEqual(JSON.parse(withRegions.ngRegionsJson!), regions);

    const deleted = await softDeleteSample(t.prisma, { sampleId: s.id }, ctx);
    assert.ok(deleted.deletedAt instanceof Date);
    await softDeleteSample(t.prisma, { sampleId: s.id }, ctx); // no-op
    await assert.rejects(relabelSample(t.prisma, { sampleId: s.id, label: "ok" }, ctx), ConflictError);
    const restored = await restoreSample(t.prisma, { sampleId: s.id }, ctx);
    assert.equal(restored.deletedAt, null);
    assert.equal(await t.prisma.sample.count(), 1, "soft delete keeps the row");

    const events = (await listAuditEvents(t.prisma, { entityType: "Sample", entityId: s.id })).items.reverse();
    assert.deepEqual(events.map((e) => e.action), [
      "sample.create", "sample.relabel", "sample.set_note", "sample.set_ng_regions", "sample.delete", "sample.restore",
    ]);
    const relabel = events[1]!;
    assert.equal(relabel.actor, "qa.alice");
    assert.equal(relabel.requestId, "r-7");
    assert.equal(relabel.reason, "looked again");
    assert.equal(JSON.parse(relabel.beforeJson!).label, "unlabeled");
    assert.equal(JSON.parse(relabel.afterJson!).label, "ng");

    await assert.rejects(setSampleNote(t.prisma, { sampleId: "missing", note: null }, ctx), NotFoundError);
  } finally {
    await t.cleanup();
  }
});

test("find by sha256 and by file name (stored name first, then the client's original name)", async () => {
  const t = await createTestDb();
  try {
    const { roi, add } = await seed(t);
    const a = await add("ok", "legacy-upload", { sha256: "dup", fileName: "20260112-101500-123456.png", originalFileName: "sample_1.png" });
    const b = await add("ng", "dashboard", { sha256: "dup" });
    await add("ok", "dashboard", { sha256: "other" });
    assert.deepEqual(new Set((await findSamplesBySha256(t.prisma, { sha256: "dup" })).map((s) => s.id)), new Set([a.id, b.id]));
    await softDeleteSample(t.prisma, { sampleId: b.id }, TEST_CTX);
    assert.deepEqual((await findSamplesBySha256(t.prisma, { sha256: "dup", roiId: roi.id })).map((s) => s.id), [a.id]);
    assert.equal((await findSamplesBySha256(t.prisma, { sha256: "dup", includeDeleted: true })).length, 2);

    assert.equal((await findSampleByFileName(t.prisma, { roiId: roi.id, fileName: "20260112-101500-123456.png" }))!.id, a.id);
    assert.equal((await findSampleByFileName(t.prisma, { roiId: roi.id, fileName: "sample_1.png" }))!.id, a.id);
    assert.equal(await findSampleByFileName(t.prisma, { roiId: roi.id, fileName: "sample_1.png", label: "ng" }), null);
    assert.equal(await findSampleByFileName(t.prisma, { roiId: roi.id, fileName: "nope.png" }), null);
  } finally {
    await t.cleanup();
  }
});
