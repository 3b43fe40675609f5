// Concurrent writers (runs on both engines: SQLite serialises transactions on its one connection; PostgreSQL, with
// many replicas and a pool, relies on serializable transactions retried on conflict, see inTx).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createTestDb, TEST_CTX, TEST_ROI_KEY } from "../testing.ts";
import { upsertRoi } from "./rois.ts";
import { createModelVersion } from "./modelVersions.ts";

test("concurrent creates of model versions on one ROI get distinct, consecutive version numbers", async () => {
  const t = await createTestDb();
  try {
    // Two ROI upserts racing for the same new recipe, role and ROI: one row each.
    const [a, b] = await Promise.all([upsertRoi(t.prisma, TEST_ROI_KEY, TEST_CTX), upsertRoi(t.prisma, TEST_ROI_KEY, TEST_CTX)]);
    assert.equal(a.roi.id, b.roi.id);
    const input = { roiId: a.roi.id, backboneId: "b", backboneSha256: "s", inputSize: 224, featureLayers: ["s8"], coresetRateRequested: 0.1 };
    const versions = await Promise.all(Array.from({ length: 6 }, () => createModelVersion(t.prisma, input, TEST_CTX)));
    assert.deepEqual(versions.map((v) => v.versionNumber).sort((x, y) => x - y), [1, 2, 3, 4, 5, 6]);
    assert.equal(await t.prisma.auditEvent.count({ where: { action: "model_version.create" } }), 6);
  } finally {
    await t.cleanup();
  }
});
