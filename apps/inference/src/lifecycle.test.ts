// The service's lifecycle with real processes (src/main.ts as `npm start` runs it: edge, app, compute processes in one
// process group): a kill -9 of the whole group during a fit, then a restart on the same data root, settles everything
// the crash left; a SIGTERM to the group while /infer requests are in flight lets them finish, then stops.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createDb } from "@bdi/db";
import { NetMultipart, startService, type ServiceProcess } from "./cli/service-process.ts";
import { okCrops, sampleMeta } from "./legacy/test-support.ts";

const ENV = { BDI_INPUT_SIZE: "320", BDI_THREADS: "2", BDI_MIN_OK_SAMPLES: "3", BDI_LOG_LEVEL: "error" };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function send(base: string, route: string, parts: ConstructorParameters<typeof NetMultipart>[0]) {
  const mp = new NetMultipart(parts);
  const r = await fetch(`${base}${route}`, { method: "POST", body: mp.body, headers: { "content-type": mp.contentType } });
  return { status: r.status, json: (await r.json().catch(() => ({}))) as Record<string, unknown> };
}
const roi = (extra: ConstructorParameters<typeof NetMultipart>[0] = []) => [
  { name: "role_id", value: "Inspection" }, { name: "roi_id", value: "inspection-1" }, { name: "mm_per_px", value: "0.2" },
  { name: "model_key", value: "inspection-1" }, ...extra,
];
const infer = (base: string, png: Buffer) => send(base, "/infer", roi([{ name: "image", filename: "roi.png", data: png }, { name: "include_heatmap", value: "true" }]));
const fitFromDataset = (base: string) => send(base, "/fit_ok", roi([{ name: "use_dataset", value: "true" }, { name: "memory_fit", value: "false" }]));

async function withDb<T>(dataRoot: string, fn: (db: Awaited<ReturnType<typeof createDb>>["prisma"]) => Promise<T>): Promise<T> {
  const db = await createDb({ dataRoot, migrate: false });
  try {
    return await fn(db.prisma);
  } finally {
    await db.close();
  }
}

const running: ServiceProcess[] = [];
after(async () => {
  for (const s of running) await s.stop({ keep: true });
});

