// npm run import-legacy -- DIR [--dry-run] [--json]
// Imports an original backend's data folder (its BDI_MODELS_DIR, contract §4.1) into the tracked store:
//   recipes/<r>/recipe_meta.json                        → the recipe and its mm/px lock
//   recipes/<r>/datasets/<b64(role)>__<b64(roi)>/{ok,ng}/*.png + .json sidecars → samples (names kept)
//   datasets/<role>/<roi>/{ok,ng}/*                     → samples of recipe `default` (v1.5 layout)
//   recipes/<r>/<model_key>/<B>_calib.json, <models>/<role>_<roi>_calib.json, <models>/<role>/<roi>/calib.json
//                                                       → reported and audited (they belong to DINOv2 memories
//                                                         that cannot be carried over: refit + recalibrate)
//   *.npz / *.faiss memories                            → reported (refit needed)
// Idempotent: a sample whose bytes (sha256) are already in the ROI's dataset with the same label is skipped.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { appendAudit, createDb, findSamplesBySha256, findRoi, lockRecipeMmPerPx, resolveRecipe, upsertRoi } from "@bdi/db";
import { nameIdProblem } from "@bdi/core/schemas/ids";
import { loadConfig } from "../config.ts";
import type { ServiceContext } from "../context.ts";
import { BackboneHolder } from "../runtime/backbone-state.ts";
import { getServices } from "../services/index.ts";
import { sha256, LISTED_IMAGE_EXTS } from "../resources/storage.ts";
import { uploadSamples } from "../services/samples.ts";
import { resolveLegacyRecipe } from "../services/recipes.ts";

const ACTOR = "import-legacy";

export type ImportReport = {
  source: string;
  dryRun: boolean;
  recipes: Array<{ id: string; mmPerPx: number | null; status: "created" | "existing" | "locked" | "lock_conflict"; note?: string }>;
  samples: { imported: number; skippedDuplicate: number; failed: number };
  rois: Array<{ recipeId: string; roleId: string; roiId: string; layout: string; ok: number; ng: number; skipped: number; failed: number }>;
  failures: Array<{ file: string; error: string }>;
  calibrations: Array<{ file: string; recipeId: string; roleId?: string; roiId?: string; threshold?: number; note: string }>;
  memories: Array<{ file: string; note: string }>;
};

function b64urlDecode(s: string): string | null {
  if (!/^[A-Za-z0-9_-]*$/.test(s) || s.length === 0) return null;
  const buf = Buffer.from(s.replace(/-/g, "+").replace(/_/g, "/"), "base64");
  const text = buf.toString("utf8");
  const back = Buffer.from(text, "utf8").toString("base64url");
  return back === s ? text : null;
}

/** `<b64(role)>__<b64(roi)>` → {role, roi}; the split is chosen so that both halves round-trip. */
export function decodeDatasetDirName(name: string): { roleId: string; roiId: string } | null {
  for (let i = name.indexOf("__"); i !== -1; i = name.indexOf("__", i + 1)) {
    const role = b64urlDecode(name.slice(0, i));
    const roi = b64urlDecode(name.slice(i + 2));
    if (role && roi) return { roleId: role, roiId: roi };
  }
  return null;
}

function listDir(p: string): string[] {
  try {
    return readdirSync(p).sort();
  } catch {
    return [];
  }
}
const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();

function readJson(p: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(readFileSync(p, "utf8"));
    return v && typeof v === "object" && !Array.isArray(v) ? v : null;
  } catch {
    return null;
  }
}

type DatasetDir = { recipeId: string; recipeDisplay: string; roleId: string; roiId: string; dir: string; layout: string };

/** The recipe folders of a legacy root with their resolved recipe ids; a name that cannot be resolved is reported once. */
function* recipeDirs(root: string, onBadName?: (dir: string, error: string) => void) {
  for (const r of listDir(path.join(root, "recipes"))) {
    const rdir = path.join(root, "recipes", r);
    if (!isDir(rdir)) continue;
    let recipe;
    try {
      recipe = resolveLegacyRecipe(r);
    } catch (e) {
      onBadName?.(rdir, (e as Error).message);
      continue;
    }
    yield { r, rdir, recipe };
  }
}

