import { test } from "node:test";
import assert from "node:assert/strict";
import { createTestDb, TEST_CTX, TEST_ROI_KEY, type TestDb } from "../testing.ts";
import { upsertRoi } from "./rois.ts";
import { activateModelVersion, createModelVersion, markModelVersionReady } from "./modelVersions.ts";
import { createCalibration } from "./calibrations.ts";
import { createInspection, listInspections, reviewInspection } from "./inspections.ts";
import { LINE_SOURCE } from "@bdi/core/schemas/common";
import { calibrationLineCounts, recentLineScores, shiftCounts } from "./reports.ts";

const H = 3_600_000;

test("shiftCounts: the window's inspections by decision and review outcome, and the threshold changes in it", async () => {
  const t = await createTestDb();
  try {
    const { roi } = await upsertRoi(t.prisma, TEST_ROI_KEY, TEST_CTX);
    const { roi: other } = await upsertRoi(t.prisma, { ...TEST_ROI_KEY, roiId: "other" }, TEST_CTX);
    const from = new Date(Date.now() - 8 * H);
    const to = new Date(Date.now() + H);
    const version = async () => {
      const v = await createModelVersion(t.prisma, { roiId: roi.id, backboneId: "b", backboneSha256: "s", inputSize: 224, featureLayers: ["x"], coresetRateRequested: 0.1 }, TEST_CTX);
      return markModelVersionReady(t.prisma, { id: v.id, nEmbeddings: 1, coresetSize: 1, coresetRateApplied: 0.1, tokenShape: [1, 1], artifactPath: "a" }, TEST_CTX);
    };
    const calib = (modelVersionId: string, threshold: number) => ({
      modelVersionId, threshold, rule: "p99_ok", scorePercentile: 99, areaMm2Thr: 1, okScores: [0.1], outOfSample: true,
    });
    // v1 at 0.5 activated before the window opens; in the window a new threshold (0.6), then v2 (0.7) by a fit.
    const v1 = await version();
    await createCalibration(t.prisma, calib(v1.id, 0.5), TEST_CTX);
    await activateModelVersion(t.prisma, { id: v1.id }, TEST_CTX);
    await t.prisma.auditEvent.updateMany({ data: { at: new Date(from.getTime() - H) } });
    await createCalibration(t.prisma, calib(v1.id, 0.6), { actor: "qa.anna", reason: "too many false rejects" });
    const v2 = await version();
    await createCalibration(t.prisma, calib(v2.id, 0.7), TEST_CTX);
    await activateModelVersion(t.prisma, { id: v2.id }, { actor: "qa.ben" });

    const make = async (roiId: string, score: number, at: Date) => {
      const i = await createInspection(t.prisma, { roiId, score, threshold: 0.6, decision: score >= 0.6 ? "ng" : "ok", imageSha256: `h${score}`, width: 4, height: 4, source: "legacy-infer" });
      await t.prisma.inspection.update({ where: { id: i.id }, data: { createdAt: at } });
      return i;
    };
    const inWindow = [];
    for (const s of [0.1, 0.2, 0.3, 0.65, 0.7, 0.9]) inWindow.push(await make(roi.id, s, new Date(from.getTime() + H)));
    await make(roi.id, 0.95, new Date(from.getTime() - 1)); // just before the window
    await make(roi.id, 0.95, to); // `to` is exclusive
    await make(other.id, 0.95, new Date(from.getTime() + H)); // another ROI
    await reviewInspection(t.prisma, { id: inWindow[3]!.id, reviewStatus: "false_positive" }, TEST_CTX);
    await reviewInspection(t.prisma, { id: inWindow[4]!.id, reviewStatus: "confirmed_ng" }, TEST_CTX);

    const r = await shiftCounts(t.prisma, { roiId: roi.id, from, to });
    assert.deepEqual(r.inspections, { total: 6, ok: 3, ng: 3 });
    assert.deepEqual(r.review, { pending: 4, false_positive: 1, confirmed_ng: 1 });
    assert.equal(r.thresholdAtStart, 0.5);
    assert.deepEqual(
      r.thresholdChanges.map((c) => [c.action, c.fromThreshold, c.toThreshold, c.versionNumber, c.actor, c.reason]),
      [
        ["calibration.activate", 0.5, 0.6, 1, "qa.anna", "too many false rejects"],
        ["model_version.activate", 0.6, 0.7, 2, "qa.ben", null],
      ],
    );
    const empty = await shiftCounts(t.prisma, { roiId: other.id, from: to, to: new Date(to.getTime() + H) });
    assert.deepEqual(empty.inspections, { total: 0, ok: 0, ng: 0 });
    assert.deepEqual(empty.thresholdChanges, []);
  } finally {
    await t.cleanup();
  }
});

