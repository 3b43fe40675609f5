// Start-up recovery: what a crash (kill -9, power loss) can leave, settled before the service answers, so that neither
// the dashboard nor /state misreports it:
//   - model versions still `building` (their fit died with the process) → `failed`, with an audit event saying why;
//   - temp folders / files of interrupted atomic writes (`*.tmp-*`) under models/, samples/, inspections/ → removed;
//   - artifact folders no ready (or retired) version row owns (written, renamed, but the row never said ready) →
//     removed; a folder is adopted only by a row that says ready;
//   - sample images and inspection crops / heatmaps no row owns (an upload or /infer cut between its file and its
//     transaction) → removed.
// All of it in the object store (the data root, or the bucket: there only objects older than an hour, since other
// replicas may be writing theirs right now), plus, with a bucket, temp files of this replica's local cache.
// Calibrations are rows written in one transaction (nothing on disk); a calibration the crash interrupted left nothing.
// Runs once per start of the service, before it listens.
import { readdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import {
  appendAudit, findModelVersionsByIds, listInspectionFilePaths, listModelVersionsInStatus, listSampleStoredPaths,
  markModelVersionFailed,
} from "@bdi/db";
import type { Services } from "./index.ts";
import { ARTIFACTS_DIR, INSPECTIONS_DIR, SAMPLES_DIR, isTempName, versionIdOfArtifactDir } from "../resources/storage.ts";
import type { ObjectStore, StoredObject } from "../resources/store/object-store.ts";
import { LocalStore } from "../resources/store/local.ts";

const RECOVERY_ACTOR = "system:start-up-recovery";

export type RecoveryReport = {
  /** versions found `building` and marked failed */
  interruptedBuilds: string[];
  /** data-root-relative paths removed, by kind */
  removed: { tempFiles: string[]; orphanArtifacts: string[]; orphanSamples: string[]; orphanInspectionFiles: string[] };
};

/**
 * The temp file or folder (of an interrupted atomic write) an object key lies in: the key up to its first `*.tmp-*`
 * segment; null when it is not in one.
 */
function tempPathOf(key: string): string | null {
  const parts = key.split("/");
  const i = parts.findIndex((p) => isTempName(p));
  return i === -1 ? null : parts.slice(0, i + 1).join("/");
}

/** In a bucket other replicas share, an object younger than this may belong to a write still under way elsewhere. */
const SHARED_STORE_GRACE_MS = 60 * 60 * 1000;

/** The audit event keeps the first paths of each kind (a crash leaves a handful; a damaged root could leave many). */
function capLists(r: RecoveryReport["removed"]): Record<string, string[]> {
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.slice(0, 50)]));
}

/** Removes a temp file (the key itself) or temp folder (everything under it). */
async function removeTemp(store: ObjectStore, key: string, temp: string): Promise<void> {
  if (temp === key) await store.delete(key);
  else await store.deletePrefix(temp);
}

