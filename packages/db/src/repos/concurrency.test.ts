// Concurrent writers (runs on both engines: SQLite serialises transactions on its one connection; PostgreSQL, with
// many replicas and a pool, relies on serializable transactions retried on conflict, see inTx).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createTestDb, TEST_CTX, TEST_ROI_KEY } from "../testing.ts";
import { findRoi, getRoi, listRois, upsertRoi } from "./rois.ts";
import { activateModelVersion, createModelVersion, markModelVersionReady } from "./modelVersions.ts";

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

test("a ROI read while versions are activated never shows an active version that is not ready", async () => {
  const t = await createTestDb();
  try {
    const { roi } = await upsertRoi(t.prisma, TEST_ROI_KEY, TEST_CTX);
    const input = { roiId: roi.id, backboneId: "b", backboneSha256: "s", inputSize: 224, featureLayers: ["s8"], coresetRateRequested: 0.1 };
    const built = { nEmbeddings: 64, coresetSize: 8, coresetRateApplied: 0.1, tokenShape: [8, 8], artifactPath: "models/x" };
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) ids.push((await markModelVersionReady(t.prisma, { id: (await createModelVersion(t.prisma, input, TEST_CTX)).id, ...built }, TEST_CTX)).id);
    // Rolling back and forth retires one version and activates the other in one transaction each time; the reads
    // (an include = separate statements) run beside them. Before the snapshot re-read, PostgreSQL showed the
    // previous pointer with its version already retired in a share of these reads.
    let activating = true;
    const flips = (async () => {
      for (let i = 0; i < 60; i++) await activateModelVersion(t.prisma, { id: ids[i % 2]! }, TEST_CTX);
      activating = false;
    })();
    const seen: string[] = [];
    const reads: Promise<void>[] = [];
    for (let r = 0; r < 3; r++) {
      reads.push((async () => {
        while (activating) {
          for (const got of [await getRoi(t.prisma, roi.id), await findRoi(t.prisma, TEST_ROI_KEY), ...(await listRois(t.prisma))]) {
            seen.push(got!.activeModelVersion?.status ?? "none");
          }
        }
      })());
    }
    await Promise.all([flips, ...reads]);
    assert.ok(seen.length > 30, `reads ran beside the activations (${seen.length})`);
    assert.deepEqual([...new Set(seen.filter((s) => s !== "none"))], ["ready"]);
  } finally {
    await t.cleanup();
  }
});