test("listInspections order 'uncertain': nearest to the threshold first, cursor pages in that order", async () => {
  const t = await createTestDb();
  try {
    const { roi } = await upsertRoi(t.prisma, TEST_ROI_KEY, TEST_CTX);
    for (const [score, threshold] of [[0.1, 0.5], [0.49, 0.5], [0.95, 0.5], [0.55, 0.5], [0.3, null]] as const)
      await createInspection(t.prisma, { roiId: roi.id, score, threshold, decision: threshold && score >= threshold ? "ng" : "ok", imageSha256: "h", width: 4, height: 4, source: "legacy-infer" });
    const all = await listInspections(t.prisma, { order: "uncertain", limit: 10 });
    assert.deepEqual(all.items.map((i) => i.score), [0.49, 0.55, 0.1, 0.95, 0.3]);
    const p1 = await listInspections(t.prisma, { order: "uncertain", limit: 2 });
    const p2 = await listInspections(t.prisma, { order: "uncertain", limit: 2, cursor: p1.nextCursor });
    const p3 = await listInspections(t.prisma, { order: "uncertain", limit: 2, cursor: p2.nextCursor });
    assert.deepEqual([...p1.items, ...p2.items, ...p3.items].map((i) => i.score), [0.49, 0.55, 0.1, 0.95, 0.3]);
    assert.equal(p3.nextCursor, null);
  } finally {
    await t.cleanup();
  }
});

/** A ROI with a ready version and two calibrations of it: `old` (threshold 0.5), then `cal` (0.6). */
async function twoCalibrations(t: TestDb) {
  const { roi } = await upsertRoi(t.prisma, TEST_ROI_KEY, TEST_CTX);
  const v = await createModelVersion(t.prisma, { roiId: roi.id, backboneId: "b", backboneSha256: "s", inputSize: 224, featureLayers: ["x"], coresetRateRequested: 0.1 }, TEST_CTX);
  await markModelVersionReady(t.prisma, { id: v.id, nEmbeddings: 1, coresetSize: 1, coresetRateApplied: 0.1, tokenShape: [1, 1], artifactPath: "a" }, TEST_CTX);
  const calib = (threshold: number) => ({ modelVersionId: v.id, threshold, rule: "p99_ok", scorePercentile: 99, areaMm2Thr: 1, okScores: [0.1], outOfSample: true });
  const old = await createCalibration(t.prisma, calib(0.5), TEST_CTX);
  const cal = await createCalibration(t.prisma, calib(0.6), TEST_CTX);
  return { roi, old, cal };
}