function findDatasetDirs(root: string, report: ImportReport): DatasetDir[] {
  const out: DatasetDir[] = [];
  // core's id rule, as at the service's doors: a folder whose role/ROI name breaks it is reported, not imported
  const push = (d: DatasetDir) => {
    const problem = nameIdProblem("role_id", d.roleId) ?? nameIdProblem("roi_id", d.roiId);
    if (problem) report.failures.push({ file: d.dir, error: problem });
    else out.push(d);
  };
  for (const { r, rdir, recipe } of recipeDirs(root, (file, error) => report.failures.push({ file, error }))) {
    for (const b of listDir(path.join(rdir, "datasets"))) {
      const ids = decodeDatasetDirName(b);
      if (!ids) {
        report.failures.push({ file: path.join(rdir, "datasets", b), error: "dataset folder name is not <b64(role)>__<b64(roi)>" });
        continue;
      }
      push({ recipeId: recipe.id, recipeDisplay: r, ...ids, dir: path.join(rdir, "datasets", b), layout: "v3 recipes/<r>/datasets/<b64>__<b64>" });
    }
  }
  // v1.5: <models>/datasets/<role>/<roi>/{ok,ng}
  for (const role of listDir(path.join(root, "datasets"))) {
    for (const roi of listDir(path.join(root, "datasets", role))) {
      const dir = path.join(root, "datasets", role, roi);
      if (isDir(dir)) push({ recipeId: "default", recipeDisplay: "default", roleId: role, roiId: roi, dir, layout: "v1.5 datasets/<role>/<roi>" });
    }
  }
  return out;
}

function findCalibrationsAndMemories(root: string, report: ImportReport) {
  const walk = (dir: string, depth: number) => {
    if (depth > 4) return;
    for (const name of listDir(dir)) {
      const p = path.join(dir, name);
      if (isDir(p)) {
        if (name === "datasets") continue;
        walk(p, depth + 1);
        continue;
      }
      const rel = path.relative(root, p);
      if (name.endsWith("_calib.json") || name === "calib.json") {
        const c = readJson(p);
        const recipeMatch = rel.split(path.sep);
        report.calibrations.push({
          file: rel,
          recipeId: recipeMatch[0] === "recipes" ? recipeMatch[1]! : "default",
          roleId: typeof c?.role_id === "string" ? c.role_id : undefined,
          roiId: typeof c?.roi_id === "string" ? c.roi_id : undefined,
          threshold: typeof c?.threshold === "number" ? c.threshold : undefined,
          note: "threshold of an original DINOv2 memory (scores of another bank): not applied; refit and recalibrate this ROI",
        });
      } else if (name.endsWith(".npz") || name.endsWith(".faiss")) {
        report.memories.push({ file: rel, note: "original memory bank: not importable, refit from the imported dataset" });
      }
    }
  };
  walk(root, 0);
}

export async function importLegacy(dir: string, opts: { dataRoot?: string; dryRun?: boolean } = {}): Promise<ImportReport> {
  const root = path.resolve(dir);
  if (!isDir(root)) throw new Error(`not a directory: ${root}`);
  const config = loadConfig(opts.dataRoot ? { ...process.env, BDI_DATA_ROOT: opts.dataRoot } : process.env);
  const db = await createDb({ dataRoot: config.dataRoot, migrate: true });
  const ctx: ServiceContext = { config, db, backbone: new BackboneHolder(), startedAt: Date.now() };
  const svc = getServices(ctx);
  const report: ImportReport = { source: root, dryRun: !!opts.dryRun, recipes: [], samples: { imported: 0, skippedDuplicate: 0, failed: 0 }, rois: [], failures: [], calibrations: [], memories: [] };
  try {
    // Recipes and their mm/px locks.
    for (const { r, rdir, recipe } of recipeDirs(root)) {
      const meta = readJson(path.join(rdir, "recipe_meta.json"));
      const mm = typeof meta?.mm_per_px === "number" && meta.mm_per_px > 0 ? meta.mm_per_px : null;
      if (opts.dryRun) {
        report.recipes.push({ id: recipe.id, mmPerPx: mm, status: "existing", note: "dry run" });
        continue;
      }
      const { created } = await resolveRecipe(db.prisma, { id: recipe.id, displayName: r }, { actor: ACTOR, reason: `import ${root}` });
      let status: ImportReport["recipes"][number]["status"] = created ? "created" : "existing";
      let note: string | undefined;
      if (mm !== null) {
        const res = await lockRecipeMmPerPx(db.prisma, { recipeId: recipe.id, mmPerPx: mm }, { actor: ACTOR, reason: `import ${root}` });
        if (!res.ok) {
          status = "lock_conflict";
          note = res.conflict.message;
        } else if (res.lockedNow) status = "locked";
      }
      report.recipes.push({ id: recipe.id, mmPerPx: mm, status, note });
    }

    // Dataset samples.
    for (const d of findDatasetDirs(root, report)) {
      const row = { recipeId: d.recipeId, roleId: d.roleId, roiId: d.roiId, layout: d.layout, ok: 0, ng: 0, skipped: 0, failed: 0 };
      for (const label of ["ok", "ng"] as const) {
        const ldir = path.join(d.dir, label);
        const names = listDir(ldir).filter((n) => LISTED_IMAGE_EXTS.includes(path.extname(n).toLowerCase()));
        if (!names.length) continue;
        let roiRowId: string | null = null;
        if (!opts.dryRun) {
          const { roi } = await upsertRoi(db.prisma, { recipeId: d.recipeId, roleId: d.roleId, roiId: d.roiId, recipeDisplayName: d.recipeDisplay }, { actor: ACTOR });
          roiRowId = roi.id;
        } else {
          roiRowId = (await findRoi(db.prisma, { recipeId: d.recipeId, roleId: d.roleId, roiId: d.roiId }))?.id ?? null;
        }
        for (const name of names) {
          const file = path.join(ldir, name);
          const data = readFileSync(file);
          const sha = sha256(data);
          if (roiRowId) {
            const dup = await findSamplesBySha256(db.prisma, { sha256: sha, roiId: roiRowId });
            if (dup.some((s) => s.label === label)) {
              row.skipped++;
              report.samples.skippedDuplicate++;
              continue;
            }
          }
          const sidecar = readJson(file.replace(/\.[^.]+$/, ".json"));
          if (opts.dryRun) {
            row[label]++;
            report.samples.imported++;
            continue;
          }
          try {
            await uploadSamples(
              svc,
              {
                ref: { recipeId: d.recipeId, recipeDisplayName: d.recipeDisplay, roleId: d.roleId, roiId: d.roiId },
                label,
                source: "import",
                files: [{ data, filename: name, meta: sidecar, keepName: name }],
              },
              { actor: ACTOR, requestId: null, reason: `import ${path.relative(root, file)}` },
            );
            row[label]++;
            report.samples.imported++;
          } catch (e) {
            row.failed++;
            report.samples.failed++;
            report.failures.push({ file: path.relative(root, file), error: (e as Error).message });
          }
        }
      }
      report.rois.push(row);
    }

    findCalibrationsAndMemories(root, report);
    if (!opts.dryRun && (report.calibrations.length || report.memories.length)) {
      await appendAudit(
        db.prisma,
        { action: "import.legacy_artifacts_skipped", entityType: "Import", entityId: root, after: { calibrations: report.calibrations, memories: report.memories } },
        { actor: ACTOR },
      );
    }
    return report;
  } finally {
    await db.close();
  }
}

