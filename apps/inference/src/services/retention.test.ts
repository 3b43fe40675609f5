// Retention, known answer, on the data root and on an S3 bucket (s3rver through the real SDK): an old OK
// inspection's crop and heatmap are deleted, NG and reviewed ones only past the longer limit, the rows stay (the
// dashboard's DTO says expired), every run is one audit event with its counts, a second run within half an interval
// does nothing, and with retention unset nothing ever runs.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createInspection, upsertRoi } from "@bdi/db";
import { makeTestCtx, type TestCtx } from "../trpc/test-support.ts";
import { startTestS3, type TestS3 } from "../testing/s3-server.ts";
import { getServices, type Services } from "./index.ts";
import { RETENTION_ACTION, runRetention } from "./retention.ts";

const DAY = 24 * 60 * 60 * 1000;
const RETENTION = { BDI_RETENTION_DAYS: "30", BDI_RETENTION_NG_DAYS: "90", BDI_RETENTION_EVERY_MIN: "60" };

let s3: TestS3;
before(async () => {
  s3 = await startTestS3();
});
after(async () => {
  await s3?.close();
});

async function inspection(t: TestCtx, svc: Services, roiId: string, name: string, ageDays: number, decision: "ok" | "ng", reviewStatus = "pending") {
  const imagePath = `inspections/default/Inspection__inspection-1/d/${name}.png`;
  const heatmapPath = `inspections/default/Inspection__inspection-1/d/${name}_heatmap.png`;
  await svc.store.put(imagePath, Buffer.from(`crop ${name}`));
  await svc.store.put(heatmapPath, Buffer.from(`heatmap ${name}`));
  const i = await createInspection(t.ctx.db.prisma, {
    roiId, score: decision === "ng" ? 2 : 0.5, threshold: 1, decision, imageSha256: name, width: 16, height: 16, regions: [], source: "legacy-infer",
    imagePath, heatmapPath,
  });
  // The test sets the age and the verdict directly (a real row of the real database, only older).
  await t.ctx.db.prisma.inspection.update({ where: { id: i.id }, data: { createdAt: new Date(Date.now() - ageDays * DAY), reviewStatus } });
  return { id: i.id, imagePath, heatmapPath };
}

for (const kind of ["data root", "S3 bucket"] as const) {
  describe(`retention of inspection crops and heatmaps (${kind})`, () => {
    it("deletes old OK crops, keeps NG and reviewed ones until the longer limit, keeps every row, audits each run", async () => {
      const t = await makeTestCtx({ env: { ...RETENTION, ...(kind === "S3 bucket" ? { ...s3.env, BDI_STORE: `s3://${s3.bucket}/retention` } : {}) } });
      try {
        const svc = getServices(t.ctx);
        assert.equal(svc.store.kind, kind === "S3 bucket" ? "s3" : "local");
        const { roi } = await upsertRoi(t.ctx.db.prisma, { recipeId: "default", roleId: "Inspection", roiId: "inspection-1" }, { actor: "test" });
        const oldOk = await inspection(t, svc, roi.id, "old-ok", 40, "ok");
        const oldNg = await inspection(t, svc, roi.id, "old-ng", 40, "ng");
        const oldReviewed = await inspection(t, svc, roi.id, "old-reviewed", 40, "ok", "false_positive");
        const recentOk = await inspection(t, svc, roi.id, "recent-ok", 10, "ok");
        const files = async (i: { imagePath: string; heatmapPath: string }) => [await svc.store.exists(i.imagePath), await svc.store.exists(i.heatmapPath)];

        const first = await runRetention(svc);
        assert.deepEqual(first, { expiredOk: 1, expiredNgOrReviewed: 0, filesDeleted: 2, filesFailed: 0 });
        assert.deepEqual(await files(oldOk), [false, false], "the old OK inspection's crop and heatmap are gone");
        for (const kept of [oldNg, oldReviewed, recentOk]) assert.deepEqual(await files(kept), [true, true]);
        const row = await t.ctx.db.prisma.inspection.findUniqueOrThrow({ where: { id: oldOk.id } });
        assert.deepEqual([row.imagePath, row.heatmapPath, row.evidenceExpiredAt !== null, row.score], [null, null, true, 0.5]);
        const dto = await t.caller().inspections.get({ id: oldOk.id });
        assert.deepEqual([dto.imageUrl, dto.heatmapUrl, typeof dto.evidenceExpiredAt], [null, null, "string"], "the dashboard is told it expired");
        assert.equal((await t.caller().inspections.get({ id: oldNg.id })).evidenceExpiredAt, null);
        await assert.rejects(t.caller().inspections.addToDataset({ id: oldOk.id, label: "ok" }), /crop expired \(retention\)/);

        const audits = () => t.ctx.db.prisma.auditEvent.findMany({ where: { action: RETENTION_ACTION }, orderBy: { at: "asc" } });
        const [a1] = await audits();
        assert.equal(a1!.actor, "system:retention");
        assert.deepEqual(
          (({ expired_ok, expired_ng_or_reviewed, files, retention_days, retention_ng_days }) => ({ expired_ok, expired_ng_or_reviewed, files, retention_days, retention_ng_days }))(JSON.parse(a1!.afterJson!)),
          { expired_ok: 1, expired_ng_or_reviewed: 0, files: 2, retention_days: 30, retention_ng_days: 90 },
        );

        assert.equal(await runRetention(svc), null, "a second run within half an interval (another replica's, or this one's) does nothing");
        assert.equal((await audits()).length, 1);

        // 60 days later: the NG and reviewed ones are 100 days old (> 90), the recent OK one 70 (> 30).
        const later = await runRetention(svc, { now: new Date(Date.now() + 60 * DAY) });
        assert.deepEqual(later, { expiredOk: 1, expiredNgOrReviewed: 2, filesDeleted: 6, filesFailed: 0 });
        for (const gone of [oldNg, oldReviewed, recentOk]) assert.deepEqual(await files(gone), [false, false]);
        assert.equal((await audits()).length, 2);
        assert.equal(await t.ctx.db.prisma.inspection.count(), 4, "every row stays");
      } finally {
        await t.cleanup();
      }
    });
  });
}

describe("retention unset (the default)", () => {
  it("never runs: nothing is deleted, nothing audited", async () => {
    const t = await makeTestCtx();
    try {
      const svc = getServices(t.ctx);
      const { roi } = await upsertRoi(t.ctx.db.prisma, { recipeId: "default", roleId: "Inspection", roiId: "inspection-1" }, { actor: "test" });
      const old = await inspection(t, svc, roi.id, "ancient", 3650, "ok");
      assert.equal(await runRetention(svc), null);
      assert.equal(await svc.store.exists(old.imagePath), true);
      assert.equal(await t.ctx.db.prisma.auditEvent.count({ where: { action: RETENTION_ACTION } }), 0);
    } finally {
      await t.cleanup();
    }
  });
});
