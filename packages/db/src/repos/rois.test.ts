import { test } from "node:test";
import assert from "node:assert/strict";
import { createTestDb, TEST_CTX, TEST_ROI_KEY } from "../testing.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { findRoi, getRoi, listRois, upsertRoi } from "./rois.ts";
import { listAuditEvents } from "./audit.ts";
import { createSample, softDeleteSample, type CreateSampleInput } from "./samples.ts";
import { activateModelVersion, createModelVersion, markModelVersionReady } from "./modelVersions.ts";
import { createCalibration } from "./calibrations.ts";

const rect = { kind: "rect", x: 0, y: 0, w: 10, h: 10 };

test("upsertRoi creates recipe, role and ROI, and audits only real changes", async () => {
  const t = await createTestDb();
  try {
    const a = await upsertRoi(t.prisma, { ...TEST_ROI_KEY, shape: rect, mmPerPx: 0.2, recipeDisplayName: "R1" }, TEST_CTX);
    assert.equal(a.created, true);
    assert.equal(a.roi.modelKey, "inspection-1", "modelKey defaults to roiId");
    assert.deepEqual(JSON.parse(a.roi.shapeJson!), rect);
    assert.equal((await t.prisma.recipe.findUniqueOrThrow({ where: { id: "r1" } })).displayName, "R1");
    assert.equal(await t.prisma.role.count(), 1);

    const same = await upsertRoi(t.prisma, { ...TEST_ROI_KEY, shape: rect, mmPerPx: 0.2 }, TEST_CTX);
    assert.equal(same.created, false);
    assert.equal(same.roi.id, a.roi.id);
    assert.equal((await listAuditEvents(t.prisma, { entityType: "Roi" })).items.length, 1);

    const moved = await upsertRoi(t.prisma, { ...TEST_ROI_KEY, shape: { ...rect, x: 5 } }, TEST_CTX);
    assert.equal(JSON.parse(moved.roi.shapeJson!).x, 5);
    assert.equal(moved.roi.mmPerPx, 0.2, "fields not given are kept");
    const [update] = (await listAuditEvents(t.prisma, { action: "roi.update" })).items;
    assert.equal(JSON.parse(JSON.parse(update!.beforeJson!).shapeJson).x, 0);
    assert.equal(JSON.parse(JSON.parse(update!.afterJson!).shapeJson).x, 5);

    // Second role / ROI in the same recipe reuses the recipe.
    await upsertRoi(t.prisma, { recipeId: "r1", roleId: "Master1", roiId: "m1", modelKey: "mk" }, TEST_CTX);
    assert.equal(await t.prisma.recipe.count(), 1);
    assert.equal(await t.prisma.role.count(), 2);

    assert.equal((await findRoi(t.prisma, TEST_ROI_KEY))!.id, a.roi.id);
    assert.equal(await findRoi(t.prisma, { ...TEST_ROI_KEY, roiId: "x" }), null);
    await assert.rejects(getRoi(t.prisma, "missing"), NotFoundError);
    await assert.rejects(upsertRoi(t.prisma, { ...TEST_ROI_KEY, recipeId: "BAD!" }, TEST_CTX), ValidationError);
  } finally {
    await t.cleanup();
  }
});

test("listRois returns live sample counts per label and the active version + calibration", async () => {
  const t = await createTestDb();
  try {
    const { roi } = await upsertRoi(t.prisma, TEST_ROI_KEY, TEST_CTX);
    const { roi: other } = await upsertRoi(t.prisma, { ...TEST_ROI_KEY, roiId: "inspection-2" }, TEST_CTX);
    const base = { roiId: roi.id, source: "dashboard", storedPath: "p", fileName: "f.png", sha256: "h", width: 4, height: 4 } as const;
    const ids: string[] = [];
    for (const label of ["ok", "ok", "ok", "ng", "unlabeled"] as const) {
      ids.push((await createSample(t.prisma, { ...base, label } as CreateSampleInput, TEST_CTX)).id);
    }
    await softDeleteSample(t.prisma, { sampleId: ids[0]! }, TEST_CTX);

    const mv = await createModelVersion(
      t.prisma,
      { roiId: roi.id, backboneId: "b", backboneSha256: "s", inputSize: 224, featureLayers: ["l2"], coresetRateRequested: 0.1 },
      TEST_CTX,
    );
    await markModelVersionReady(
      t.prisma,
      { id: mv.id, nEmbeddings: 10, coresetSize: 1, coresetRateApplied: 0.1, tokenShape: [2, 2], artifactPath: "a" },
      TEST_CTX,
    );
    await activateModelVersion(t.prisma, { id: mv.id }, TEST_CTX);
    const cal = await createCalibration(
      t.prisma,
      { modelVersionId: mv.id, threshold: 1.5, rule: "p99_ok", scorePercentile: 99, areaMm2Thr: 1, okScores: [1] },
      TEST_CTX,
    );

    const list = await listRois(t.prisma, { recipeId: "r1" });
    assert.deepEqual(list.map((r) => r.roiId), ["inspection-1", "inspection-2"]);
    assert.deepEqual(list[0]!.counts, { ok: 2, ng: 1, unlabeled: 1 });
    assert.deepEqual(list[1]!.counts, { ok: 0, ng: 0, unlabeled: 0 });
    assert.equal(list[0]!.activeModelVersion!.id, mv.id);
    assert.equal(list[0]!.activeCalibration!.id, cal.id);
    assert.equal(list[1]!.id, other.id);
    assert.equal(list[1]!.activeModelVersion, null);
    assert.equal((await listRois(t.prisma, { recipeId: "nope" })).length, 0);
  } finally {
    await t.cleanup();
  }
});