export async function recoverAfterCrash(svc: Services): Promise<RecoveryReport> {
  const db = svc.ctx.db.prisma;
  const report: RecoveryReport = { interruptedBuilds: [], removed: { tempFiles: [], orphanArtifacts: [], orphanSamples: [], orphanInspectionFiles: [] } };
  const who = { actor: RECOVERY_ACTOR, reason: "the service stopped while this fit was running (found at start-up)" };

  // 1. Interrupted builds. Not in plant mode (PostgreSQL): there a `building` version may be another replica's fit in
  // progress; the job queue fails the version of a run whose replica died (resources/jobs/pg.ts, `abandoned`).
  const plant = svc.ctx.db.engine === "postgresql";
  for (const v of plant ? [] : await listModelVersionsInStatus(db, "building")) {
    await markModelVersionFailed(db, { id: v.id, error: "interrupted: the service stopped during the fit" }, who);
    report.interruptedBuilds.push(v.id);
  }

  // 2. Artifact folders: temp folders, and version folders whose row is not ready / retired (or absent).
  const store = svc.store;
  // Replicas share the store in plant mode (a bucket, or a data root on a shared volume): leave what is recent.
  const shared = store.kind !== "local" || plant;
  const settled = (o: StoredObject) => !shared || Date.now() - o.lastModified.getTime() > SHARED_STORE_GRACE_MS;
  const temps = new Map<string, string>(); // temp path -> one key in it
  const versionDirs = new Map<string, { id: string; settled: boolean }>();
  for await (const o of store.list(ARTIFACTS_DIR)) {
    const temp = tempPathOf(o.key);
    if (temp) {
      if (settled(o)) temps.set(temp, o.key);
      continue;
    }
    const dir = o.key.split("/").slice(0, 4).join("/");
    const id = versionIdOfArtifactDir(dir);
    if (!id) continue;
    const d = versionDirs.get(dir) ?? { id, settled: true };
    d.settled &&= settled(o);
    versionDirs.set(dir, d);
  }
  for (const [temp, key] of temps) {
    await removeTemp(store, key, temp);
    report.removed.tempFiles.push(temp);
  }
  const rows = new Map((await findModelVersionsByIds(db, [...versionDirs.values()].map((d) => d.id))).map((v) => [v.id, v]));
  for (const [dir, d] of versionDirs) {
    const v = rows.get(d.id);
    if ((v && (v.status === "ready" || v.status === "retired")) || !d.settled) continue;
    await store.deletePrefix(dir);
    report.removed.orphanArtifacts.push(dir);
  }

  // 3. Sample images and inspection files no row owns, and their interrupted temp files.
  const owned = [
    { dir: SAMPLES_DIR, paths: await listSampleStoredPaths(db), list: report.removed.orphanSamples },
    { dir: INSPECTIONS_DIR, paths: await listInspectionFilePaths(db), list: report.removed.orphanInspectionFiles },
  ];
  for (const { dir, paths, list } of owned) {
    for await (const o of store.list(dir)) {
      if (!settled(o)) continue;
      const temp = tempPathOf(o.key);
      if (temp) {
        await removeTemp(store, o.key, temp);
        report.removed.tempFiles.push(temp);
      } else if (!paths.has(o.key)) {
        await store.delete(o.key);
        list.push(o.key);
      }
    }
  }
  // 4. With a bucket as the store, this replica's local copies: what an interrupted download or fit left.
  if (store.kind !== "local") {
    const local = new LocalStore(svc.ctx.config.dataRoot);
    for await (const o of local.list("cache")) {
      const temp = tempPathOf(o.key);
      if (!temp) continue;
      await removeTemp(local, o.key, temp);
      report.removed.tempFiles.push(temp);
    }
    // Local copies of versions no ready / retired row owns (failed or interrupted fits: none of this process's fits
    // runs yet), then bank files no remaining version folder links (content-addressed, hard-linked: nlink 1 = unused).
    const cacheDir = (...p: string[]) => path.join(svc.ctx.config.dataRoot, "cache", ...p);
    const ids = (await readdir(cacheDir("versions")).catch(() => [] as string[])).filter((n) => !isTempName(n));
    const kept = new Set((await findModelVersionsByIds(db, ids)).filter((v) => v.status === "ready" || v.status === "retired").map((v) => v.id));
    for (const id of ids.filter((i) => !kept.has(i))) {
      await rm(cacheDir("versions", id), { recursive: true, force: true });
      report.removed.orphanArtifacts.push(`cache/versions/${id}`);
    }
    for (const blob of await readdir(cacheDir("blobs")).catch(() => [] as string[])) {
      if ((await stat(cacheDir("blobs", blob)).catch(() => null))?.nlink !== 1) continue;
      await rm(cacheDir("blobs", blob), { force: true });
      report.removed.orphanArtifacts.push(`cache/blobs/${blob}`);
    }
  }

  const r = report.removed;
  const counts = {
    interrupted_builds: report.interruptedBuilds.length, temp_files: r.tempFiles.length, orphan_artifacts: r.orphanArtifacts.length,
    orphan_samples: r.orphanSamples.length, orphan_inspection_files: r.orphanInspectionFiles.length,
  };
  for (const [kind, n] of Object.entries(counts)) if (n) svc.metrics.recovered.inc({ kind }, n);
  if (Object.values(counts).some((n) => n > 0)) {
    await appendAudit(db, { action: "service.recover", entityType: "Service", entityId: "start-up", after: { ...counts, removed: capLists(r) } }, {
      actor: RECOVERY_ACTOR, reason: "settled what an interrupted run left (crash or kill)",
    });
  }
  return report;
}
