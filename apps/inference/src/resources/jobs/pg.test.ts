// Plant mode, jobs and model changes: replicas on one PostgreSQL database (a throwaway Debian cluster, testing-pg.ts)
// and one shared data root, with the real bundled backbone. Replicas are apps in this process, plus one service
// process (src/main.ts) that is killed -9 in the middle of a fit. A is an observer (BDI_JOB_WORKER=0): everything it
// shows about a job came from another replica through the database.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createDb, findJob, findRoi, getModelVersion, getRoi, type Job } from "@bdi/db";
import { createPostgresTestDatabase } from "@bdi/db/testing";
import { postgresUnavailableReason, startPostgres, type TestPostgres } from "@bdi/db/testing-pg";
import { loadConfig } from "../../config.ts";
import { buildApp } from "../../app.ts";
import type { ServiceContext } from "../../context.ts";
import { BackboneHolder } from "../../runtime/backbone-state.ts";
import { loadServiceBackbone } from "../../runtime/load-backbone.ts";
import { getServices, type Services } from "../../services/index.ts";
import { cancelFit, startFit } from "../../services/fit.ts";
import { uploadSamples, type RoiRef } from "../../services/samples.ts";
import { activateVersion } from "../../services/model-versions.ts";
import { roiModelState } from "../../services/model-state.ts";
import { inferImage } from "../../services/infer.ts";
import type { ModelChange } from "../model-changes.ts";
import type { JobSnapshot } from "../jobs.ts";
import { okCrops } from "../../legacy/test-support.ts";

const APP_DIR = fileURLToPath(new URL("../../..", import.meta.url));
const unavailable = postgresUnavailableReason();
const who = { actor: "plant-test", requestId: null };
const ref: RoiRef = { recipeId: "plant", roleId: "Inspection", roiId: "disc-1" };
const Q = "recipe_id=plant&role_id=Inspection&roi_id=disc-1";

type Replica = { name: string; base: string; svc: Services; close(): Promise<void> };

