// Router tests without HTTP against the real bundled backbone: upload → fit with streamed progress → calibrate
// (data, slider, save) → test inference → review → refit → compare → rollback, each step found in the audit log.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { makeTestCtx, ngCrop, okCrops, rejectsWith, uploadForm, type Caller, type TestCtx } from "./test-support.ts";
import type { JobDto } from "./dto.ts";
import { DEFAULT_SCORE_PERCENTILE, newSampleShareAtOrOver } from "@bdi/core";
import { getServices } from "../services/index.ts";
import { calibrateDataset } from "../services/calibrate.ts";

async function follow(c: Caller, jobId: string): Promise<JobDto[]> {
  const events: JobDto[] = [];
  for await (const ev of await c.fit.progress({ jobId })) events.push(ev);
  return events;
}

describe("dashboard router with the real backbone: fit, calibrate, infer, review, compare, rollback", () => {
  let t: TestCtx;
  let c: Caller;
  let roiId: string;
  let v1: string;
  let v2: string;
  let ngSampleIds: string[];
  let fitOkStats: Record<string, number>;

  before(async () => {
    t = await makeTestCtx({ backbone: "load", env: { BDI_MIN_OK_SAMPLES: "8", BDI_INPUT_SIZE: "224" } });
    c = t.caller("qa-dora");
    const ok = await okCrops(10);
    const up = await c.samples.upload(
      uploadForm({ recipeId: "disc-b", roleId: "Inspection", roiName: "inspection-1", label: "ok", mmPerPx: "0.2" }, ok.map((d, i) => ({ name: `ok${i}.png`, data: d }))),
    );
    roiId = up.roi.id;
    const ng = await c.samples.upload(uploadForm({ roiId, label: "ng" }, [{ name: "ng0.png", data: await ngCrop(0) }, { name: "ng1.png", data: await ngCrop(3) }]));
    ngSampleIds = ng.samples.map((s) => s.id);
  });
  after(() => t.cleanup());

  it("fit.start queues a job and fit.progress streams it to completion", async () => {
    const job = await c.fit.start({ roiId });
    assert.equal(job.kind, "fit");
    assert.equal(job.roiId, roiId);
    assert.ok(["queued", "running"].includes(job.status));
    const events = await follow(c, job.id);
    assert.ok(events.length >= 3, `several progress events (got ${events.length})`);
    const last = events.at(-1)!;
    assert.equal(last.status, "succeeded", last.error ?? "");
    assert.equal(last.progress, 1);
    for (let i = 1; i < events.length; i++) assert.ok(events[i]!.progress >= events[i - 1]!.progress, "progress never goes back");
    assert.ok(events.some((e) => e.stage === "extract" || e.stage === "calibrating"));
    assert.ok(last.result?.modelVersionId);
    assert.equal(last.result!.versionNumber, 1);
    assert.ok(last.result!.threshold! > 0, "self-calibrated");
    v1 = last.result!.modelVersionId;
    // A finished job streams its final snapshot once.
    const again = await follow(c, job.id);
    assert.equal(again.length, 1);
    assert.equal(again[0]!.status, "succeeded");
    const jobs = await c.jobs.list({ roiId });
    assert.equal(jobs.length, 1);
    assert.equal(jobs[0]!.status, "succeeded");
  });

  it("models.list / models.get show the version with lineage, backbone, coreset and timings", async () => {
    const l = await c.models.list({ roiId });
    assert.equal(l.versions.length, 1);
    const v = l.versions[0]!;
    assert.equal(v.id, v1);
    assert.equal(v.active, true);
    assert.equal(v.status, "ready");
    assert.equal(v.nSamples, 10);
    assert.ok(v.coresetSize! > 0 && v.nEmbeddings! >= v.coresetSize!);
    // the fit's registration probe and the memory it chose are on the version (these crops are registered)
    assert.equal(v.memoryLayout, "positional");
    assert.ok(v.registrationShare! > 0.5 && v.registrationShare! <= 1, `share ${v.registrationShare}`);
    assert.ok(v.backboneId.length > 0);
    assert.ok(v.threshold! > 0);
    assert.ok(v.timings && typeof v.timings === "object");
    const g = await c.models.get({ id: v1 });
    assert.equal(g.lineage.length, 10);
    assert.ok(g.lineage.every((s) => s.label === "ok"));
    assert.equal(g.calibrations.length, 1);
    assert.equal(g.calibrations[0]!.outOfSample, true);
    // how it scores, read from its meta.json: 10 OK crops are too few for per-position statistics (20), and a
    // registered ROI's crops are brought to its brightness and its features weighted per channel
    assert.deepEqual(g.scoring, { scoreRule: "tail-mean", baseline: "none", normalised: false, channelWeights: true, brightness: true });
    const cals = await c.models.calibrations({ modelVersionId: v1 });
    assert.equal(cals[0]!.active, true);
    const o = await c.overview();
    const roi = o.recipes[0]!.roles[0]!.rois[0]!;
    assert.equal(roi.fitted, true);
    assert.equal(roi.calibrated, true);
    assert.equal(roi.activeModelVersion?.versionNumber, 1);
  });

  it("calibration.data: out-of-sample OK scores, NG scores, the rule and expected rates", async () => {
    const d = await c.calibration.data({ roiId });
    assert.equal(d.modelVersion.id, v1);
    assert.equal(d.okScores.length, 10);
    assert.equal(d.ngScores.length, 2);
    assert.equal(d.outOfSample, true);
    assert.ok(d.samples.every((s) => s.outOfSample));
    assert.equal(d.errors.length, 0);
    assert.equal(d.threshold, d.activeCalibration!.threshold);
    assert.ok(d.rule && d.rule.threshold > 0);
    // how the version scores: the top-1 % mean of its map, kept at its level (registered crops)
    assert.equal(d.scoreRule, "tail-mean");
    assert.equal(d.baseline, "none");
    assert.equal(d.channelWeights, true, "a registered ROI's features are weighted per channel");
    assert.equal(d.brightness, true, "and its crops brought to its brightness");
    fitOkStats = d.activeCalibration!.okStats!;
    assert.equal(d.expected!.nOk, 10);
    // the calibration promises the rate on new OK crops (core's newSampleShareAtOrOver), the panel shows the same
    assert.equal(d.activeCalibration!.expectedFalseRejectRate, d.expected!.promisedFalseRejectRate);
    assert.equal(d.expected!.promisedFalseRejectRate, newSampleShareAtOrOver(d.threshold!, d.okScores));
    assert.equal(d.activeCalibration!.expectedMissRate, d.expected!.promisedMissRate);
    assert.equal(d.stats.ok.n, 10);
    // the OK samples that hold the threshold up: the six highest, highest first; the rule's p99 of 10 OK scores lies
    // between the two highest, which are marked
    const top = [...d.okScores].sort((a, b) => b - a);
    assert.deepEqual(d.okHighest.map((s) => s.score), top.slice(0, 6));
    assert.ok(d.okHighest.every((s) => s.label === "ok" && s.thumbUrl.endsWith(`/${s.sampleId}/thumb`)));
    assert.deepEqual(d.okHighest.map((s) => s.setsRule), [true, true, false, false, false, false]);
    assert.ok(d.okHighest[1]!.score <= d.rule!.pOk && d.rule!.pOk <= d.okHighest[0]!.score);
    // another draw of 10 OK samples like these: the rule's threshold somewhere in a range that holds this one, and the
    // shares it would reject / catch of these samples at the range's two ends
    const sp = d.ruleSpread!;
    assert.equal(sp.draws, 1000);
    assert.ok(sp.threshold[0] <= d.rule!.threshold && d.rule!.threshold <= sp.threshold[1], JSON.stringify({ sp, rule: d.rule }));
    assert.ok(sp.threshold[0] < sp.threshold[1], "10 OK scores cannot pin a p99 down");
    for (const [lo, hi] of [sp.okRejected, sp.ngCaught!]) assert.ok(lo >= 0 && lo <= hi && hi <= 1, JSON.stringify(sp));
    const atRule = d.expectedAtRule!;
    assert.ok(sp.okRejected[0] <= atRule.falseRejectRate! && atRule.falseRejectRate! <= sp.okRejected[1], JSON.stringify({ sp, atRule }));
    // Served from the cache the second time (same computation stamp), the spread with it.
    const again = await c.calibration.data({ modelVersionId: v1 });
    assert.equal(again.computedAt, d.computedAt);
    assert.deepEqual(again.ruleSpread, d.ruleSpread);
  });

  it("calibration.rescore: confusion, ROC and the samples that flip", async () => {
    const d = await c.calibration.data({ roiId });
    const top = Math.max(...d.okScores, ...d.ngScores);
    const strict = await c.calibration.rescore({ modelVersionId: v1, threshold: top + 1 });
    assert.equal(strict.confusion.tp + strict.confusion.fp, 0, "nothing is NG above every score");
    assert.equal(strict.confusion.fn, 2);
    assert.equal(strict.confusion.tn, 10);
    assert.equal(strict.rates.missRate, 1);
    assert.ok(strict.roc.length >= 2);
    assert.equal(strict.roc[0]!.tpr, 0);
    assert.equal(strict.roc.at(-1)!.tpr, 1);
    assert.equal(strict.baselineThreshold, d.threshold);
    for (const f of strict.flips) {
      assert.equal(f.before, "ng");
      assert.equal(f.after, "ok");
    }
    const loose = await c.calibration.rescore({ modelVersionId: v1, threshold: 0 });
    assert.equal(loose.confusion.fp, 10);
    assert.equal(loose.rates.falseRejectRate, 1);
    assert.ok(loose.auc === null || (loose.auc >= 0 && loose.auc <= 1));
    await rejectsWith(c.calibration.rescore({ modelVersionId: v1, threshold: Number.NaN }), "BAD_REQUEST", /threshold/);
  });

  it("calibration.save needs a reason and is audited; the threshold is in force at once", async () => {
    const d = await c.calibration.data({ roiId });
    await rejectsWith(c.calibration.save({ modelVersionId: v1, threshold: d.threshold! * 1.1, reason: "" }), "BAD_REQUEST", /reason/);
    const s = await c.calibration.save({ modelVersionId: v1, threshold: d.threshold! * 1.1, reason: "fewer false rejects on line 2" });
    assert.equal(s.inForce, true);
    assert.equal(s.calibration.rule, "manual");
    assert.equal(s.calibration.reason, "fewer false rejects on line 2");
    assert.equal(s.previousThreshold, d.threshold);
    const ruleSave = await c.calibration.save({ modelVersionId: v1, threshold: d.rule!.threshold, reason: "back to the legacy rule" });
    assert.equal(ruleSave.calibration.rule, d.rule!.rule);
    const after = await c.calibration.data({ roiId });
    assert.equal(after.threshold, d.rule!.threshold);
    const ev = await c.audit.list({ action: "calibration.create" });
    assert.ok(ev.items.some((e) => e.reason === "fewer false rejects on line 2" && e.actor === "qa-dora"));
  });

  it("inspections.testUpload runs an inference (source dashboard-test) that appears in the review queue", async () => {
    const fd = new FormData();
    fd.append("roiId", roiId);
    fd.append("file", new File([new Uint8Array(await ngCrop(7))], "defect.png", { type: "image/png" }));
    const i = await c.inspections.testUpload(fd);
    assert.equal(i.source, "dashboard-test");
    assert.equal(i.modelVersionId, v1);
    assert.ok(i.threshold! > 0);
    assert.equal(i.decision, i.score >= i.threshold! ? "ng" : "ok");
    assert.ok(i.imageUrl && i.heatmapUrl);
    const d = await c.inspections.get({ id: i.id });
    assert.ok(Array.isArray(d.regions));
    for (const r of d.regions) assert.ok(r.areaMm2 >= 0 && r.bbox.length === 4);
    const q = await c.inspections.list({ source: "dashboard-test" });
    assert.equal(q.items[0]!.id, i.id);
    const bad = new FormData();
    bad.append("roiId", roiId);
    bad.append("file", new File([new Uint8Array(Buffer.from("nope"))], "x.png"));
    await rejectsWith(c.inspections.testUpload(bad), "BAD_REQUEST", /could not be decoded/);
    const added = await c.inspections.addToDataset({ id: i.id, label: "ng", note: "from the test upload" });
    assert.equal(added.inspection.reviewStatus, "relabelled_ng");
    ngSampleIds.push(added.sample.id);
  });

  it("a refit gives v2 (parent v1); models.compare scores both on the same labelled set", async () => {
    const job = await c.fit.start({ roiId, coresetRate: 0.2 });
    const last = (await follow(c, job.id)).at(-1)!;
    assert.equal(last.status, "succeeded", last.error ?? "");
    v2 = last.result!.modelVersionId;
    const l = await c.models.list({ roiId });
    assert.equal(l.activeModelVersionId, v2);
    const mv2 = l.versions.find((v) => v.id === v2)!;
    assert.equal(mv2.parentVersionId, v1);
    assert.equal(l.versions.find((v) => v.id === v1)!.status, "retired");
    const cmp = await c.models.compare({ a: v1, b: v2 });
    assert.equal(cmp.nOk, 10);
    assert.equal(cmp.nNg, 3);
    assert.equal(cmp.samples.length, 13);
    for (const s of [cmp.a, cmp.b]) assert.ok(s.auroc !== null && s.auroc >= 0 && s.auroc <= 1);
    assert.ok(cmp.a.threshold! > 0 && cmp.b.threshold! > 0);
  });

  it("models.activate rolls back to v1 with a reason (audited); its own threshold comes back", async () => {
    await rejectsWith(c.models.activate({ id: v1, reason: "" }), "BAD_REQUEST", /reason/);
    const r = await c.models.activate({ id: v1, reason: "v2 rejects good discs" });
    assert.equal(r.version.id, v1);
    assert.equal(r.version.active, true);
    assert.equal(r.previousVersionId, v2);
    assert.equal(r.calibrated, true);
    const o = await c.overview();
    assert.equal(o.recipes[0]!.roles[0]!.rois[0]!.activeModelVersion?.id, v1);
    const ev = await c.audit.list({ action: "model_version.activate", entityId: v1 });
    assert.equal(ev.items[0]!.reason, "v2 rejects good discs");
    assert.equal(ev.items[0]!.actor, "qa-dora");
  });

  it("a dataset calibration of v1 scores its OK samples out-of-sample as its fit did (the version's layout, brightness and channel weights, through the compute worker)", async () => {
    const r = await calibrateDataset(getServices(t.ctx), {
      ref: { recipeId: "disc-b", roleId: "Inspection", roiId: "inspection-1" }, percentile: DEFAULT_SCORE_PERCENTILE, areaMm2Thr: 1, requireNg: false,
    }, { actor: "qa-dora" });
    assert.equal(r.calibration.modelVersionId, v1);
    assert.equal(r.nOk, 10);
    const stats = JSON.parse(r.calibration.okStatsJson!) as Record<string, number>;
    assert.deepEqual([stats.mean, stats.p], [fitOkStats.mean, fitOkStats.p]);
  });
});
