import { test } from "node:test";
import assert from "node:assert/strict";
import { createTestDb, TEST_CTX, TEST_ROI_KEY, type TestDb } from "../testing.ts";
import { ConflictError, NotFoundError, ValidationError } from "../errors.ts";
import { getRoi, upsertRoi } from "./rois.ts";
import { createSample } from "./samples.ts";
import { listAuditEvents } from "./audit.ts";
import {
  activateModelVersion, addModelVersionSamples, createModelVersion, getModelVersion, listModelVersions,
  listModelVersionSamples, listSampleModelVersions, markModelVersionFailed, markModelVersionReady,
} from "./modelVersions.ts";
import { createCalibration } from "./calibrations.ts";
import type { Sample } from "../generated/prisma/client.ts";

const backbone = { backboneId: "mobilenetv2-1.4", backboneSha256: "abc", inputSize: 224, featureLayers: ["s8", "s16"], coresetRateRequested: 0.1 };
const built = { nEmbeddings: 4096, coresetSize: 410, coresetRateApplied: 0.1, tokenShape: [28, 28], artifactPath: "models/x" };

async function seed(t: TestDb) {
  const { roi } = await upsertRoi(t.prisma, TEST_ROI_KEY, TEST_CTX);
  const samples: Sample[] = [];
  for (let i = 0; i < 3; i++) {
    samples.push(
      await createSample(t.prisma, { roiId: roi.id, label: "ok", source: "dashboard", storedPath: `p${i}`, fileName: `f${i}`, sha256: `h${i}`, width: 8, height: 8 }, TEST_CTX),
    );
  }
  const build = async (sampleIds = samples.map((s) => s.id), parentVersionId?: string) => {
    const v = await createModelVersion(t.prisma, { roiId: roi.id, ...backbone, sampleIds, parentVersionId }, TEST_CTX);
    return markModelVersionReady(t.prisma, { id: v.id, ...built, timings: { fitMs: 12 } }, TEST_CTX);
  };
  return { roi, samples, build };
}

test("create → ready: version numbers per ROI, fields, lineage, audit", async () => {
  const t = await createTestDb();
  try {
    const { roi, samples } = await seed(t);
    const v1 = await createModelVersion(t.prisma, { roiId: roi.id, ...backbone, sampleIds: [samples[0]!.id, samples[1]!.id, samples[0]!.id] }, TEST_CTX);
    assert.equal(v1.versionNumber, 1);
    assert.equal(v1.status, "building");
    assert.deepEqual(JSON.parse(v1.featureLayers), ["s8", "s16"]);
    assert.equal(v1.actor, "test");
    assert.equal(await addModelVersionSamples(t.prisma, { modelVersionId: v1.id, sampleIds: [samples[1]!.id, samples[2]!.id] }, TEST_CTX), 1);
    assert.deepEqual((await listModelVersionSamples(t.prisma, { modelVersionId: v1.id })).map((s) => s.id).sort(), samples.map((s) => s.id).sort());

    const ready = await markModelVersionReady(t.prisma, { id: v1.id, ...built, memoryLayout: "positional", registrationShare: 0.94 }, TEST_CTX);
    assert.equal(ready.status, "ready");
    assert.deepEqual(JSON.parse(ready.tokenShapeJson!), [28, 28]);
    assert.equal(ready.coresetSize, 410);
    assert.equal(ready.memoryLayout, "positional");
    assert.equal(ready.registrationShare, 0.94);
    await assert.rejects(markModelVersionReady(t.prisma, { id: v1.id, ...built }, TEST_CTX), ConflictError);
    await assert.rejects(addModelVersionSamples(t.prisma, { modelVersionId: v1.id, sampleIds: [samples[0]!.id] }, TEST_CTX), ConflictError);

    const v2 = await createModelVersion(t.prisma, { roiId: roi.id, ...backbone, parentVersionId: v1.id }, TEST_CTX);
    assert.equal(v2.versionNumber, 2);
    assert.equal(v2.parentVersionId, v1.id);
    const failed = await markModelVersionFailed(t.prisma, { id: v2.id, error: "out of memory" }, TEST_CTX);
    assert.equal(failed.status, "failed");
    assert.equal(failed.error, "out of memory");

    // Another ROI numbers from 1 again; its samples cannot train this ROI's versions.
    const { roi: other } = await upsertRoi(t.prisma, { ...TEST_ROI_KEY, roiId: "inspection-2" }, TEST_CTX);
    assert.equal((await createModelVersion(t.prisma, { roiId: other.id, ...backbone }, TEST_CTX)).versionNumber, 1);
    await assert.rejects(createModelVersion(t.prisma, { roiId: other.id, ...backbone, sampleIds: [samples[0]!.id] }, TEST_CTX), ValidationError);
    await assert.rejects(createModelVersion(t.prisma, { roiId: roi.id, ...backbone, sampleIds: ["nope"] }, TEST_CTX), NotFoundError);
    await assert.rejects(createModelVersion(t.prisma, { roiId: "nope", ...backbone }, TEST_CTX), NotFoundError);
    await assert.rejects(createModelVersion(t.prisma, { roiId: roi.id, ...backbone, coresetRateRequested: 0 }, TEST_CTX), ValidationError);

    const list = await listModelVersions(t.prisma, { roiId: roi.id });
    assert.deepEqual(list.map((v) => [v.versionNumber, v.status, v._count.samples]), [[2, "failed", 0], [1, "ready", 3]]);
    assert.deepEqual((await listSampleModelVersions(t.prisma, { sampleId: samples[0]!.id })).map((v) => v.id), [v1.id]);
    const actions = (await listAuditEvents(t.prisma, { entityType: "ModelVersion", entityId: v1.id })).items.map((e) => e.action).reverse();
    assert.deepEqual(actions, ["model_version.create", "model_version.add_samples", "model_version.ready"]);
  } finally {
    await t.cleanup();
  }
});

