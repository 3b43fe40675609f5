// Start-up recovery: what a crash (kill -9, power loss) can leave, settled before the service answers, so that neither
// the dashboard nor /state misreports it:
//   - model versions still `building` (their fit died with the process) → `failed`, with an audit event saying why;
//   - temp folders / files of interrupted atomic writes (`*.tmp-*`) under models/, samples/, inspections/ → removed;
//   - artifact folders no ready (or retired) version row owns (written, renamed, but the row never said ready) →
//     removed; a folder is adopted only by a row that says ready;
//   - sample images and inspection crops / heatmaps no row owns (an upload or /infer cut between its file and its
//     transaction) → removed.
// Calibrations are rows written in one transaction (nothing on disk); a calibration the crash interrupted left nothing.
// Runs once per start of the service on its data root, before it listens (one service per data root).
import { readdir, rm } from "node:fs/promises";
import path from "node:path";
import {
  appendAudit, findModelVersionsByIds, listInspectionFilePaths, listModelVersionsInStatus, listSampleStoredPaths,
  markModelVersionFailed,
} from "@bdi/db";
import type { Services } from "./index.ts";
import { ARTIFACTS_DIR, INSPECTIONS_DIR, SAMPLES_DIR, isTempName, resolveInRoot, versionIdOfArtifactDir } from "../resources/storage.ts";

const RECOVERY_ACTOR = "system:start-up-recovery";

export type RecoveryReport = {
  /** versions found `building` and marked failed */
  interruptedBuilds: string[];
  /** data-root-relative paths removed, by kind */
  removed: { tempFiles: string[]; orphanArtifacts: string[]; orphanSamples: string[]; orphanInspectionFiles: string[] };
};

/** Every file and folder under `rel` (depth-first); folders reported before their content. */
async function walk(root: string, rel: string, visit: (rel: string, isDir: boolean) => Promise<boolean | void>): Promise<void> {
  let entries;
  try {
    entries = await readdir(resolveInRoot(root, rel), { withFileTypes: true });
  } catch {
    return; // absent: nothing written there yet
  }
  for (const e of entries) {
    const child = path.posix.join(rel, e.name);
    const skip = await visit(child, e.isDirectory());
    if (e.isDirectory() && skip !== true) await walk(root, child, visit);
  }
}

/** The audit event keeps the first paths of each kind (a crash leaves a handful; a damaged root could leave many). */
function capLists(r: RecoveryReport["removed"]): Record<string, string[]> {
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.slice(0, 50)]));
}

async function remove(root: string, rel: string): Promise<void> {
  await rm(resolveInRoot(root, rel), { recursive: true, force: true });
}

export async function recoverAfterCrash(svc: Services): Promise<RecoveryReport> {
  const db = svc.ctx.db.prisma;
  const root = svc.ctx.config.dataRoot;
  const report: RecoveryReport = { interruptedBuilds: [], removed: { tempFiles: [], orphanArtifacts: [], orphanSamples: [], orphanInspectionFiles: [] } };
  const who = { actor: RECOVERY_ACTOR, reason: "the service stopped while this fit was running (found at start-up)" };

  // 1. Interrupted builds.
  for (const v of await listModelVersionsInStatus(db, "building")) {
    await markModelVersionFailed(db, { id: v.id, error: "interrupted: the service stopped during the fit" }, who);
    report.interruptedBuilds.push(v.id);
  }

  // 2. Artifact folders: temp folders, and version folders whose row is not ready / retired (or absent).
  const versionDirs: Array<{ rel: string; id: string }> = [];
  await walk(root, ARTIFACTS_DIR, async (rel, isDir) => {
    if (isTempName(rel)) {
      await remove(root, rel);
      report.removed.tempFiles.push(rel);
      return true;
    }
    const id = isDir ? versionIdOfArtifactDir(rel) : null;
    if (id) {
      versionDirs.push({ rel, id });
      return true; // its content is the artifact's own
    }
  });
  const rows = new Map((await findModelVersionsByIds(db, versionDirs.map((d) => d.id))).map((v) => [v.id, v]));
  for (const d of versionDirs) {
    const v = rows.get(d.id);
    if (v && (v.status === "ready" || v.status === "retired")) continue;
    await remove(root, d.rel);
    report.removed.orphanArtifacts.push(d.rel);
  }

  // 3. Sample images and inspection files no row owns, and their interrupted temp files.
  const owned = [
    { dir: SAMPLES_DIR, paths: await listSampleStoredPaths(db), list: report.removed.orphanSamples },
    { dir: INSPECTIONS_DIR, paths: await listInspectionFilePaths(db), list: report.removed.orphanInspectionFiles },
  ];
  for (const { dir, paths, list } of owned) {
    await walk(root, dir, async (rel, isDir) => {
      if (isDir) return;
      if (isTempName(rel)) {
        await remove(root, rel);
        report.removed.tempFiles.push(rel);
      } else if (!paths.has(rel)) {
        await remove(root, rel);
        list.push(rel);
      }
    });
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
