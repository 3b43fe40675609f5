import { test } from "node:test";
import assert from "node:assert/strict";
import { createTestDb, TEST_CTX, TEST_ROI_KEY } from "../testing.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import type { Decision, ReviewStatus } from "../enums.ts";
import { upsertRoi } from "./rois.ts";
import { listAuditEvents } from "./audit.ts";
import { createInspection, getInspection, listInspections, reviewInspection, type CreateInspectionInput } from "./inspections.ts";

test("inspections: create, filter (roi, recipe, decision, score range, review status, dates), paginate, review", async () => {
  const t = await createTestDb();
  try {
    const { roi: a } = await upsertRoi(t.prisma, TEST_ROI_KEY, TEST_CTX);
    const { roi: b } = await upsertRoi(t.prisma, { recipeId: "r2", roleId: "Inspection", roiId: "inspection-1" }, TEST_CTX);
    const make = (roiId: string, score: number, extra: Partial<CreateInspectionInput> = {}) =>
      createInspection(t.prisma, {
        roiId, score, threshold: 0.5, decision: (score >= 0.5 ? "ng" : "ok") as Decision, imageSha256: `h${score}`, width: 10, height: 10,
        regions: score >= 0.5 ? [{ x: 1, y: 1, w: 2, h: 2, area_px: 4, area_mm2: 0.16 }] : [], requestId: `req-${score}`, source: "legacy-infer", ...extra,
      });
    const rows = [];
    for (const s of [0.1, 0.2, 0.3, 0.6, 0.7, 0.8, 0.9]) rows.push(await make(a.id, s));
    rows.push(await make(b.id, 0.95, { source: "dashboard-test", heatmapPath: "heatmaps/x.png" }));

    const first = rows[0]!;
    assert.equal(first.reviewStatus, "pending");
    assert.deepEqual(JSON.parse(first.regionsJson!), []);

    const all = await listInspections(t.prisma, { limit: 100 });
    assert.equal(all.items.length, 8);
    assert.equal(all.items[0]!.id, rows[7]!.id, "newest first");
    assert.equal((await listInspections(t.prisma, { roiId: a.id, decision: "ng" })).items.length, 4);
    assert.equal((await listInspections(t.prisma, { recipeId: "r2" })).items.length, 1);
    assert.equal((await listInspections(t.prisma, { source: "dashboard-test" })).items[0]!.heatmapPath, "heatmaps/x.png");
    assert.deepEqual(
      (await listInspections(t.prisma, { minScore: 0.3, maxScore: 0.7 })).items.map((i) => i.score).sort(),
      [0.3, 0.6, 0.7],
    );
    assert.equal((await listInspections(t.prisma, { from: new Date(Date.now() + 60_000) })).items.length, 0);

    const p1 = await listInspections(t.prisma, { limit: 3 });
    const p2 = await listInspections(t.prisma, { limit: 3, cursor: p1.nextCursor });
    const p3 = await listInspections(t.prisma, { limit: 3, cursor: p2.nextCursor });
    assert.deepEqual([...p1.items, ...p2.items, ...p3.items].map((i) => i.id), all.items.map((i) => i.id));
    assert.equal(p3.nextCursor, null);

    const reviewed = await reviewInspection(t.prisma, { id: rows[3]!.id, reviewStatus: "false_positive", note: "dust" }, { actor: "qa.carol", requestId: "r-9" });
    assert.equal(reviewed.reviewer, "qa.carol");
    assert.equal(reviewed.reviewNote, "dust");
    assert.ok(reviewed.reviewedAt instanceof Date);
    await reviewInspection(t.prisma, { id: rows[4]!.id, reviewStatus: "confirmed_ng" }, TEST_CTX);
    assert.deepEqual((await listInspections(t.prisma, { reviewStatus: "false_positive" })).items.map((i) => i.id), [rows[3]!.id]);
    assert.equal((await listInspections(t.prisma, { reviewStatus: "pending" })).items.length, 6);

    const reset = await reviewInspection(t.prisma, { id: rows[3]!.id, reviewStatus: "pending" }, TEST_CTX);
    assert.equal(reset.reviewer, null);
    assert.equal(reset.reviewedAt, null);
    assert.equal(reset.reviewNote, "dust", "note kept unless given");

    const events = (await listAuditEvents(t.prisma, { entityType: "Inspection", entityId: rows[3]!.id })).items;
    assert.equal(events.length, 2);
    assert.equal(JSON.parse(events[1]!.afterJson!).reviewStatus, "false_positive");
    assert.equal(events[1]!.actor, "qa.carol");

    await assert.rejects(reviewInspection(t.prisma, { id: rows[0]!.id, reviewStatus: "bogus" as ReviewStatus }, TEST_CTX), ValidationError);
    await assert.rejects(reviewInspection(t.prisma, { id: "missing", reviewStatus: "confirmed_ng" }, TEST_CTX), NotFoundError);
    await assert.rejects(make(a.id, 0.1, { decision: "maybe" as Decision }), ValidationError);
    await assert.rejects(make(a.id, Number.NaN), ValidationError);
    await assert.rejects(getInspection(t.prisma, "missing"), NotFoundError);
  } finally {
    await t.cleanup();
  }
});

test("inspections: creating one with an actor appends an inspection.create audit event in the same transaction", async () => {
  const t = await createTestDb();
  try {
    const { roi } = await upsertRoi(t.prisma, TEST_ROI_KEY, TEST_CTX);
    const ctx = { actor: "legacy-client", requestId: "req-audit-1" };
    const insp = await createInspection(t.prisma, {
      roiId: roi.id, score: 0.7, threshold: 0.5, decision: "ng", imageSha256: "f".repeat(64), width: 8, height: 8, source: "legacy-infer",
    }, ctx);
    const events = await listAuditEvents(t.prisma, { entityType: "Inspection", entityId: insp.id });
    assert.equal(events.items.length, 1);
    const ev = events.items[0]!;
    assert.equal(ev.action, "inspection.create");
    assert.equal(ev.actor, "legacy-client");
    assert.equal(ev.requestId, "req-audit-1");
    assert.equal(JSON.parse(ev.afterJson!).decision, "ng");
    // Without an actor nothing is audited (bulk/system paths).
    await createInspection(t.prisma, { roiId: roi.id, score: 0.1, decision: "ok", imageSha256: "e".repeat(64), width: 8, height: 8, source: "legacy-infer" });
    assert.equal((await listAuditEvents(t.prisma, { action: "inspection.create" })).items.length, 1);
  } finally {
    await t.close();
  }
});