function printReport(r: ImportReport) {
  const lines = [
    `Imported from ${r.source}${r.dryRun ? " (dry run: nothing written)" : ""}`,
    `Recipes: ${r.recipes.map((x) => `${x.id} [${x.status}${x.mmPerPx !== null ? `, mm/px ${x.mmPerPx}` : ""}${x.note ? `: ${x.note}` : ""}]`).join(", ") || "none"}`,
    `Samples: ${r.samples.imported} imported, ${r.samples.skippedDuplicate} already present, ${r.samples.failed} failed`,
    ...r.rois.map((x) => `  ${x.recipeId} / ${x.roleId} / ${x.roiId}: ${x.ok} OK, ${x.ng} NG, ${x.skipped} skipped, ${x.failed} failed (${x.layout})`),
    ...(r.failures.length ? ["Failures:", ...r.failures.map((f) => `  ${f.file}: ${f.error}`)] : []),
    ...(r.calibrations.length ? ["Calibrations not applied (refit + recalibrate these ROIs):", ...r.calibrations.map((c) => `  ${c.file}${c.threshold !== undefined ? ` (threshold ${c.threshold})` : ""}`)] : []),
    ...(r.memories.length ? [`Memory banks not importable: ${r.memories.length} file(s); fit the ROIs from their imported datasets.`] : []),
  ];
  console.log(lines.join("\n"));
}

async function main() {
  const args = process.argv.slice(2);
  const dir = args.find((a) => !a.startsWith("--"));
  if (!dir || args.includes("--help")) {
    console.error("usage: npm run import-legacy -- DIR [--dry-run] [--json]\n  DIR: the original backend's models folder (its BDI_MODELS_DIR)\n  The target is BDI_DATA_ROOT (default: <repo>/data).");
    process.exit(dir ? 0 : 2);
  }
  // `npm run -w` runs in apps/inference: resolve paths against where the user typed the command, and default the
  // data root to the repository's data/ like `npm start` does.
  const cwd = process.env.INIT_CWD ?? process.cwd();
  const envRoot = process.env.BDI_DATA_ROOT ?? process.env.BACKEND_DATA_ROOT;
  const dataRoot = envRoot ? path.resolve(cwd, envRoot) : path.resolve(import.meta.dirname, "../../../../data");
  const report = await importLegacy(path.resolve(cwd, dir), { dataRoot, dryRun: args.includes("--dry-run") });
  if (!args.includes("--json")) console.log(`Data root: ${dataRoot}`);
  if (args.includes("--json")) console.log(JSON.stringify(report, null, 2));
  else printReport(report);
  process.exit(report.samples.failed ? 1 : 0);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
