// The line watch on a real service context (SQLite, the bundled backbone, a real fit): a line crop scored through
// the legacy path runs the check in the background; scores that turn higher than the OK samples raise one alarm —
// an audit event, a metric, a POST to a loopback webhook — and their return clears it; reviews that find false
// rejects break the promise; a webhook that refuses is retried and counted, the audit log keeps the change. The line's
// history is written as real inspection rows of the real database (hundreds of crops would take minutes to score).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { LINE_SOURCE, SHIFT_WINDOW } from "@bdi/core";
import { getLineWatch, listAuditEvents } from "@bdi/db";
import { makeTestCtx, okCrops, uploadForm, type Caller, type TestCtx } from "../trpc/test-support.ts";
import { getServices, type Services } from "./index.ts";
import { inferImage } from "./infer.ts";
import { checkLine, LineWatcher, refreshLineAlarms, type LineAlert } from "./line-watch.ts";

/** A loopback webhook receiver: what it was sent, and the status it answers with. */
async function startReceiver() {
  const received: LineAlert[] = [];
  const state = { status: 204, requests: 0 };
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      state.requests++;
      if (state.status < 300) received.push(JSON.parse(body) as LineAlert);
      res.writeHead(state.status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { url, received, state, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe("the line watch", () => {
  let t: TestCtx;
  let c: Caller;
  let svc: Services;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let roiId: string;
  let cal: { id: string; threshold: number };
  const ref = { recipeId: "disc-w", roleId: "Inspection", roiId: "ring" };

  /** `n` line crops judged under the calibration, the newest `minutesAgo` minutes ago, scored by `score(i)`. */
  async function lineHistory(n: number, minutesAgo: number, score: (i: number) => number) {
    const end = Date.now() - minutesAgo * 60_000;
    await t.ctx.db.prisma.inspection.createMany({
      data: Array.from({ length: n }, (_, i) => {
        const s = score(i);
        return {
          roiId, calibrationId: cal.id, score: s, threshold: cal.threshold, decision: s >= cal.threshold ? "ng" : "ok",
          imageSha256: `line-${minutesAgo}-${i}`, width: 160, height: 128, source: LINE_SOURCE, createdAt: new Date(end - (n - i) * 1000),
        };
      }),
    });
  }

  before(async () => {
    receiver = await startReceiver();
    t = await makeTestCtx({ backbone: "load", env: { BDI_MIN_OK_SAMPLES: "8", BDI_INPUT_SIZE: "224", BDI_ALERT_WEBHOOK_URL: receiver.url } });
    c = t.caller("qa-ines");
    svc = getServices(t.ctx);
    const up = await c.samples.upload(
      uploadForm({ recipeId: ref.recipeId, roleId: ref.roleId, roiName: ref.roiId, label: "ok", mmPerPx: "0.2" }, (await okCrops(10)).map((d, i) => ({ name: `ok${i}.png`, data: d }))),
    );
    roiId = up.roi.id;
    const job = await c.fit.start({ roiId });
    for await (const ev of await c.fit.progress({ jobId: job.id })) if (ev.status === "failed") assert.fail(ev.error ?? "fit failed");
    const active = (await c.calibration.data({ roiId })).activeCalibration!;
    cal = { id: active.id, threshold: active.threshold };
    // The fit's ten out-of-sample OK scores are too few for a verdict on the line's scores (MIN_SHIFT_OK_SCORES):
    // this calibration holds a hundred, spread evenly under half the threshold (median: a quarter of it).
    const ok = Array.from({ length: 100 }, (_, i) => (i / 99) * 0.5 * cal.threshold);
    await t.ctx.db.prisma.calibration.update({ where: { id: cal.id }, data: { okScoresJson: JSON.stringify(ok) } });
  });
  after(async () => {
    await svc?.lineWatch.close();
    await t?.cleanup();
    await receiver?.close();
  });

  it("a line crop runs the check; scores higher than the OK samples raise one alarm: audit event, metric, webhook", async () => {
    await lineHistory(SHIFT_WINDOW - 1, 120, () => 3 * cal.threshold);
    const [image] = await okCrops(1, 40);
    const o = await inferImage(svc, { ref, image: image!, requireCalibration: true, source: LINE_SOURCE });
    assert.equal(o.calibration?.id, cal.id);
    await svc.lineWatch.idle();

    const events = (await listAuditEvents(t.ctx.db.prisma, { action: "line.shift" })).items;
    assert.equal(events.length, 1);
    assert.equal(events[0]!.entityId, cal.id);
    assert.equal(events[0]!.actor, "line-watch");
    const after = JSON.parse(events[0]!.afterJson!) as { verdict: string; alarm: boolean; crops: number; aboveOkMedian: number };
    assert.equal(after.verdict, "higher");
    assert.equal(after.alarm, true);
    assert.equal(after.crops, SHIFT_WINDOW);
    assert.ok(after.aboveOkMedian >= SHIFT_WINDOW - 1, `${after.aboveOkMedian}`);
    assert.equal((await getLineWatch(t.ctx.db.prisma, cal.id)).shift, "higher");
    assert.equal(svc.metrics.lineAlarms.get({ kind: "shift", verdict: "higher" }), 1);
    // the calibration view's report carries the alarm and its time
    const line = await c.reports.line({ roiId });
    assert.equal(line!.watch.shift, "higher");
    assert.equal(line!.watch.shiftSince, (await getLineWatch(t.ctx.db.prisma, cal.id)).shiftSince!.toISOString());
    assert.equal(line!.watch.promise, null);
    // /metrics: the alarm in force, per ROI and kind, from the database
    await refreshLineAlarms(svc);
    const gauge = (kind: string) => svc.metrics.lineAlarm.get({ recipe_id: ref.recipeId, role_id: ref.roleId, roi_id: ref.roiId, kind });
    assert.equal(gauge("shift"), 1);
    assert.equal(gauge("promise"), 0);
    assert.match(svc.metrics.registry.render(), /^bdi_line_alarm\{recipe_id="disc-w",role_id="Inspection",roi_id="ring",kind="shift"(,replica="[^"]*")?\} 1$/m);

    assert.equal(receiver.received.length, 1);
    const alert = receiver.received[0]!;
    assert.equal(alert.event, "line.shift");
    assert.equal(alert.alarm, true);
    assert.equal(alert.to, "higher");
    assert.deepEqual(alert.roi, { id: roiId, ...ref });
    assert.deepEqual(alert.calibration, { id: cal.id, threshold: cal.threshold, active: true });
    assert.match(alert.text, /^ROI disc-w\/Inspection\/ring: the line's crops score higher than the OK samples \(\d+\.\d % of the last 500 crops/);
    assert.equal(alert.detail.crops, SHIFT_WINDOW);
  });

  it("scores back like the OK samples clear it; the same verdict again reports nothing", async () => {
    // half of them above the OK samples' median (a quarter of the threshold), half under it, all judged OK
    await lineHistory(SHIFT_WINDOW, 60, (i) => (i % 2 ? 0.4 : 0.1) * cal.threshold);
    const changes = await checkLine(svc, cal.id);
    assert.deepEqual(changes, [{ kind: "shift", from: "higher", to: "steady", alarm: false }]);
    await svc.lineWatch.idle();
    assert.equal(receiver.received.length, 2);
    assert.equal(receiver.received[1]!.alarm, false);
    assert.match(receiver.received[1]!.text, /scores are like the OK samples' again/);
    assert.deepEqual(await checkLine(svc, cal.id), []);
    await svc.lineWatch.idle();
    assert.equal(receiver.received.length, 2);
    assert.equal((await listAuditEvents(t.ctx.db.prisma, { action: "line.shift" })).items.length, 2);
    await refreshLineAlarms(svc);
    assert.equal(svc.metrics.lineAlarm.get({ recipe_id: ref.recipeId, role_id: ref.roleId, roi_id: ref.roiId, kind: "shift" }), 0, "resolved");
  });

  it("a review that finds the NG calls were good parts breaks the promise, and says so", async () => {
    const ng = await t.ctx.db.prisma.inspection.findMany({ where: { calibrationId: cal.id, decision: "ng" }, select: { id: true } });
    assert.equal(ng.length, SHIFT_WINDOW - 1);
    // every NG call but the last reviewed as a false reject directly in the table; the last through the reviewer's path
    await t.ctx.db.prisma.inspection.updateMany({ where: { id: { in: ng.slice(1).map((i) => i.id) } }, data: { reviewStatus: "false_positive" } });
    await c.inspections.review({ id: ng[0]!.id, verdict: "false_positive" });
    await svc.lineWatch.idle();
    const events = (await listAuditEvents(t.ctx.db.prisma, { action: "line.promise" })).items;
    assert.equal(events.length, 1);
    assert.deepEqual(JSON.parse(events[0]!.beforeJson!), { verdict: null });
    const after = JSON.parse(events[0]!.afterJson!) as { verdict: string; falseRejects: number };
    assert.equal(after.verdict, "broken");
    assert.equal(after.falseRejects, SHIFT_WINDOW - 1);
    const alert = receiver.received.at(-1)!;
    assert.equal(alert.event, "line.promise");
    assert.match(alert.text, /rejects more good parts than its calibration promised \(499 false rejects in \d+ good parts/);
    // the shift report lists what the watch reported in its window, oldest first
    const report = await c.reports.shift({ roiId, from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date(Date.now() + 1000).toISOString() });
    assert.deepEqual(report.lineAlarms.map((e) => `${e.kind}:${e.to}:${e.alarm}`), ["shift:higher:true", "shift:steady:false", "promise:broken:true"]);
  });

  it("a webhook that refuses is tried three times and counted; the audit log has the change", async () => {
    receiver.state.status = 503;
    const before = receiver.state.requests;
    await lineHistory(SHIFT_WINDOW, 30, () => 2 * cal.threshold);
    assert.deepEqual(await checkLine(svc, cal.id), [{ kind: "shift", from: "steady", to: "higher", alarm: true }]);
    await svc.lineWatch.idle();
    assert.equal(receiver.state.requests - before, 3);
    assert.equal(svc.metrics.alertWebhookFailures.get(), 1);
    assert.equal((await listAuditEvents(t.ctx.db.prisma, { action: "line.shift" })).items.length, 3);
  });
});

describe("LineWatcher", () => {
  it("folds the notes of one calibration into one check, and checks each calibration it was told of", async () => {
    const checked: string[] = [];
    const w = new LineWatcher(async (id) => void checked.push(id), (err) => assert.fail(String(err)), 60_000);
    for (let i = 0; i < 5; i++) w.note("a");
    w.note("b");
    await w.idle();
    assert.deepEqual(checked.sort(), ["a", "b"]);
    // within the interval a note waits for it (idle runs it now); after close nothing runs
    w.note("a");
    await w.idle();
    assert.deepEqual(checked.sort(), ["a", "a", "b"]);
    await w.close();
    w.note("a");
    await w.idle();
    assert.equal(checked.length, 3);
  });

  it("a failing check is reported and the next one still runs", async () => {
    const errors: string[] = [];
    let n = 0;
    const w = new LineWatcher(async () => {
      if (++n === 1) throw new Error("database gone");
    }, (err, id) => errors.push(`${id}: ${(err as Error).message}`), 0);
    w.note("a");
    await w.idle();
    w.note("a");
    await w.idle();
    assert.deepEqual(errors, ["a: database gone"]);
    assert.equal(n, 2);
  });
});