/** Waits for `pred` (polled every 50 ms); fails with `what` after `ms`. */
async function until<T>(what: string, fn: () => Promise<T> | T, ms = 60_000): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("plant mode: fits on any replica, progress and model changes everywhere", { skip: unavailable ?? false }, () => {
  let pg: TestPostgres;
  let database: { url: string; drop(): Promise<void> };
  let dataRoot: string;
  const replicas: Replica[] = [];
  let child: ChildProcess | null = null;
  let a: Replica;

  const env = (name: string, extra: Record<string, string> = {}): Record<string, string> => ({
    BDI_DATA_ROOT: dataRoot, DATABASE_URL: database.url, BDI_REPLICA_ID: name, BDI_LOG_LEVEL: "silent", BDI_THREADS: "2",
    BDI_INPUT_SIZE: "320", BDI_MIN_OK_SAMPLES: "4", BDI_JOB_DEAD_AFTER_S: "3", BDI_SCORING_WORKERS: "1", ...extra,
  });

  async function startReplica(name: string, extra: Record<string, string> = {}): Promise<Replica> {
    const config = loadConfig(env(name, extra));
    const db = await createDb({ url: database.url });
    const backbone = new BackboneHolder();
    const ctx = { config, db, backbone, startedAt: Date.now() } as ServiceContext;
    const app = await buildApp(ctx, { logger: false });
    ctx.log = app.log;
    await app.listen({ port: 0, host: "127.0.0.1" });
    await backbone.load(() => loadServiceBackbone(config));
    const addr = app.server.address();
    const r: Replica = {
      name, base: `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`, svc: getServices(ctx),
      async close() {
        replicas.splice(replicas.indexOf(r), 1);
        await app.close();
        await db.close();
      },
    };
    replicas.push(r);
    return r;
  }

  const roiOf = async (svc: Services) => (await findRoi(svc.ctx.db.prisma, ref))!;
  const jobRow = async (svc: Services, id: string): Promise<Job> => (await findJob(svc.ctx.db.prisma, id))!;
  const state = async (r: Replica) => (await fetch(`${r.base}/state?${Q}`)).json() as Promise<{ memory_fitted: boolean; calib_present: boolean }>;

  before(async () => {
    pg = await startPostgres();
    database = await createPostgresTestDatabase(pg.adminUrl);
    dataRoot = mkdtempSync(path.join(tmpdir(), "bdi-plant-"));
    a = await startReplica("replica-a", { BDI_JOB_WORKER: "0" });
    const files = (await okCrops(6)).map((data, i) => ({ data, filename: `${String(i).padStart(3, "0")}.png`, meta: { mm_per_px: 0.2 } }));
    await uploadSamples(a.svc, { ref, label: "ok", source: "legacy-upload", files, defaultMmPerPx: 0.2 }, who);
  });

  after(async () => {
    if (child?.pid) {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        /* already gone */
      }
    }
    for (const r of [...replicas].reverse()) await r.close().catch(() => undefined);
    await database?.drop().catch(() => undefined);
    pg?.stop();
    if (dataRoot) rmSync(dataRoot, { recursive: true, force: true });
  });

  it("two fits queued on A run on the workers B and C one after the other; A streams their progress and /train/status", async () => {
    const [b, c] = await Promise.all([startReplica("replica-b"), startReplica("replica-c")]);
    // closed whatever happens: workers left running would take the next tests' fits
    try {
      const seenOnA: JobSnapshot[] = [];
      a.svc.jobs.on("job", (j: JobSnapshot) => seenOnA.push(j));
      const f1 = await startFit(a.svc, { roi: await roiOf(a.svc) }, who);
      const f2 = await startFit(a.svc, { roi: await roiOf(a.svc) }, who);
      // The legacy client's /train/status on A while a worker elsewhere runs the first fit and the second waits.
      const busy = await until("A's /train/status: running, one queued", async () => {
        const s = (await (await fetch(`${a.base}/train/status?recipe_id=plant`)).json()) as { status: string; queue_size: number };
        return s.status === "running" && s.queue_size === 1 ? s : null;
      });
      assert.equal(busy.status, "running");
      const [r1, r2] = await Promise.all([f1.done, f2.done]);
      // `done` on A carries the versions as rows again (the fits ran elsewhere, their results came back as JSON).
      assert.equal(r1.version.versionNumber, 1);
      assert.equal(r2.version.versionNumber, 2);
      assert.ok(r2.version.createdAt instanceof Date);
      assert.equal(r2.version.status, "ready");
      const [j1, j2] = [await jobRow(a.svc, f1.jobId), await jobRow(a.svc, f2.jobId)];
      for (const j of [j1, j2]) {
        assert.equal(j.status, "succeeded");
        assert.ok(["replica-b", "replica-c"].includes(j.replicaId!), `run by a worker, not by A (${j.replicaId})`);
        assert.equal(j.attempt, 1);
      }
      assert.ok(j2.startedAt!.getTime() >= j1.finishedAt!.getTime(), "one fit per ROI at a time, across replicas");
      // Progress of the first fit as A saw it: running on a worker, part-way values, then succeeded.
      const first = seenOnA.filter((j) => j.id === f1.jobId);
      assert.ok(first.some((j) => j.status === "running" && j.progress > 0 && j.progress < 1 && j.replicaId === j1.replicaId), "part-way progress on A");
      assert.equal(first.at(-1)!.status, "succeeded");
      assert.deepEqual(a.svc.jobs.active(), [], "overview: no active job left");
      assert.deepEqual(a.svc.jobs.list({ roiKey: j1.roiId, status: "succeeded" }).map((j) => j.id).sort(), [f1.jobId, f2.jobId].sort());
      // Every replica's view is the same, once the job's NOTIFY reached it (A's `done` can come first: one CI run in
      // ~10 saw B still "running" here).
      for (const r of [b, c]) await until(`${r.name}'s view of the second fit: succeeded`, () => r.svc.jobs.get(f2.jobId)?.status === "succeeded", 10_000);
    } finally {
      await Promise.all([b.close(), c.close()]);
    }
  });

  it("a rollback on A is announced to B at once: B's model state and /infer use v1 and its threshold", async () => {
    const b = await startReplica("replica-b");
    const roi = await roiOf(a.svc);
    const v2 = roi.activeModelVersionId!;
    const v1 = (await a.svc.ctx.db.prisma.modelVersion.findFirstOrThrow({ where: { roiId: roi.id, versionNumber: 1 } })).id;
    const img = (await okCrops(1, 10))[0]!;
    const beforeRollback = await inferImage(b.svc, { ref, image: img, source: "dashboard-test", requireCalibration: false });
    assert.equal(beforeRollback.version.id, v2);
    const heard = new Promise<ModelChange>((resolve) => b.svc.changes.on("change", (c: ModelChange) => c.versionId === v1 && resolve(c)));
    const r = await activateVersion(a.svc, v1, { ...who, reason: "plant test rollback" });
    const change = await heard;
    assert.deepEqual({ ...change }, { roiId: roi.id, change: "rollback", versionId: v1, from: "replica-a" });
    const st = await roiModelState(b.svc, await getRoi(b.svc.ctx.db.prisma, roi.id));
    assert.equal(st.version?.id, v1);
    assert.equal(st.calibration?.id, r.calibration?.id);
    const afterRollback = await inferImage(b.svc, { ref, image: img, source: "dashboard-test", requireCalibration: false });
    assert.equal(afterRollback.version.id, v1);
    assert.equal(afterRollback.threshold, r.calibration!.threshold);
    const fitted = (s: { memory_fitted: boolean; calib_present: boolean }) => [s.memory_fitted, s.calib_present];
    assert.deepEqual(fitted(await state(b)), fitted(await state(a)));
    await b.close();
  });

  it("a fit running on B is cancelled from A; B stopping mid-fit hands its fit back and C runs it", async () => {
    const b = await startReplica("replica-b");
    const db = a.svc.ctx.db.prisma;
    const roi = await roiOf(a.svc);
    const serving = roi.activeModelVersionId!;
    const runningOnB = (id: string) => until("the fit running on B with its version created", async () => {
      const j = await jobRow(a.svc, id);
      return j.status === "running" && j.replicaId === "replica-b" && j.modelVersionId ? j : null;
    });
    const f = await startFit(a.svc, { roi }, who);
    const cancelling = await runningOnB(f.jobId);
    await cancelFit(a.svc, { jobId: f.jobId }, { ...who, reason: "wrong samples" });
    await assert.rejects(f.done, /cancelled by plant-test: wrong samples/);
    const j = await jobRow(a.svc, f.jobId);
    assert.deepEqual([j.status, j.stage, j.cancelledBy], ["failed", "cancelled", "plant-test"]);
    assert.equal((await getModelVersion(db, cancelling.modelVersionId!)).status, "failed");
    assert.equal((await getRoi(db, roi.id)).activeModelVersionId, serving, "nothing activated");

    const g = await startFit(a.svc, { roi }, who);
    const stopping = await runningOnB(g.jobId);
    await b.close(); // what SIGTERM does
    const back = await jobRow(a.svc, g.jobId);
    assert.deepEqual([back.status, back.attempt], ["queued", 1], "handed back at once, no wait for the sweep");
    assert.equal((await getModelVersion(db, stopping.modelVersionId!)).status, "failed");
    const c = await startReplica("replica-c");
    const result = await g.done;
    const ran = await jobRow(a.svc, g.jobId);
    assert.deepEqual([ran.status, ran.replicaId, ran.attempt], ["succeeded", "replica-c", 2]);
    assert.equal((await getRoi(db, roi.id)).activeModelVersionId, result.version.id);
    await c.close();
  });

  it("kill -9 of the replica running a fit: another replica runs it again, the dead run's version ends failed, the previous version serves throughout", async (t) => {
    const roi = await roiOf(a.svc);
    const serving = roi.activeModelVersionId!;
    const log = path.join(dataRoot, "doomed.log");
    child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      cwd: APP_DIR, detached: true, stdio: ["ignore", openSync(log, "w"), openSync(log, "a")],
      env: { ...process.env, ...env("doomed", { BDI_EDGE: "0", BDI_PORT: "0", BDI_HOST: "127.0.0.1", BDI_LOG_LEVEL: "info" }) },
    });
    // Let the doomed replica's worker be the only one: it has started once it shows in the job queue's view...
    const f = await startFit(a.svc, { roi }, who);
    const running = await until("the fit running on the doomed replica with its version created", async () => {
      const j = await jobRow(a.svc, f.jobId);
      return j.status === "running" && j.replicaId === "doomed" && j.modelVersionId ? j : null;
    }, 180_000).catch((err: Error) => {
      throw new Error(`${err.message}; the doomed replica's log:\n${readFileSync(log, "utf8").slice(-3000)}`);
    });
    process.kill(-child.pid!, "SIGKILL");
    const killedAt = Date.now();
    child = null;
    const deadVersion = running.modelVersionId!;
    // What A serves while nobody runs the fit, and while the rescuer does: the previous version, every time.
    const seen = new Set<string>();
    let watching = true;
    const watch = (async () => {
      while (watching) {
        const st = await roiModelState(a.svc, await getRoi(a.svc.ctx.db.prisma, roi.id));
        const s = await state(a);
        if (watching) seen.add(`${st.version?.id}|${s.memory_fitted}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const rescuer = await startReplica("rescuer");
    const result = await f.done;
    watching = false;
    await watch;
    const j = await jobRow(a.svc, f.jobId);
    assert.equal(j.status, "succeeded");
    assert.equal(j.attempt, 2, "run again after the first run's replica died");
    // For the README's figure (not asserted): kill → the second run started, with BDI_JOB_DEAD_AFTER_S=3.
    t.diagnostic(`second run started ${((j.startedAt!.getTime() - killedAt) / 1000).toFixed(1)} s after the kill (BDI_JOB_DEAD_AFTER_S=3)`);
    assert.equal(j.replicaId, rescuer.name);
    assert.equal((await getModelVersion(a.svc.ctx.db.prisma, deadVersion)).status, "failed", "the dead run's version never became visible");
    assert.notEqual(result.version.id, deadVersion);
    assert.equal((await getRoi(a.svc.ctx.db.prisma, roi.id)).activeModelVersionId, result.version.id);
    // Until the rescued fit activated its version, A served the previous one (and only then the new one).
    assert.deepEqual([...seen].filter((s) => !s.startsWith(`${result.version.id}|`)), [`${serving}|true`]);
  });
});
