import { test } from "node:test";
import assert from "node:assert/strict";
import { createTestDb } from "../testing.ts";
import {
  cancelQueuedJob, claimJob, createJobRow, databaseClockMs, finishJob, findStaleJobs, heartbeatJob, nextRunnableJob, releaseStaleJob, requestJobCancel,
  roisWithQueuedJobs, updateJobProgress,
} from "./jobs.ts";

const job = (id: string, roiId = "roi-1") => ({ id, kind: "fit", roiId, actor: "test", payload: { roiId, sampleIds: ["a", "b"] } });

test("jobs: a ROI's next job is its oldest queued one while none runs; a claim is taken once", async () => {
  const t = await createTestDb();
  try {
    await createJobRow(t.prisma, job("j1"));
    await new Promise((r) => setTimeout(r, 5)); // distinct createdAt
    await createJobRow(t.prisma, job("j2"));
    await createJobRow(t.prisma, job("k1", "roi-2"));
    assert.deepEqual((await roisWithQueuedJobs(t.prisma)).sort(), ["roi-1", "roi-2"]);
    assert.equal((await nextRunnableJob(t.prisma, "roi-1"))?.id, "j1");
    const claimed = await claimJob(t.prisma, { id: "j1", replicaId: "r-a" });
    assert.equal(claimed?.status, "running");
    assert.equal(claimed?.attempt, 1);
    assert.deepEqual(JSON.parse(claimed!.payloadJson), { roiId: "roi-1", sampleIds: ["a", "b"] });
    assert.equal(await claimJob(t.prisma, { id: "j1", replicaId: "r-b" }), null, "a running job cannot be claimed again");
    assert.equal(await nextRunnableJob(t.prisma, "roi-1"), null, "one job per ROI at a time");
    assert.equal((await nextRunnableJob(t.prisma, "roi-2"))?.id, "k1", "other ROIs are not held up");
  } finally {
    await t.cleanup();
  }
});

test("jobs: every write of a runner is fenced by its replica and attempt; a stale run goes back to the queue, then fails", async () => {
  const t = await createTestDb();
  try {
    await createJobRow(t.prisma, job("j1"));
    const first = (await claimJob(t.prisma, { id: "j1", replicaId: "r-a" }))!;
    const leaseA = { id: "j1", replicaId: "r-a", attempt: first.attempt };
    assert.equal(await updateJobProgress(t.prisma, leaseA, { progress: 0.4, stage: "extract", modelVersionId: "v-dead" }), true);
    // r-a goes silent: its heart-beat is older than the limit.
    const limit = new Date(Date.now() + 1000);
    const [stale] = await findStaleJobs(t.prisma, limit);
    assert.equal(stale?.modelVersionId, "v-dead");
    const back = await releaseStaleJob(t.prisma, stale!, { deadBefore: limit, maxAttempts: 2, message: "r-a gone" });
    assert.equal(back?.status, "queued");
    assert.equal(await releaseStaleJob(t.prisma, stale!, { deadBefore: limit, maxAttempts: 2, message: "again" }), null, "released once");
    const second = (await claimJob(t.prisma, { id: "j1", replicaId: "r-b" }))!;
    assert.equal(second.attempt, 2);
    assert.equal(second.modelVersionId, null);
    // The first runner comes back: nothing it writes counts any more.
    assert.equal(await heartbeatJob(t.prisma, leaseA), null);
    assert.equal(await updateJobProgress(t.prisma, leaseA, { progress: 0.9, stage: "x" }), false);
    assert.equal(await finishJob(t.prisma, leaseA, { status: "succeeded", stage: "done", result: { from: "a" } }), null);
    // The second run dies too: with 2 runs allowed, the job fails.
    const [stale2] = await findStaleJobs(t.prisma, new Date(Date.now() + 1000));
    const failed = await releaseStaleJob(t.prisma, stale2!, { deadBefore: new Date(Date.now() + 1000), maxAttempts: 2, message: "r-b gone" });
    assert.equal(failed?.status, "failed");
    assert.equal(failed?.error, "r-b gone");
  } finally {
    await t.cleanup();
  }
});

test("jobs: cancel ends a queued job at once and asks a running one's runner; the runner's outcome is written once", async () => {
  const t = await createTestDb();
  try {
    await createJobRow(t.prisma, job("q"));
    const q = await cancelQueuedJob(t.prisma, { id: "q", by: "eve", reason: "not needed" });
    assert.deepEqual([q?.status, q?.stage, q?.cancelledBy], ["failed", "cancelled", "eve"]);
    assert.equal(await claimJob(t.prisma, { id: "q", replicaId: "r-a" }), null, "a cancelled job never runs");
    await createJobRow(t.prisma, job("r"));
    const run = (await claimJob(t.prisma, { id: "r", replicaId: "r-a" }))!;
    assert.equal(await cancelQueuedJob(t.prisma, { id: "r", by: "eve", reason: "x" }), null);
    const asked = await requestJobCancel(t.prisma, { id: "r", by: "eve", reason: "stop it" });
    assert.equal(asked?.status, "running");
    const lease = { id: "r", replicaId: "r-a", attempt: run.attempt };
    assert.equal((await heartbeatJob(t.prisma, lease))?.cancelReason, "stop it", "the runner learns of it by its heart-beat");
    const done = await finishJob(t.prisma, lease, { status: "failed", stage: "cancelled", error: "stop it" });
    assert.deepEqual([done?.status, done?.stage], ["failed", "cancelled"]);
    assert.equal(await finishJob(t.prisma, lease, { status: "succeeded", stage: "done" }), null, "finished once");
  } finally {
    await t.cleanup();
  }
});

test("jobs: the database server's clock, the one every replica's job times follow (PostgreSQL)", { skip: process.env.BDI_TEST_PG_URL ? false : "PostgreSQL leg only" }, async () => {
  const t = await createTestDb();
  try {
    const before = Date.now();
    const ms = await databaseClockMs(t.prisma);
    // Same machine here: the server's clock reads within a second of ours (a replica elsewhere keeps the offset).
    assert.ok(Math.abs(ms - before) < 1000, `${ms} vs ${before}`);
  } finally {
    await t.cleanup();
  }
});
