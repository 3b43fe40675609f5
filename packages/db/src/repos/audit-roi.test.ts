import { test } from "node:test";
import assert from "node:assert/strict";
import { createTestDb, TEST_CTX, TEST_ROI_KEY } from "../testing.ts";
import { upsertRoi } from "./rois.ts";
import { appendAudit, exportAuditCsv, listAuditEvents, roisOfAuditEvents } from "./audit.ts";
import { createModelVersion } from "./modelVersions.ts";

test("audit log by ROI: the filter keeps the ROI's own events and its versions', each event names its ROI", async () => {
  const t = await createTestDb();
  try {
    const { roi: a } = await upsertRoi(t.prisma, TEST_ROI_KEY, TEST_CTX);
    const { roi: b } = await upsertRoi(t.prisma, { ...TEST_ROI_KEY, roiId: "other" }, TEST_CTX);
    const v = await createModelVersion(t.prisma, { roiId: a.id, backboneId: "b", backboneSha256: "s", inputSize: 224, featureLayers: ["x"], coresetRateRequested: 0.1 }, TEST_CTX);
    await appendAudit(t.prisma, { action: "fit.cancel", entityType: "Roi", entityId: a.id }, { actor: "qa.anna" });
    await appendAudit(t.prisma, { action: "fit.cancel", entityType: "Roi", entityId: b.id }, { actor: "qa.ben" });
    const ofA = await listAuditEvents(t.prisma, { roiId: a.id, limit: 100 });
    assert.ok(ofA.items.some((e) => e.entityId === v.id && e.action === "model_version.create"));
    assert.ok(ofA.items.every((e) => e.entityId !== b.id));
    assert.deepEqual((await listAuditEvents(t.prisma, { roiId: a.id, action: "fit.cancel" })).items.map((e) => e.actor), ["qa.anna"]);
    assert.equal((await listAuditEvents(t.prisma, { roiId: a.id, entityId: b.id })).items.length, 0);
    assert.match(await exportAuditCsv(t.prisma, { roiId: b.id, action: "fit.cancel" }), /qa\.ben/);
    const all = await listAuditEvents(t.prisma, { limit: 100 });
    const rois = await roisOfAuditEvents(t.prisma, all.items);
    for (const e of all.items) {
      if (e.entityType === "Recipe" || e.entityType === "Role") assert.equal(rois.get(e.id), null);
      if (e.entityId === v.id || e.entityId === a.id) assert.equal(rois.get(e.id), a.id);
    }
  } finally {
    await t.cleanup();
  }
});