describe("service lifecycle (real processes)", () => {
  it("kill -9 of the whole service during a fit: the restart marks the build failed (audited), removes temp and orphan files, and the previous version serves the same scores", async () => {
    const dataRoot = mkdtempSync(path.join(tmpdir(), "bdi-crash-"));
    try {
      let svc = await startService("bdi-crash-", { ...ENV, BDI_DATA_ROOT: dataRoot });
      running.push(svc);
      const crops = await okCrops(13);
      for (let i = 0; i < 12; i++) {
        const name = `sample_${i}.png`;
        const up = await send(svc.base, "/datasets/ok/upload", [
          { name: "role_id", value: "Inspection" }, { name: "roi_id", value: "inspection-1" },
          { name: "images", filename: name, data: crops[i]! }, { name: "metas", value: sampleMeta("ok", name), contentType: "application/json; charset=utf-8" },
        ]);
        assert.equal(up.status, 200, JSON.stringify(up.json));
      }
      assert.equal((await fitFromDataset(svc.base)).status, 200);
      const before = await infer(svc.base, crops[12]!);
      assert.equal(before.status, 200, JSON.stringify(before.json));

      // A second fit, killed (SIGKILL to the group) while its version is building.
      void fitFromDataset(svc.base).catch(() => undefined);
      let building: { id: string; versionNumber: number } | null = null;
      for (let t = 0; t < 400 && !building; t++) {
        building = await withDb(dataRoot, (db) => db.modelVersion.findFirst({ where: { status: "building" }, select: { id: true, versionNumber: true } }));
        if (!building) await sleep(50);
      }
      assert.ok(building, "the second fit never started building");
      await sleep(300 + Math.floor(Math.random() * 1200)); // a random moment of the fit
      svc.signalGroup("SIGKILL");
      await svc.exited;
      running.pop();

      // What kills at other moments leave (7/25 during the artifact write, 5/25 right after its rename, uploads and
      // /infer cut between file and row): the interrupted version's temp folder and complete folder, sample and
      // inspection files with no row, and their temp files.
      // The fit of 12 crops at 320 can finish its data within the random moment (seen once in CI): a kill after its row
      // says ready leaves a complete version, which start-up keeps (it is not a leftover; the fit then ends either
      // active or ready and never activated, the known gap between the two). The rest of the recovery is still checked.
      const v2AtKill = await withDb(dataRoot, (db) => db.modelVersion.findUnique({ where: { id: building!.id }, select: { status: true } }));
      const killedWhileBuilding = v2AtKill?.status === "building";
      const v1 = await withDb(dataRoot, (db) => db.modelVersion.findFirst({ where: { status: { in: ["ready", "retired"] }, id: { not: building!.id } } }));
      const v1Dir = path.join(dataRoot, v1!.artifactPath!);
      const roiDir = path.dirname(v1Dir);
      const v2Name = `v${String(building.versionNumber).padStart(4, "0")}-${building.id}`;
      const leftovers = [
        path.join(roiDir, `${v2Name}.tmp-0badc0de`), path.join(roiDir, v2Name),
        path.join(dataRoot, "samples/default/Inspection__inspection-1/ok/0123456789abcdef_20260101-000000-000000.png"),
        path.join(dataRoot, "samples/default/Inspection__inspection-1/ok/0123456789abcdef_20260101-000000-000001.png.tmp-4242-abcd1234"),
        path.join(dataRoot, "inspections/default/Inspection__inspection-1/2026-01-01/1767225600000-0123456789ab.png"),
      ];
      if (!killedWhileBuilding) leftovers.splice(1, 1); // v2's complete folder is its artifact, not a leftover
      if (!existsSync(leftovers[0]!)) cpSync(v1Dir, leftovers[0]!, { recursive: true });
      if (killedWhileBuilding && !existsSync(leftovers[1]!)) cpSync(v1Dir, leftovers[1]!, { recursive: true });
      for (const f of leftovers.slice(2)) {
        mkdirSync(path.dirname(f), { recursive: true });
        writeFileSync(f, crops[0]!);
      }

      svc = await startService("bdi-crash-", { ...ENV, BDI_DATA_ROOT: dataRoot });
      running.push(svc);
      for (const f of leftovers) assert.ok(!existsSync(f), `left behind: ${path.relative(dataRoot, f)}`);
      assert.ok(existsSync(path.join(v1Dir, "bank.f32")), "the active version's artifact was removed");
      if (!killedWhileBuilding) {
        assert.deepEqual(readdirSync(roiDir).sort(), [path.basename(v1Dir), v2Name].sort());
        await withDb(dataRoot, async (db) => {
          assert.equal((await db.modelVersion.findUnique({ where: { id: building!.id } }))?.status, "ready");
          assert.equal(await db.modelVersion.count({ where: { status: "building" } }), 0);
        });
        const served = await infer(svc.base, crops[12]!);
        assert.equal(served.status, 200);
        await svc.stop({ keep: true });
        running.pop();
        return;
      }
      assert.deepEqual(readdirSync(roiDir), [path.basename(v1Dir)]);
      await withDb(dataRoot, async (db) => {
        const v2 = await db.modelVersion.findUnique({ where: { id: building!.id } });
        assert.equal(v2?.status, "failed");
        assert.match(v2?.error ?? "", /interrupted/);
        assert.equal(await db.modelVersion.count({ where: { status: "building" } }), 0);
        const fail = await db.auditEvent.findFirst({ where: { entityId: building!.id, action: "model_version.fail" } });
        assert.equal(fail?.actor, "system:start-up-recovery");
        assert.match(fail?.reason ?? "", /stopped while this fit was running/);
        assert.equal(await db.auditEvent.count({ where: { action: "service.recover" } }), 1);
        const samples = await db.sample.findMany();
        assert.equal(samples.length, 12);
        for (const s of samples) assert.ok(existsSync(path.join(dataRoot, s.storedPath)), s.storedPath);
      });
      const state = (await fetch(`${svc.base}/state?role_id=Inspection&roi_id=inspection-1`).then((r) => r.json())) as Record<string, unknown>;
      assert.deepEqual([state.memory_fitted, state.calib_present], [true, true]);
      const again = await infer(svc.base, crops[12]!);
      assert.equal(again.status, 200);
      assert.deepEqual([again.json.score, again.json.threshold, again.json.decision], [before.json.score, before.json.threshold, before.json.decision]);
      await svc.stop({ keep: true });
      running.pop();
    } finally {
      rmSync(dataRoot, { recursive: true, force: true });
    }
  });

  it("SIGTERM to the group while /infer requests are in flight: they all answer, new requests are refused, exit 0", async () => {
    const svc = await startService("bdi-sigterm-", ENV);
    running.push(svc);
    try {
      const crops = await okCrops(10);
      const fit = await send(svc.base, "/fit_ok", roi(crops.slice(0, 3).map((data, i) => ({ name: "images", filename: `ok_${i}.png`, data }))));
      assert.equal(fit.status, 200, JSON.stringify(fit.json));
      let signalledAt = Infinity;
      const answers = crops.slice(2).map(async (png) => ({ ...(await infer(svc.base, png)), at: performance.now() }));
      // Once the first answer is back every request has reached the app (sent together, each needs a scoring turn);
      // the other 7 are in flight. (A request that reaches the app after the signal is refused with a 503.)
      await Promise.race(answers);
      signalledAt = performance.now();
      svc.signalGroup("SIGTERM"); // what the start script does: every process of the group gets it
      const results = await Promise.all(answers);
      for (const r of results) assert.equal(r.status, 200, JSON.stringify(r.json));
      assert.ok(results.some((r) => r.at > signalledAt), "no request was still in flight when SIGTERM arrived");
      const late = await fetch(`${svc.base}/health`).then((r) => r.status, () => "refused");
      assert.ok(late === "refused" || late === 503, `a request after SIGTERM was served: ${late}`);
      assert.equal(await svc.exited, 0);
    } finally {
      await svc.stop();
      running.pop();
    }
  });
});
