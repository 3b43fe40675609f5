// Fit cancel and the shift and promise reports through the router, real backbone and SQLite: a cancelled fit activates
// nothing (the previous version stays, the audit log says who cancelled), and the reports' numbers equal what the
// database holds, counted here with plain Prisma queries.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import path from "node:path";
import { makeTestCtx, ngCrop, okCrops, rejectsWith, uploadForm, type Caller, type TestCtx } from "./test-support.ts";
import type { JobDto } from "./dto.ts";
import { expectedRates, legacyThreshold, linePromise, scoreShift, SHIFT_WINDOW } from "@bdi/core";
import { createCalibration } from "@bdi/db";
import { getServices } from "../services/index.ts";
import { inferImage } from "../services/infer.ts";
import { calibrationScoreShift } from "../services/reports.ts";

async function follow(c: Caller, jobId: string, onEvent?: (j: JobDto) => Promise<void> | void): Promise<JobDto[]> {
  const events: JobDto[] = [];
  for await (const ev of await c.fit.progress({ jobId })) {
    events.push(ev);
    await onEvent?.(ev);
  }
  return events;
}

describe("fit.cancel, reports.shift and reports.line", () => {
  let t: TestCtx;
  let c: Caller;
  let roiId: string;
  let v1: string;

  before(async () => {
    t = await makeTestCtx({ backbone: "load", env: { BDI_MIN_OK_SAMPLES: "8", BDI_INPUT_SIZE: "224" } });
    c = t.caller("qa-erik");
    const up = await c.samples.upload(
      uploadForm({ recipeId: "disc-s", roleId: "Inspection", roiName: "ring", label: "ok", mmPerPx: "0.2" }, (await okCrops(10)).map((d, i) => ({ name: `ok${i}.png`, data: d }))),
    );
    roiId = up.roi.id;
    await c.samples.upload(uploadForm({ roiId, label: "ng" }, [{ name: "ng0.png", data: await ngCrop(0) }]));
    const job = await c.fit.start({ roiId });
    const last = (await follow(c, job.id)).at(-1)!;
    assert.equal(last.status, "succeeded", last.error ?? "");
    v1 = last.result!.modelVersionId;
  });

  it("a fit leaves the calibration view's scores ready (its own out-of-sample and NG scores, no second scoring pass)", async () => {
    assert.ok(existsSync(path.join(t.dataRoot, "cache", "scores", `${v1}-p99.json`)), "scores cached by the fit");
    const d = await c.calibration.data({ roiId });
    assert.equal(d.okScores.length, 10);
    assert.equal(d.ngScores.length, 1);
    assert.equal(d.outOfSample, true);
    // the self-calibration was computed from exactly these scores: the rule gives the same threshold on them
    assert.ok(Math.abs(d.rule!.threshold - d.activeCalibration!.threshold) < 1e-9, `${d.rule!.threshold} vs ${d.activeCalibration!.threshold}`);
  });
  after(() => t?.cleanup());

  it("cancelling a running fit leaves the previous version active, marks the new one failed, and is audited", async () => {
    const job = await c.fit.start({ roiId });
    let cancelled = false;
    const events = await follow(c, job.id, async (ev) => {
      if (!cancelled && ev.status === "running" && ev.progress > 0) {
        cancelled = true;
        const r = await c.fit.cancel({ jobId: job.id, reason: "wrong crops in the OK set" });
        assert.equal(r.roiId, roiId);
      }
    });
    assert.ok(cancelled, "the fit was cancelled while running");
    const last = events.at(-1)!;
    assert.equal(last.status, "failed");
    assert.equal(last.stage, "cancelled");
    assert.equal(last.cancelledBy, "qa-erik");
    assert.match(last.error ?? "", /cancelled by qa-erik: wrong crops/);
    const models = await c.models.list({ roiId });
    assert.equal(models.versions.find((v) => v.active)?.id, v1, "v1 stays active");
    const v2 = models.versions.find((v) => v.id !== v1);
    if (v2) assert.equal(v2.status, "failed", "the cancelled version is failed, never activated");
    const audit = await c.audit.list({ action: "fit.cancel" });
    assert.equal(audit.items.length, 1);
    assert.equal(audit.items[0]!.actor, "qa-erik");
    assert.equal(audit.items[0]!.reason, "wrong crops in the OK set");
    assert.equal(audit.items[0]!.entityId, roiId);
    // A finished job cannot be cancelled; an unknown one is not found.
    await rejectsWith(c.fit.cancel({ jobId: job.id }), "CONFLICT");
    await rejectsWith(c.fit.cancel({ jobId: "00000000-0000-4000-8000-000000000000" }), "NOT_FOUND");
    // The fit process comes back for the next fit.
    const again = await c.fit.start({ roiId });
    assert.equal((await follow(c, again.id)).at(-1)!.status, "succeeded");
  });

  it("reports.shift counts what the database holds: inspections, NG rate, review outcomes, threshold changes", async () => {
    const from = new Date(Date.now() - 3_600_000);
    const ids: string[] = [];
    for (const buf of [...(await okCrops(3, 20)), await ngCrop(5), await ngCrop(7)]) {
      const fd = new FormData();
      fd.set("roiId", roiId);
      fd.set("file", new File([new Uint8Array(buf)], "t.png", { type: "image/png" }));
      ids.push((await c.inspections.testUpload(fd)).id);
    }
    await c.inspections.review({ id: ids[3]!, verdict: "confirmed_ng" });
    await c.inspections.review({ id: ids[4]!, verdict: "false_positive" });
    const d = await c.calibration.data({ roiId });
    await c.calibration.save({ modelVersionId: d.modelVersion.id, threshold: d.threshold! * 1.1, reason: "shift test: tighter" });
    const to = new Date(Date.now() + 1000);

    const r = await c.reports.shift({ roiId, from: from.toISOString(), to: to.toISOString() });
    // The database's own counts (Prisma count queries, not the report's groupBy), same window.
    const db = t.ctx.db.prisma;
    const count = (extra: Record<string, string>) => db.inspection.count({ where: { roiId, createdAt: { gte: from, lt: to }, ...extra } });
    assert.equal(r.inspections.total, 5);
    assert.equal(r.inspections.total, await count({}));
    assert.equal(r.inspections.ng, await count({ decision: "ng" }));
    assert.equal(r.inspections.ok, await count({ decision: "ok" }));
    assert.equal(r.inspections.ngRate, r.inspections.ng / r.inspections.total);
    assert.equal(r.review.confirmedNg, 1);
    assert.equal(r.review.confirmedNg, await count({ reviewStatus: "confirmed_ng" }));
    assert.equal(r.review.falsePositive, await count({ reviewStatus: "false_positive" }));
    assert.equal(r.review.pending, await count({ reviewStatus: "pending" }));
    // The fits of this file fall inside the window too; the last change is the threshold saved above.
    const change = r.thresholdChanges.at(-1)!;
    assert.equal(change.action, "calibration.activate");
    assert.equal(change.actor, "qa-erik");
    assert.equal(change.reason, "shift test: tighter");
    assert.ok(Math.abs(change.toThreshold! - d.threshold! * 1.1) < 1e-9);
    assert.equal(change.fromThreshold, d.threshold);
    assert.equal(r.current.threshold, change.toThreshold);
  });
  it("reports.line: the line's inspections under the active calibration, by review outcome, against its promise", async () => {
    const d = await c.calibration.data({ roiId });
    const cal = d.activeCalibration!;
    const before = await c.reports.line({ roiId });
    assert.equal(before!.calibration.id, cal.id);
    assert.equal(before!.promised, cal.expectedFalseRejectRate);
    // The line: the legacy client's /infer path (source "legacy-infer"), real scoring; 3 OK crops and 2 pitted ones.
    const svc = getServices(t.ctx);
    const ref = { recipeId: "disc-s", roleId: "Inspection", roiId: "ring" };
    const line = [];
    for (const image of [...(await okCrops(3, 30)), await ngCrop(3), await ngCrop(4)]) {
      const o = await inferImage(svc, { ref, image, requireCalibration: true, source: "legacy-infer" });
      assert.equal(o.calibration?.id, cal.id, "judged under the active calibration");
      line.push({ id: o.inspectionId, decision: o.decision });
    }
    const ng = line.filter((i) => i.decision === "ng");
    const ok = line.filter((i) => i.decision === "ok");
    // One NG call reviewed a good part (a false reject), one OK call found to be a defect (a miss); a test upload
    // through the dashboard is not the line and is not counted.
    if (ng[0]) await c.inspections.review({ id: ng[0].id, verdict: "false_positive" });
    if (ok[0]) await c.inspections.review({ id: ok[0].id, verdict: "confirmed_ng" });
    const fd = new FormData();
    fd.set("roiId", roiId);
    fd.set("file", new File([new Uint8Array(await ngCrop(6))], "t.png", { type: "image/png" }));
    await c.inspections.testUpload(fd);

    const r = (await c.reports.line({ roiId }))!;
    const db = t.ctx.db.prisma;
    const count = (where: Record<string, unknown>) => db.inspection.count({ where: { calibrationId: cal.id, source: "legacy-infer", ...where } });
    assert.equal(r.inspections - before!.inspections, 5);
    assert.equal(r.inspections, await count({}));
    assert.equal(r.falseRejects, await count({ decision: "ng", reviewStatus: { in: ["false_positive", "relabelled_ok"] } }));
    assert.equal(r.pendingNg, await count({ decision: "ng", reviewStatus: "pending" }));
    assert.equal(r.missesFound, await count({ decision: "ok", reviewStatus: { in: ["confirmed_ng", "relabelled_ng"] } }));
    assert.equal(r.goodParts, (await count({ decision: "ok" })) - r.missesFound + r.falseRejects);
    assert.equal(r.falseRejects, ng.length ? 1 : 0);
    assert.equal(r.missesFound, ok.length ? 1 : 0);
    // the verdict and the bounds are core's on these counts
    const expected = linePromise(
      { ngGood: r.falseRejects, ngDefect: (await count({ decision: "ng" })) - r.falseRejects - r.pendingNg, ngPending: r.pendingNg,
        okGood: r.goodParts - r.falseRejects, okPending: 0, okDefect: r.missesFound },
      cal.expectedFalseRejectRate,
    );
    assert.deepEqual({ v: r.verdict, lo: r.rateLow, hi: r.rateHigh, i: r.interval95 }, { v: expected.verdict, lo: expected.rateLow, hi: expected.rateHigh, i: expected.interval95 });
    assert.notEqual(r.verdict, "kept", "5 inspections cannot show a promise kept");
    // The line's last crops against the calibration's out-of-sample OK scores: core's scoreShift on every line score
    // under it (fewer than the window) and the OK scores stored with it.
    const calRow = await db.calibration.findUniqueOrThrow({ where: { id: cal.id } });
    assert.equal(calRow.outOfSample, true);
    const lineScores = (await db.inspection.findMany({ where: { calibrationId: cal.id, source: "legacy-infer" }, select: { score: true } })).map((x) => x.score);
    const shift = scoreShift(lineScores, JSON.parse(calRow.okScoresJson) as number[]);
    assert.ok(r.scores.available, "an out-of-sample calibration's scores are compared");
    assert.equal(r.scores.window, SHIFT_WINDOW);
    assert.equal(r.scores.crops, lineScores.length);
    assert.deepEqual(
      { share: r.scores.share, i: r.scores.interval95, v: r.scores.verdict, okMedian: r.scores.okMedian, lineMedian: r.scores.lineMedian },
      { share: shift.share, i: shift.interval95, v: shift.verdict, okMedian: shift.okMedian, lineMedian: shift.lineMedian },
    );
    assert.equal(r.scores.verdict, "open", `${r.scores.crops} crops cannot tell a shift`);
    assert.ok(r.scores.aboveOkMedian >= ng.length, "an NG call scores over the threshold, over the OK median");
    assert.ok(r.scores.from! <= r.scores.to!);
    // The shift report compares its window's line crops under the active calibration the same way: a window over the
    // last hour holds these line crops (the earlier test uploads are not the line).
    const shiftR = await c.reports.shift({ roiId, from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date(Date.now() + 1000).toISOString() });
    assert.ok(shiftR.scores?.available, "the shift report compares its line crops");
    assert.deepEqual(
      { crops: shiftR.scores.crops, share: shiftR.scores.share, v: shiftR.scores.verdict },
      { crops: r.scores.crops, share: r.scores.share, v: r.scores.verdict },
    );
    const empty = await c.reports.shift({ roiId, from: new Date(Date.now() - 7_200_000).toISOString(), to: new Date(Date.now() - 3_600_000).toISOString() });
    assert.ok(empty.scores?.available && empty.scores.crops === 0, "no line crops in an earlier window");
    // OK scores measured in sample (a bank fitted on those crops) are not compared: every line would read higher
    const inSample = await calibrationScoreShift(svc, { ...calRow, outOfSample: false });
    assert.equal(inSample.available, false);
    // the overview's verdict for the ROI is the same
    const o = await c.overview({ lastInspections: 0 });
    const row = o.recipes.flatMap((x) => x.roles.flatMap((y) => y.rois)).find((x) => x.id === roiId)!;
    assert.equal(row.lineVerdict, r.verdict);
    assert.equal(row.lineScores, r.scores.verdict);
    // Saving another threshold makes a new calibration: its line starts empty.
    await c.calibration.save({ modelVersionId: d.modelVersion.id, threshold: d.threshold! * 1.05, reason: "line test" });
    const fresh = (await c.reports.line({ roiId }))!;
    assert.notEqual(fresh.calibration.id, cal.id);
    assert.equal(fresh.inspections, 0);
    assert.ok(fresh.scores.available && fresh.scores.crops === 0 && fresh.scores.verdict === "open");
  });
  it("a calibration stored before session 25 (the share of its OK scores as its promise) is held to the rate new crops see", async () => {
    const d = await c.calibration.data({ roiId });
    const ok = d.okScores;
    const threshold = legacyThreshold({ okScores: ok }).threshold;
    const rates = expectedRates(threshold, ok);
    // on these 10 scores: 1 of 10 over it, and a new OK crop over it with probability (1 + 0.09) / 11
    assert.ok(Math.abs(rates.promisedFalseRejectRate! - rates.falseRejectRate!) > 1e-4, `${rates.promisedFalseRejectRate} vs ${rates.falseRejectRate}`);
    // stored as the code before session 25 stored it
    const old = await createCalibration(t.ctx.db.prisma, {
      modelVersionId: d.modelVersion.id, threshold, rule: "p99_ok", scorePercentile: 99, areaMm2Thr: 1, mmPerPx: 0.2, okScores: ok,
      outOfSample: true, expectedFalseRejectRate: rates.falseRejectRate, expectedMissRate: null,
    }, { actor: "qa-erik" });
    assert.equal(old.expectedFalseRejectRate, rates.falseRejectRate);
    const line = (await c.reports.line({ roiId }))!;
    assert.equal(line.calibration.id, old.id);
    assert.equal(line.promised, rates.promisedFalseRejectRate, "the line watch holds the line to the promise on new crops");
    const listed = (await c.models.calibrations({ modelVersionId: d.modelVersion.id })).find((x) => x.id === old.id)!;
    assert.equal(listed.expectedFalseRejectRate, rates.promisedFalseRejectRate, "the dashboard shows it too");
  });
});
