import { test } from "node:test";
import assert from "node:assert/strict";
import { createTestDb, TEST_CTX, TEST_ROI_KEY, type TestDb } from "../testing.ts";
import { ConflictError, NotFoundError, ValidationError } from "../errors.ts";
import { getRoi, upsertRoi } from "./rois.ts";
import { listAuditEvents } from "./audit.ts";
import { activateModelVersion, createModelVersion, markModelVersionReady } from "./modelVersions.ts";
import { activateCalibration, createCalibration, getCalibration, listCalibrations, type CreateCalibrationInput } from "./calibrations.ts";

async function seed(t: TestDb) {
  const { roi } = await upsertRoi(t.prisma, TEST_ROI_KEY, TEST_CTX);
  const version = async () => {
    const v = await createModelVersion(t.prisma, { roiId: roi.id, backboneId: "b", backboneSha256: "s", inputSize: 224, featureLayers: ["x"], coresetRateRequested: 0.1 }, TEST_CTX);
    return markModelVersionReady(t.prisma, { id: v.id, nEmbeddings: 1, coresetSize: 1, coresetRateApplied: 0.1, tokenShape: [1, 1], artifactPath: "a" }, TEST_CTX);
  };
  return { roi, version };
}

const calib = (modelVersionId: string, threshold: number, extra: Partial<CreateCalibrationInput> = {}): CreateCalibrationInput => ({
  modelVersionId, threshold, rule: "midpoint_p99ok_p5ng", scorePercentile: 99, areaMm2Thr: 1, mmPerPx: 0.2,
  okScores: [0.1, 0.2], ngScores: [0.9], okStats: { p99: 0.2 }, outOfSample: true, expectedFalseRejectRate: 0.01, expectedMissRate: 0, ...extra,
});

test("create + activate: one active calibration per version; the ROI pointer follows the active version", async () => {
  const t = await createTestDb();
  try {
    const { roi, version } = await seed(t);
    const v1 = await version();
    const c1 = await createCalibration(t.prisma, calib(v1.id, 0.5), { ...TEST_CTX, reason: "first" });
    assert.equal(c1.active, true);
    assert.equal(c1.roiId, roi.id);
    assert.deepEqual(JSON.parse(c1.okScoresJson), [0.1, 0.2]);
    assert.equal(c1.outOfSample, true);
    assert.equal(c1.reason, "first");
    assert.equal((await getRoi(t.prisma, roi.id)).activeCalibrationId, null, "v1 is not the active version yet");

    await activateModelVersion(t.prisma, { id: v1.id }, TEST_CTX);
    assert.equal((await getRoi(t.prisma, roi.id)).activeCalibrationId, c1.id);

    const c2 = await createCalibration(t.prisma, calib(v1.id, 0.6), TEST_CTX);
    assert.equal((await getCalibration(t.prisma, c1.id)).active, false);
    assert.equal((await getRoi(t.prisma, roi.id)).activeCalibrationId, c2.id);

    const draft = await createCalibration(t.prisma, calib(v1.id, 0.7, { activate: false, ngScores: null }), TEST_CTX);
    assert.equal(draft.active, false);
    assert.equal(draft.ngScoresJson, null);
    assert.equal((await getRoi(t.prisma, roi.id)).activeCalibrationId, c2.id);

    const back = await activateCalibration(t.prisma, { id: c1.id }, TEST_CTX);
    assert.equal(back.roi.activeCalibrationId, c1.id);
    const active = (await listCalibrations(t.prisma, { modelVersionId: v1.id })).filter((c) => c.active);
    assert.deepEqual(active.map((c) => c.id), [c1.id]);

    // A calibration of a version that is not active does not move the ROI pointer.
    const v2 = await version();
    const other = await createCalibration(t.prisma, calib(v2.id, 9), TEST_CTX);
    assert.equal(other.active, true);
    assert.equal((await getRoi(t.prisma, roi.id)).activeCalibrationId, c1.id);

    assert.deepEqual((await listCalibrations(t.prisma, { roiId: roi.id })).map((c) => c.id), [other.id, draft.id, c2.id, c1.id]);
    const actions = (await listAuditEvents(t.prisma, { actionPrefix: "calibration." })).items.map((e) => e.action);
    assert.equal(actions.filter((a) => a === "calibration.create").length, 4);
    assert.equal(actions.filter((a) => a === "calibration.activate").length, 4);
  } finally {
    await t.cleanup();
  }
});

test("only built versions can be calibrated; bad input is refused", async () => {
  const t = await createTestDb();
  try {
    const { roi } = await seed(t);
    const building = await createModelVersion(t.prisma, { roiId: roi.id, backboneId: "b", backboneSha256: "s", inputSize: 224, featureLayers: [], coresetRateRequested: 0.1 }, TEST_CTX);
    await assert.rejects(createCalibration(t.prisma, calib(building.id, 1), TEST_CTX), ConflictError);
    await assert.rejects(createCalibration(t.prisma, calib("missing", 1), TEST_CTX), NotFoundError);
    await assert.rejects(createCalibration(t.prisma, calib(building.id, Number.NaN), TEST_CTX), ValidationError);
    await assert.rejects(activateCalibration(t.prisma, { id: "missing" }, TEST_CTX), NotFoundError);
    assert.equal(await t.prisma.calibration.count(), 0);
  } finally {
    await t.cleanup();
  }
});
