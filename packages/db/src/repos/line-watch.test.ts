import { test } from "node:test";
import assert from "node:assert/strict";
import { lineWatchStep } from "@bdi/core/calibration/line-watch";
import { createTestDb, TEST_CTX, TEST_ROI_KEY } from "../testing.ts";
import { upsertRoi } from "./rois.ts";
import { createModelVersion, markModelVersionReady } from "./modelVersions.ts";
import { createCalibration } from "./calibrations.ts";
import { listAuditEvents } from "./audit.ts";
import { advanceLineWatch, getLineWatch, lineWatchEvents } from "./line-watch.ts";

async function calibration(t: Awaited<ReturnType<typeof createTestDb>>) {
  const { roi } = await upsertRoi(t.prisma, TEST_ROI_KEY, TEST_CTX);
  const v = await createModelVersion(t.prisma, { roiId: roi.id, backboneId: "b", backboneSha256: "s", inputSize: 224, featureLayers: ["x"], coresetRateRequested: 0.1 }, TEST_CTX);
  await markModelVersionReady(t.prisma, { id: v.id, nEmbeddings: 1, coresetSize: 1, coresetRateApplied: 0.1, tokenShape: [1, 1], artifactPath: "a" }, TEST_CTX);
  return createCalibration(t.prisma, { modelVersionId: v.id, threshold: 1, rule: "p99_ok", scorePercentile: 99, areaMm2Thr: 1, okScores: [0.1], outOfSample: true }, TEST_CTX);
}

const WATCH = { actor: "line-watch" };

test("advanceLineWatch: a new calibration has no state; a change is stored and audited once, with its numbers", async () => {
  const t = await createTestDb();
  try {
    const cal = await calibration(t);
    assert.deepEqual(await getLineWatch(t.prisma, cal.id), { promise: null, promiseSince: null, shift: null, shiftSince: null });
    // the first normal verdicts: stored, nothing reported
    const quiet = await advanceLineWatch(t.prisma, cal.id, (s) => lineWatchStep(s, { promise: "kept", shift: "steady" }), {}, WATCH);
    assert.deepEqual(quiet, []);
    const steady = await getLineWatch(t.prisma, cal.id);
    assert.equal(steady.shift, "steady");
    assert.equal((await listAuditEvents(t.prisma, { actionPrefix: "line." })).items.length, 0);

    const higher = (s: Parameters<typeof lineWatchStep>[0]) => lineWatchStep(s, { promise: "open", shift: "higher" });
    const changes = await advanceLineWatch(t.prisma, cal.id, higher, { shift: { share: 0.8, crops: 500 } }, WATCH);
    assert.deepEqual(changes, [{ kind: "shift", from: "steady", to: "higher", alarm: true }]);
    const state = await getLineWatch(t.prisma, cal.id);
    assert.equal(state.promise, "kept");
    assert.equal(state.shift, "higher");
    assert.ok(state.shiftSince instanceof Date && state.shiftSince >= steady.shiftSince!, "the shift's time is the report's");
    assert.deepEqual(state.promiseSince, steady.promiseSince, "the promise's time is kept");
    const events = (await listAuditEvents(t.prisma, { action: "line.shift" })).items;
    assert.equal(events.length, 1);
    assert.equal(events[0]!.entityType, "Calibration");
    assert.equal(events[0]!.entityId, cal.id);
    assert.equal(events[0]!.actor, "line-watch");
    assert.deepEqual(JSON.parse(events[0]!.beforeJson!), { verdict: "steady" });
    assert.deepEqual(JSON.parse(events[0]!.afterJson!), { verdict: "higher", alarm: true, share: 0.8, crops: 500 });

    // the same verdict again, from two requests at once: nothing more to report, no second event
    const again = await Promise.all([1, 2].map(() => advanceLineWatch(t.prisma, cal.id, higher, {}, WATCH)));
    assert.deepEqual(again, [[], []]);
    assert.equal((await listAuditEvents(t.prisma, { action: "line.shift" })).items.length, 1);

    // the shift report's list: the reported change, in its window only
    const H = 3_600_000;
    const inWindow = await lineWatchEvents(t.prisma, { roiId: cal.roiId, from: new Date(Date.now() - H), to: new Date(Date.now() + H) });
    assert.deepEqual(inWindow.map(({ at: _at, ...e }) => e), [{ calibrationId: cal.id, kind: "shift", from: "steady", to: "higher", alarm: true }]);
    assert.deepEqual(await lineWatchEvents(t.prisma, { roiId: cal.roiId, from: new Date(Date.now() - 2 * H), to: new Date(Date.now() - H) }), []);
  } finally {
    await t.cleanup();
  }
});

test("advanceLineWatch: of two requests seeing the same change at once, one reports it", async () => {
  const t = await createTestDb();
  try {
    const cal = await calibration(t);
    const broken = (s: Parameters<typeof lineWatchStep>[0]) => lineWatchStep(s, { promise: "broken", shift: null });
    const both = await Promise.all([1, 2, 3].map(() => advanceLineWatch(t.prisma, cal.id, broken, { promise: { falseRejects: 9 } }, WATCH)));
    assert.equal(both.flat().length, 1, JSON.stringify(both));
    assert.equal((await listAuditEvents(t.prisma, { action: "line.promise" })).items.length, 1);
    assert.equal((await getLineWatch(t.prisma, cal.id)).promise, "broken");
  } finally {
    await t.cleanup();
  }
});
