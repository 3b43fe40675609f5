// Retention's repository part on the engine under test (SQLite, and PostgreSQL in the package's PG leg): which rows
// are due, marking them expired, the last run, and the run lock (on PostgreSQL two holders never overlap).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createTestDb, TEST_CTX, TEST_ROI_KEY } from "../testing.ts";
import { upsertRoi } from "./rois.ts";
import { appendAudit } from "./audit.ts";
import { createInspection } from "./inspections.ts";
import { lastScheduledRun, listInspectionsWithEvidenceDue, markInspectionEvidenceExpired, withRunLock } from "./retention.ts";

const DAY = 24 * 60 * 60 * 1000;

test("retention: due rows by age, decision and review; marking clears the paths and keeps the rows; last run", async () => {
  const t = await createTestDb();
  try {
    const { roi } = await upsertRoi(t.prisma, TEST_ROI_KEY, TEST_CTX);
    const now = Date.now();
    const make = async (name: string, days: number, decision: "ok" | "ng", reviewStatus = "pending", files = true) => {
      const i = await createInspection(t.prisma, {
        roiId: roi.id, score: decision === "ng" ? 2 : 0.5, threshold: 1, decision, imageSha256: name, width: 16, height: 16, regions: [],
        source: "legacy-infer", imagePath: files ? `inspections/${name}.png` : null, heatmapPath: files ? `inspections/${name}_heatmap.png` : null,
      });
      await t.prisma.inspection.update({ where: { id: i.id }, data: { createdAt: new Date(now - days * DAY), reviewStatus } });
      return i.id;
    };
    const oldOk = await make("old-ok", 40, "ok");
    const oldNg = await make("old-ng", 40, "ng");
    const oldReviewed = await make("old-reviewed", 40, "ok", "false_positive");
    const newOk = await make("new-ok", 10, "ok");
    await make("old-ok-no-files", 40, "ok", "pending", false);
    const veryOldNg = await make("very-old-ng", 100, "ng");

    const ids = async (before: number | null, ngBefore: number | null) =>
      (await listInspectionsWithEvidenceDue(t.prisma, { before: before === null ? null : new Date(now - before * DAY), ngBefore: ngBefore === null ? null : new Date(now - ngBefore * DAY), take: 100 }))
        .map((i) => i.id).sort();
    assert.deepEqual(await ids(30, 90), [oldOk, veryOldNg].sort());
    assert.deepEqual(await ids(30, null), [oldOk], "NG / reviewed kept forever without a second limit");
    assert.deepEqual(await ids(null, 30), [oldNg, oldReviewed, veryOldNg].sort());
    assert.deepEqual(await ids(5, 5), [oldOk, oldNg, oldReviewed, newOk, veryOldNg].sort());
    assert.deepEqual(await ids(null, null), []);

    const at = new Date(now);
    assert.equal(await markInspectionEvidenceExpired(t.prisma, [oldOk, veryOldNg], at), 2);
    const row = await t.prisma.inspection.findUniqueOrThrow({ where: { id: oldOk } });
    assert.deepEqual([row.imagePath, row.heatmapPath, row.evidenceExpiredAt?.getTime()], [null, null, at.getTime()]);
    assert.deepEqual(await ids(30, 90), [], "expired rows are not due again");
    assert.equal(await t.prisma.inspection.count(), 6, "rows kept");

    assert.equal(await lastScheduledRun(t.prisma, "inspection.retention"), null);
    await appendAudit(t.prisma, { action: "inspection.retention", entityType: "Service", entityId: "retention", after: { n: 1 } }, TEST_CTX);
    assert.ok(Math.abs((await lastScheduledRun(t.prisma, "inspection.retention"))!.getTime() - Date.now()) < 60_000);
  } finally {
    await t.cleanup();
  }
});

test("retention: the run lock lets one holder at a time run (PostgreSQL advisory lock); the function's result comes back", async () => {
  const t = await createTestDb();
  try {
    assert.equal(await withRunLock(t.prisma, t.engine, "test-job", async () => 42, { timeoutMs: 10_000 }), 42);
    if (t.engine !== "postgresql") return; // SQLite: one service owns the database, nothing to exclude
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    const first = withRunLock(t.prisma, t.engine, "test-job", async () => {
      entered();
      await held;
      return "first";
    }, { timeoutMs: 10_000 });
    await inside;
    assert.equal(await withRunLock(t.prisma, t.engine, "test-job", async () => "second", { timeoutMs: 10_000 }), null, "refused while held");
    assert.equal(await withRunLock(t.prisma, t.engine, "other-job", async () => "other", { timeoutMs: 10_000 }), "other", "another name is another lock");
    release();
    assert.equal(await first, "first");
    assert.equal(await withRunLock(t.prisma, t.engine, "test-job", async () => "third", { timeoutMs: 10_000 }), "third", "released at commit");
  } finally {
    await t.cleanup();
  }
});