test("activate flips the ROI pointer, retires the previous version, and can roll back", async () => {
  const t = await createTestDb();
  try {
    const { roi, build } = await seed(t);
    const v1 = await build();
    const cal1 = await createCalibration(t.prisma, { modelVersionId: v1.id, threshold: 1, rule: "p99_ok", scorePercentile: 99, areaMm2Thr: 1, okScores: [0.5] }, TEST_CTX);
    const a1 = await activateModelVersion(t.prisma, { id: v1.id }, TEST_CTX);
    assert.equal(a1.previous, null);
    assert.equal(a1.roi.activeModelVersionId, v1.id);
    assert.equal(a1.roi.activeCalibrationId, cal1.id, "the version's active calibration comes along");
    assert.ok(a1.version.activatedAt instanceof Date);

    const v2 = await build(undefined, v1.id);
    const a2 = await activateModelVersion(t.prisma, { id: v2.id }, { actor: "qa.bob", requestId: "r-2" });
    assert.equal(a2.previous!.id, v1.id);
    assert.equal(a2.previous!.status, "retired");
    assert.ok(a2.previous!.retiredAt instanceof Date);
    const roiNow = await getRoi(t.prisma, roi.id);
    assert.equal(roiNow.activeModelVersionId, v2.id);
    assert.equal(roiNow.activeCalibrationId, null, "v2 has no calibration yet");

    const [ev] = (await listAuditEvents(t.prisma, { action: "model_version.activate", actor: "qa.bob" })).items;
    assert.equal(ev!.entityId, v2.id);
    assert.equal(ev!.requestId, "r-2");
    assert.equal(JSON.parse(ev!.beforeJson!).activeModelVersionId, v1.id);
    assert.equal(JSON.parse(ev!.afterJson!).activeModelVersionId, v2.id);
    assert.equal(JSON.parse(ev!.afterJson!).retiredVersionId, v1.id);

    // Re-activating is a no-op; rolling back to the retired v1 restores its calibration too.
    const again = await activateModelVersion(t.prisma, { id: v2.id }, TEST_CTX);
    assert.equal(again.previous, null);
    const back = await activateModelVersion(t.prisma, { id: v1.id }, TEST_CTX);
    assert.equal(back.roi.activeCalibrationId, cal1.id);
    assert.equal((await getModelVersion(t.prisma, v2.id)).status, "retired");
    assert.equal((await getModelVersion(t.prisma, v1.id)).status, "ready");
    assert.equal((await listAuditEvents(t.prisma, { action: "model_version.activate" })).items.length, 3);
  } finally {
    await t.cleanup();
  }
});

test("only ready or retired versions can be activated; a refused activation changes nothing", async () => {
  const t = await createTestDb();
  try {
    const { roi, build } = await seed(t);
    const v1 = await build();
    await activateModelVersion(t.prisma, { id: v1.id }, TEST_CTX);
    const building = await createModelVersion(t.prisma, { roiId: roi.id, ...backbone }, TEST_CTX);
    await assert.rejects(activateModelVersion(t.prisma, { id: building.id }, TEST_CTX), ConflictError);
    const failed = await markModelVersionFailed(t.prisma, { id: building.id, error: "x" }, TEST_CTX);
    await assert.rejects(activateModelVersion(t.prisma, { id: failed.id }, TEST_CTX), ConflictError);
    await assert.rejects(activateModelVersion(t.prisma, { id: "missing" }, TEST_CTX), NotFoundError);
    assert.equal((await getRoi(t.prisma, roi.id)).activeModelVersionId, v1.id);
    assert.equal((await getModelVersion(t.prisma, v1.id)).status, "ready");
  } finally {
    await t.cleanup();
  }
});

test("a sample that trained a model cannot be hard-deleted (lineage is kept)", async () => {
  const t = await createTestDb();
  try {
    const { samples, build } = await seed(t);
    await build();
    await assert.rejects(t.prisma.sample.delete({ where: { id: samples[0]!.id } }), /Foreign key/i);
  } finally {
    await t.cleanup();
  }
});
