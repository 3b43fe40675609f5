// Plant mode on loopback, real parts only: PostgreSQL (Debian's binaries), an S3 server (s3rver, its own process), two
// inference replicas started as production starts them, HAProxy running deploy/haproxy.cfg, and the built dashboard
// pointed at the balancer. The scenarios of issue 15 run in order on one cluster (it takes a minute to start):
// health → upload, fit, the other replica infers → activation seen by the other replica → the dashboard through the
// balancer → the legacy contract suite through the balancer → kill -9 of the replica running a fit → database outage.
// A scenario that cannot run here is skipped with its reason printed (never a silent pass).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { clusterUnavailableReason, dashboardBuilt, startCluster, type Cluster } from "./harness/cluster.ts";
import { call, form, image, okImages, trpc } from "./harness/http.ts";
import { REPO_ROOT } from "./harness/paths.ts";
import { findPostgresBin } from "@bdi/db/testing-pg";

/** what the cluster's runs leave for a look after a failure (git-ignored) */
const RESULTS = path.join(import.meta.dirname, "..", "test-results");
const unavailable = clusterUnavailableReason();
if (unavailable) console.log(`# cluster test skipped: ${unavailable}`);

const RECIPE = "cluster";
const ROLE = "Inspection";
const ROI = "cluster-1";
const roiFields = (extra: Record<string, string> = {}) => ({ recipe_id: RECIPE, role_id: ROLE, roi_id: ROI, ...extra });

async function waitForValue<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** Cuts the replicas off their database (no new connection accepted, every open one ended) or lets them back in. */
function databaseOutage(c: Cluster, down: boolean) {
  const sql = down
    ? "ALTER DATABASE bdi ALLOW_CONNECTIONS false; SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = 'bdi';"
    : "ALTER DATABASE bdi ALLOW_CONNECTIONS true;";
  const r = spawnSync(path.join(findPostgresBin()!, "psql"), ["-X", "-q", "-v", "ON_ERROR_STOP=1", c.pg.adminUrl, "-c", sql], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
}

/** The events of a server-sent-events stream (tRPC subscription) until it ends or a terminal job status arrives. */
async function sse(url: string, headers: Record<string, string>, timeoutMs: number): Promise<any[]> {
  const res = await fetch(url, { headers: { ...headers, accept: "text/event-stream" }, signal: AbortSignal.timeout(timeoutMs) });
  if (res.status !== 200) assert.fail(`${url} → ${res.status}: ${await res.text()}`);
  const events: any[] = [];
  const decoder = new TextDecoder();
  let buf = "";
  for await (const chunk of res.body!) {
    buf += decoder.decode(chunk as Uint8Array, { stream: true });
    let i;
    while ((i = buf.indexOf("\n\n")) >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const data = block.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trim()).join("\n");
      if (!data) continue;
      const v = JSON.parse(data);
      if (v && typeof v === "object" && "status" in v) events.push(v);
      if (v?.status === "succeeded" || v?.status === "failed") return events;
    }
  }
  return events;
}