test("calibrationLineCounts: one calibration's line inspections by decision and what the reviewers said", async () => {
  const t = await createTestDb();
  try {
    const { roi, old, cal } = await twoCalibrations(t);
    const make = (score: number, source: "legacy-infer" | "dashboard-test" = "legacy-infer", calibrationId = cal.id) =>
      createInspection(t.prisma, { roiId: roi.id, calibrationId, score, threshold: 0.6, decision: score >= 0.6 ? "ng" : "ok", imageSha256: `h${score}`, width: 4, height: 4, source });
    const review = (id: string, reviewStatus: "false_positive" | "confirmed_ng" | "relabelled_ok" | "relabelled_ng") =>
      reviewInspection(t.prisma, { id, reviewStatus }, TEST_CTX);
    const ok = [];
    for (const s of [0.1, 0.2, 0.3, 0.4, 0.5]) ok.push(await make(s));
    const ng = [];
    for (const s of [0.61, 0.62, 0.63, 0.64, 0.65, 0.66]) ng.push(await make(s));
    await review(ng[0]!.id, "false_positive");
    await review(ng[1]!.id, "relabelled_ok");
    await review(ng[2]!.id, "confirmed_ng");
    await review(ng[3]!.id, "relabelled_ng");
    await review(ok[0]!.id, "confirmed_ng"); // a miss found
    await review(ok[1]!.id, "false_positive"); // an OK call reviewed as a good part
    // not counted: a test upload, and an inspection under the earlier calibration
    await make(0.9, "dashboard-test");
    await make(0.9, "legacy-infer", old.id);

    assert.deepEqual(await calibrationLineCounts(t.prisma, cal), { ngGood: 2, ngDefect: 2, ngPending: 2, okGood: 1, okPending: 3, okDefect: 1 });
    assert.deepEqual(await calibrationLineCounts(t.prisma, old), { ngGood: 0, ngDefect: 0, ngPending: 1, okGood: 0, okPending: 0, okDefect: 0 });
  } finally {
    await t.cleanup();
  }
});

test("recentLineScores: the last N line scores under one calibration, newest first, read in index order", async () => {
  const t = await createTestDb();
  try {
    const { roi, old, cal } = await twoCalibrations(t);
    assert.deepEqual(await recentLineScores(t.prisma, cal, 3), { scores: [], from: null, to: null });
    const base = Date.UTC(2026, 11, 6, 8);
    const at = (i: number) => new Date(base + i * 60_000);
    // judged in the order 3, 1, 5, 2, 4 minutes after `base`: the score is the minute
    for (const minute of [3, 1, 5, 2, 4]) {
      const i = await createInspection(t.prisma, { roiId: roi.id, calibrationId: cal.id, score: minute, threshold: 0.6, decision: "ng", imageSha256: `h${minute}`, width: 4, height: 4, source: LINE_SOURCE });
      await t.prisma.inspection.update({ where: { id: i.id }, data: { createdAt: at(minute) } });
    }
    // not the line's, or not this calibration's: newer, and never read
    for (const [source, calibrationId] of [["dashboard-test", cal.id], [LINE_SOURCE, old.id]] as const) {
      const i = await createInspection(t.prisma, { roiId: roi.id, calibrationId, score: 99, threshold: 0.6, decision: "ng", imageSha256: "x", width: 4, height: 4, source });
      await t.prisma.inspection.update({ where: { id: i.id }, data: { createdAt: at(9) } });
    }
    assert.deepEqual(await recentLineScores(t.prisma, cal, 3), { scores: [5, 4, 3], from: at(3), to: at(5) });
    assert.deepEqual((await recentLineScores(t.prisma, cal, 200)).scores, [5, 4, 3, 2, 1]);
    assert.deepEqual((await recentLineScores(t.prisma, old, 200)).scores, [99]);
    // a window: minutes 2 to 4 (the end excluded), newest first
    assert.deepEqual(await recentLineScores(t.prisma, cal, 200, { from: at(2), to: at(4) }), { scores: [3, 2], from: at(2), to: at(3) });
    assert.deepEqual((await recentLineScores(t.prisma, cal, 1, { from: at(2), to: at(9) })).scores, [5]);

    // the newest N come straight off the index, without sorting every inspection of the calibration (SQLite's plan;
    // PostgreSQL's planner scans a table this small whatever its indexes)
    if (t.engine !== "sqlite") return;
    const plan = await t.prisma.$queryRawUnsafe<Array<{ detail: string }>>(
      `EXPLAIN QUERY PLAN SELECT "score", "createdAt" FROM "Inspection" WHERE "calibrationId" = ? AND "source" = ? ORDER BY "createdAt" DESC LIMIT ?`,
      cal.id, LINE_SOURCE, 200,
    );
    const details = plan.map((p) => p.detail).join(" | ");
    assert.match(details, /USING INDEX Inspection_calibrationId_source_createdAt_idx \(calibrationId=\? AND source=\?\)/, details);
    assert.doesNotMatch(details, /TEMP B-TREE/, details);
  } finally {
    await t.cleanup();
  }
});