// Without the Debian packages: one test, skipped with the reason (a skipped describe would count as nothing at all).
if (unavailable) it("plant mode: 2 replicas behind HAProxy on PostgreSQL + S3", { skip: unavailable }, () => {});
else describe("plant mode: 2 replicas behind HAProxy on PostgreSQL + S3", () => {
  let c: Cluster;
  const versions: Array<{ id: string; number: number }> = [];

  before(async () => {
    // 320 px input: the same fast setting as the service's contract suite (which runs through this cluster too).
    c = await startCluster({ replicas: 2, dashboard: dashboardBuilt(), env: { BDI_INPUT_SIZE: "320", BDI_JOB_DEAD_AFTER_S: "4" } });
  });
  after(async () => {
    await c?.stop();
  });

  const waitForJob = (id: string, ok: (j: any) => boolean, timeoutMs: number) =>
    waitForValue(`job ${id}`, timeoutMs, async () => {
      const j = await c.db.prisma.job.findUnique({ where: { id } });
      return j && ok(j) ? j : undefined;
    });
  const replicaOf = (r: { headers: Headers }) => r.headers.get("x-bdi-replica") ?? "";
  const other = (name: string) => c.replicas.find((r) => r.name !== name)!;
  const infer = (base: string, data = image("train/good/100.png")) =>
    call(`${base}/infer`, { method: "POST", body: form(roiFields({ mm_per_px: "0.2" }), [{ name: "image", filename: "roi.png", data }]) });

  it("/health of each replica: its id, role replica, PostgreSQL and the S3 store reachable; /metrics labelled by replica", async () => {
    for (const r of c.replicas) {
      let h = await call(`${r.url}/health`);
      for (let i = 0; i < 50 && (h.json.database.reachable === null || h.json.store.reachable === null); i++) {
        await sleep(100);
        h = await call(`${r.url}/health`);
      }
      assert.equal(h.status, 200);
      assert.equal(h.json.status, "ok");
      assert.equal(h.json.replica_id, r.name);
      assert.equal(h.json.role, "replica");
      assert.deepEqual(h.json.database, { engine: "postgresql", reachable: true });
      assert.deepEqual(h.json.store, { kind: "s3", reachable: true });
      const m = await call(`${r.url}/metrics`);
      assert.match(m.text, new RegExp(`^bdi_uptime_seconds\\{replica="${r.name}"\\} \\d+$`, "m"));
    }
    // through the balancer, both answer
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) seen.add((await call(`${c.balancer.url}/health`)).json.replica_id);
    assert.deepEqual([...seen].sort(), ["replica1", "replica2"]);
  });

  it("upload through the balancer (both replicas take some), fit, the other replica infers with the new version", async () => {
    const servedBy = new Set<string>();
    const imgs = okImages(12);
    for (const [i, data] of imgs.entries()) {
      const filename = `ok_${String(i).padStart(3, "0")}.png`;
      const meta = JSON.stringify({ role_id: ROLE, roi_id: ROI, label: "ok", filename, mm_per_px: 0.2 });
      const r = await call(`${c.balancer.url}/datasets/ok/upload`, { method: "POST", body: form(roiFields({ metas: meta }), [{ name: "images", filename, data }]) });
      assert.equal(r.status, 200, r.text);
      servedBy.add(replicaOf(r));
    }
    assert.equal(servedBy.size, 2, "the uploads were spread over both replicas");
    const list = await call(`${c.balancer.url}/datasets/list?${new URLSearchParams(roiFields())}`);
    assert.equal(list.status, 200, list.text);
    assert.equal(list.json.classes.ok.count, 12, list.text);

    const fit = await call(`${c.balancer.url}/fit_ok`, { method: "POST", body: form(roiFields({ mm_per_px: "0.2", use_dataset: "true" })) });
    assert.equal(fit.status, 200, fit.text);
    versions.push({ id: fit.json.model_version_id, number: fit.json.model_version });
    const fitter = replicaOf(fit);
    const r = await infer(other(fitter).url);
    assert.equal(r.status, 200, `${other(fitter).name}: ${r.text}`);
    assert.equal(r.json.model_version, fit.json.model_version);
    assert.ok(r.json.decision === "ok" || r.json.decision === "ng");
  });

  it("activation on one replica is seen by the other within a second", async () => {
    assert.ok(versions.length === 1, "needs the fitted version of the previous scenario");
    const fit = await call(`${c.balancer.url}/fit_ok`, { method: "POST", body: form(roiFields({ mm_per_px: "0.2", use_dataset: "true" })) });
    assert.equal(fit.status, 200, fit.text);
    versions.push({ id: fit.json.model_version_id, number: fit.json.model_version });
    const [a, b] = c.replicas;
    // both replicas score with the new version (their model state is warm: a stale cache would show below)
    for (const r of [a!, b!]) assert.equal((await infer(r.url)).json.model_version, versions[1]!.number, r.name);

    const engineer = await c.identity("cluster-engineer", "engineer");
    const t0 = Date.now();
    await trpc(a!.url, "models.activate", { id: versions[0]!.id, reason: "cluster test: roll back on replica1" }, engineer, "mutation");
    let seenAfter = -1;
    while (Date.now() - t0 < 5_000) {
      const r = await infer(b!.url);
      if (r.status === 200 && r.json.model_version === versions[0]!.number) {
        seenAfter = Date.now() - t0;
        break;
      }
    }
    console.log(`# activation on replica1 seen by replica2's /infer after ${seenAfter} ms`);
    assert.ok(seenAfter >= 0 && seenAfter <= 1_000, `replica2 scored with the rolled-back version after ${seenAfter} ms (≤ 1000 expected)`);
  });

  it("the dashboard through the balancer: sign-in, tRPC from both replicas", { skip: dashboardBuilt() ? false : "no dashboard build (npm run build -w @bdi/dashboard; npm test builds it)" }, async () => {
    const d = c.dashboard!;
    c.addUser("cluster-admin", "admin", "cluster-admin-password-1");
    const csrfRes = await fetch(`${d.url}/api/auth/csrf`);
    const csrfCookies = csrfRes.headers.getSetCookie().map((x) => x.split(";")[0]!).join("; ");
    const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
    const signIn = await fetch(`${d.url}/api/auth/callback/credentials`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: csrfCookies },
      body: new URLSearchParams({ csrfToken, username: "cluster-admin", password: "cluster-admin-password-1", json: "true" }),
      redirect: "manual",
    });
    const session = signIn.headers.getSetCookie().find((x) => /next-auth\.session-token=/.test(x));
    assert.ok(session, `sign-in through the dashboard failed: ${signIn.status}`);
    const cookie = session!.split(";")[0]!;
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const h = await trpc(`${d.url}/svc`, "health", {}, { cookie }, "query");
      assert.equal(h.role, "replica");
      seen.add(h.replicaId);
    }
    assert.deepEqual([...seen].sort(), ["replica1", "replica2"]);

    // A fit started from the dashboard, its progress streamed (server-sent events, as the fit page subscribes) through
    // the dashboard's proxy and the balancer from whichever replica answers, while any replica runs it.
    const roi = await c.db.prisma.roi.findFirstOrThrow({ where: { roiId: ROI } });
    const job = await trpc(`${d.url}/svc`, "fit.start", { roiId: roi.id }, { cookie }, "mutation");
    const events = await sse(`${d.url}/svc/trpc/fit.progress?input=${encodeURIComponent(JSON.stringify({ jobId: job.id }))}`, { cookie }, 180_000);
    const statuses = events.map((e) => e.status);
    assert.equal(statuses.at(-1), "succeeded", JSON.stringify(events.at(-1)));
    assert.ok(events.length >= 2, `a stream of snapshots, not one answer: ${statuses.join(" → ")}`);
    const row = await c.db.prisma.job.findUniqueOrThrow({ where: { id: job.id } });
    console.log(`# fit from the dashboard: ${events.length} progress events through the balancer, run by ${row.replicaId}`);
  });

  it("the legacy contract suite passes through the balancer", async () => {
    // The suite's own file, run as its own test process (without this runner's NODE_TEST_CONTEXT, which would make
    // node:test skip it as a nested run), pointed at the balancer (test-support.ts: BDI_CONTRACT_BASE_URL).
    const { NODE_TEST_CONTEXT: _nested, ...env } = process.env;
    const r = spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-reporter=tap", "src/legacy/contract.test.ts"], {
      cwd: path.join(REPO_ROOT, "apps", "inference"),
      env: { ...env, ...c.storeEnv, BDI_CONTRACT_BASE_URL: c.balancer.url, BDI_CONTRACT_DATABASE_URL: c.databaseUrl },
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
      timeout: 15 * 60_000,
    });
    mkdirSync(RESULTS, { recursive: true });
    writeFileSync(path.join(RESULTS, "contract-through-balancer.tap"), `${r.stdout}\n${r.stderr}`);
    const count = (k: string) => Number(new RegExp(`^# ${k} (\\d+)$`, "m").exec(r.stdout)?.[1] ?? NaN);
    const failures = r.stdout.split("\n").filter((l) => /^\s*not ok /.test(l));
    const skips = r.stdout.split("\n").filter((l) => / # SKIP /.test(l)).map((l) => l.trim());
    console.log(`# contract suite through the balancer: ${count("pass")} passed, ${count("fail")} failed; skipped: ${skips.join("; ") || "none"}`);
    assert.equal(r.status, 0, `${failures.join("\n")}\n${r.stdout.slice(-6000)}\n${r.stderr.slice(-2000)}`);
    assert.ok(count("pass") > 30, `no TAP summary from the contract suite:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  });

  it("kill -9 of the replica running a fit: the other finishes the job, the previous version serves throughout", async () => {
    // More samples, so that the fit runs long enough to be killed in the middle.
    for (const [i, data] of okImages(24, 12).entries()) {
      const filename = `ok_more_${String(i).padStart(3, "0")}.png`;
      const r = await call(`${c.balancer.url}/datasets/ok/upload`, { method: "POST", body: form(roiFields(), [{ name: "images", filename, data }]) });
      assert.equal(r.status, 200, r.text);
    }
    const roi = await c.db.prisma.roi.findFirstOrThrow({ where: { roiId: ROI } });
    const previous = await c.db.prisma.modelVersion.findUniqueOrThrow({ where: { id: roi.activeModelVersionId! } });
    const engineer = await c.identity("cluster-engineer", "engineer");
    const job = await trpc(c.balancer.url, "fit.start", { roiId: roi.id }, engineer, "mutation");

    // /infer through the balancer, one after the other, all along
    const answers: Array<{ t0: number; status: number; version: number | null; text: string }> = [];
    let inferring = true;
    const loop = (async () => {
      for (let k = 0; inferring; k++) {
        const t0 = Date.now();
        const r = await infer(c.balancer.url, image(`train/good/${String(100 + (k % 10)).padStart(3, "0")}.png`)).catch((e: Error & { cause?: { code?: string } }) => ({
          status: 0, json: null, text: `${e.message} (${e.cause?.code ?? "no code"})`,
        }));
        answers.push({ t0, status: r.status, version: r.json?.model_version ?? null, text: r.text.slice(0, 200) });
      }
    })();
    try {
      const running = await waitForJob(job.id, (j) => j.status === "running" && !!j.replicaId, 120_000);
      const victim = c.replicas.find((r) => r.name === running.replicaId)!;
      assert.ok(victim, `job runs on ${running.replicaId}`);
      await sleep(300); // into the fit
      const killStart = Date.now();
      await victim.proc!.kill9();
      const killedAt = Date.now(); // the whole group is gone
      console.log(`# killed ${victim.name} (kill -9 of its process group) ${killStart - running.startedAt!.getTime()} ms into attempt ${running.attempt}`);

      const done = await waitForJob(job.id, (j) => j.status === "succeeded" || j.status === "failed", 240_000);
      assert.equal(done.status, "succeeded", done.error ?? "");
      assert.equal(done.replicaId, other(victim.name).name, "the surviving replica finished it");
      assert.ok(done.attempt > running.attempt, `a new attempt (${running.attempt} → ${done.attempt})`);
      const finishedAt = done.finishedAt!.getTime();
      inferring = false;
      await loop;

      // Every /infer sent once the replica was gone and before the new version was activated: 200 with the previous
      // version. One in flight on the killed replica when it died may fail (its answer died with it): reported.
      const inFlight = answers.filter((a, i) => a.t0 <= killStart && (answers[i + 1]?.t0 ?? Infinity) > killStart).concat(answers.filter((a) => a.t0 > killStart && a.t0 <= killedAt));
      const during = answers.filter((a) => a.t0 > killedAt && a.t0 < finishedAt - 1_000);
      const bad = during.filter((a) => a.status !== 200 || a.version !== previous.versionNumber);
      console.log(`# during the hand-over: ${during.length} /infer through the balancer, ${bad.length} not answered by v${previous.versionNumber}; in flight at the kill: ${inFlight.map((a) => a.status || a.text).join(", ") || "none"}`);
      assert.ok(during.length > 0);
      assert.deepEqual(bad, []);

      // No partial version: the killed attempt's version is failed, the new one ready and active; none left building.
      const all = await c.db.prisma.modelVersion.findMany({ where: { roiId: roi.id }, orderBy: { versionNumber: "asc" } });
      assert.deepEqual(all.filter((v) => v.status === "building"), []);
      const after = await c.db.prisma.roi.findUniqueOrThrow({ where: { id: roi.id } });
      assert.equal(after.activeModelVersionId, done.modelVersionId);
      if (running.modelVersionId && running.modelVersionId !== done.modelVersionId) {
        assert.equal(all.find((v) => v.id === running.modelVersionId)?.status, "failed", "the killed attempt's version");
      }
      const r = await infer(c.balancer.url);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.model_version, all.find((v) => v.id === done.modelVersionId)!.versionNumber);
    } finally {
      inferring = false;
      await loop;
    }
    // The killed replica comes back (its start-up recovery must leave the finished job and versions alone).
    await c.restart(c.replicas.findIndex((r) => r.proc?.exited()));
    for (const r of c.replicas) assert.equal((await infer(r.url)).status, 200, r.name);
  });

  it("database outage: each replica's /health says so (status code unchanged), and says when it is back", async () => {
    for (const [i, r] of c.replicas.entries()) if (r.proc?.exited()) await c.restart(i); // after a failed scenario
    const probe = async (want: boolean) => {
      for (const r of c.replicas) {
        await waitForValue(`${r.name}'s /health to say database.reachable=${want}`, 20_000, async () => {
          const h = await call(`${r.url}/health`);
          return h.json?.database?.reachable === want ? h : undefined;
        }).then((h) => {
          assert.equal(h.status, 200, "the legacy status code does not change: the database is shared by every replica");
          assert.equal(h.json.status, "ok");
          if (!want) assert.ok(typeof h.json.database.error === "string" && !/postgres(ql)?:\/\//.test(h.json.database.error), h.json.database.error);
        });
      }
    };
    await probe(true);
    databaseOutage(c, true);
    try {
      await probe(false);
    } finally {
      databaseOutage(c, false);
    }
    await probe(true);
  });
});
