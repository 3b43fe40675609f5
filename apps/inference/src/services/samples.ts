// Dataset samples: upload (validated, all-or-nothing), list, read, delete. Images live under
// samples/<recipe>/<role>__<roi>/<label>/<sha-prefix>_<name> in the object store; every change is a DB row + audit event.
import path from "node:path";
import {
  findRecipe, findRoi, findSampleByFileName, inTx, listDatasetSamples, lockRecipeMmPerPx, sameMmPerPx, softDeleteSample,
  createSample, upsertRoi, parseJson, type Roi, type RoiWithActive, type Sample, type SampleLabel, type SampleSource, MmPerPxConflictError,
} from "@bdi/db";
import type { Services, Actor } from "./index.ts";
import { ServiceError } from "./errors.ts";
import { extForFormat, inspectImage, sampleRelPath, LISTED_IMAGE_EXTS, type ImageInfo } from "../resources/storage.ts";
import { parseShapeText } from "./shape.ts";

export type RoiRef = { recipeId: string; recipeDisplayName?: string; roleId: string; roiId: string; modelKey?: string };

export type SampleUpload = {
  data: Buffer;
  /** the file name the client sent (multipart filename) */
  filename: string;
  /** the client's metadata (legacy metas[i]); an object or null */
  meta?: Record<string, unknown> | null;
  /** keep this server file name instead of minting a timestamp name (imports of an original data folder) */
  keepName?: string;
};

export function assertLabel(label: string | undefined): asserts label is "ok" | "ng" {
  if (label !== "ok" && label !== "ng") throw new ServiceError("bad_request", `label must be 'ok' or 'ng' (got '${label ?? ""}')`);
}

/**
 * A dataset file name as the listing gives them: one path segment. A name with a path separator, "..", a drive or a
 * NUL byte cannot name a sample (400); a well-formed name that matches none is simply absent.
 */
export function assertSampleFileName(name: string): void {
  if (name === "" || name === "." || name === ".." || /[\/\\\0]/.test(name) || /^[A-Za-z]:/.test(name) || name.length > 255)
    throw new ServiceError("bad_request", `filename must be a plain file name as /datasets/list gives it (no path, '..' or NUL byte; at most 255 characters)`);
}

export function assertMmPerPx(v: number): void {
  if (!Number.isFinite(v) || v <= 0) throw new ServiceError("invalid_mm_per_px", "mm_per_px must be > 0 and finite");
}

/** The legacy reference of a ROI row (what the sample store addresses ROIs by). */
export async function roiRefOf(svc: Services, roi: Roi): Promise<RoiRef> {
  const recipe = await findRecipe(svc.ctx.db.prisma, roi.recipeId);
  return { recipeId: roi.recipeId, recipeDisplayName: recipe?.displayName, roleId: roi.roleId, roiId: roi.roiId, modelKey: roi.modelKey };
}

/** A stored sample's mm/px: its own, else the one its client sent in the sidecar, else `fallback`, else null. */
export function sampleMmPerPx(sample: Sample, fallback?: number): number | null {
  const meta = parseJson<Record<string, unknown>>(sample.clientMetaJson) ?? {};
  return sample.mmPerPx ?? (typeof meta.mm_per_px === "number" ? meta.mm_per_px : undefined) ?? fallback ?? null;
}

/** Throws the 409 when the recipe is locked to another mm/px (read-only pre-check; the lock itself is set in the tx). */
export async function checkMmPerPxLock(svc: Services, recipeId: string, mmPerPx: number): Promise<void> {
  const recipe = await findRecipe(svc.ctx.db.prisma, recipeId);
  if (recipe?.mmPerPx != null && !sameMmPerPx(recipe.mmPerPx, mmPerPx)) throw new MmPerPxConflictError(recipeId, recipe.mmPerPx, mmPerPx);
}

/** Ensures the recipe/role/ROI rows exist and sets the recipe's mm/px lock (409 on conflict), in one transaction. */
export async function ensureRoiLocked(svc: Services, ref: RoiRef, mmPerPx: number | undefined, who: Actor, extra: { shape?: unknown } = {}): Promise<Roi> {
  if (mmPerPx !== undefined) assertMmPerPx(mmPerPx);
  return inTx(svc.ctx.db.prisma, async (tx) => {
    const { roi } = await upsertRoi(
      tx,
      { recipeId: ref.recipeId, roleId: ref.roleId, roiId: ref.roiId, modelKey: ref.modelKey, recipeDisplayName: ref.recipeDisplayName, shape: extra.shape },
      who,
    );
    if (mmPerPx !== undefined) {
      const res = await lockRecipeMmPerPx(tx, { recipeId: ref.recipeId, mmPerPx }, who);
      if (!res.ok) throw res.conflict;
    }
    return roi;
  });
}

/**
 * The ROI to read from: the requested recipe's, else the `default` recipe's (the original's read fallback, §4.1),
 * else null.
 */
export async function findRoiForRead(svc: Services, ref: RoiRef) {
  const db = svc.ctx.db.prisma;
  const roi = await findRoi(db, { recipeId: ref.recipeId, roleId: ref.roleId, roiId: ref.roiId });
  if (roi || ref.recipeId === "default") return roi;
  return findRoi(db, { recipeId: "default", roleId: ref.roleId, roiId: ref.roiId });
}

let lastStampUs = 0;
/** Server file name like the original's (`YYYYmmdd-HHMMSS-ffffff`), in UTC (§8 #15), strictly increasing. */
export function timestampName(ext: string, now = Date.now()): string {
  let us = now * 1000;
  if (us <= lastStampUs) us = lastStampUs + 1;
  lastStampUs = us;
  const d = new Date(Math.floor(us / 1000));
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  const micro = p(d.getUTCMilliseconds() * 1000 + (us % 1000), 6);
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}-${micro}${ext}`;
}

function extFor(upload: SampleUpload, info: ImageInfo): string {
  const fromName = path.extname(upload.filename || "").toLowerCase();
  const fmtExt = extForFormat(info.format);
  if (fromName && LISTED_IMAGE_EXTS.includes(fromName) && (fromName === fmtExt || (fromName === ".jpeg" && fmtExt === ".jpg"))) return fromName;
  return fmtExt;
}

function metaMmPerPx(meta: Record<string, unknown> | null | undefined, i: number): number | undefined {
  if (!meta || meta.mm_per_px === undefined || meta.mm_per_px === null) return undefined;
  const v = typeof meta.mm_per_px === "string" ? Number(meta.mm_per_px.trim()) : meta.mm_per_px;
  if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) throw new ServiceError("invalid_mm_per_px", "mm_per_px must be > 0 and finite", { index: i });
  return v;
}

export type UploadResult = { roi: Roi; samples: Sample[] };

/**
 * Stores N images as samples of one ROI, all or nothing: every image and meta is validated first, the mm/px lock is
 * checked, the files are written, then all rows are created in one transaction (files removed if it fails).
 */
export async function uploadSamples(
  svc: Services,
  input: { ref: RoiRef; label: SampleLabel; source: SampleSource; files: SampleUpload[]; defaultMmPerPx?: number },
  who: Actor,
): Promise<UploadResult> {
  const { ref, label, files } = input;
  if (files.length === 0) throw new ServiceError("no_images", "no images to store");
  const store = svc.store;

  // 1. Validate everything before writing anything.
  const prepared: Array<{ upload: SampleUpload; info: ImageInfo; mmPerPx?: number; shape?: unknown }> = [];
  for (let i = 0; i < files.length; i++) {
    const upload = files[i]!;
    const what = files.length > 1 ? `images[${i}] (${upload.filename || "unnamed"})` : `image ${upload.filename ? `'${upload.filename}'` : ""}`.trim();
    const info = await inspectImage(upload.data, what);
    const mmPerPx = metaMmPerPx(upload.meta, i) ?? input.defaultMmPerPx;
    let shape: unknown;
    const sj = upload.meta?.shape_json;
    if (sj !== undefined && sj !== null && sj !== "") shape = parseShapeText(sj, `metas[${i}].shape_json`, info.width, info.height)?.raw;
    prepared.push({ upload, info, mmPerPx, shape });
  }
  const lockValues = prepared.map((p) => p.mmPerPx).filter((v): v is number => v !== undefined);
  for (const v of lockValues) await checkMmPerPxLock(svc, ref.recipeId, v);

  // 2. Write the files (new, unique names).
  const written: string[] = [];
  const rows: Array<{ rel: string; fileName: string; p: (typeof prepared)[number] }> = [];
  try {
    for (const p of prepared) {
      const fileName = p.upload.keepName ?? timestampName(extFor(p.upload, p.info));
      const rel = sampleRelPath(ref.recipeId, ref.roleId, ref.roiId, label, p.info.sha256, fileName);
      await store.put(rel, p.upload.data);
      written.push(rel);
      rows.push({ rel, fileName, p });
    }
    // 3. Rows + audit, one transaction (the lock is re-checked inside it).
    return await inTx(svc.ctx.db.prisma, async (tx) => {
      const lastShape = [...prepared].reverse().find((p) => p.shape !== undefined)?.shape;
      const { roi } = await upsertRoi(
        tx,
        { recipeId: ref.recipeId, roleId: ref.roleId, roiId: ref.roiId, modelKey: ref.modelKey, recipeDisplayName: ref.recipeDisplayName, shape: lastShape },
        who,
      );
      for (const v of lockValues) {
        const res = await lockRecipeMmPerPx(tx, { recipeId: ref.recipeId, mmPerPx: v }, who);
        if (!res.ok) throw res.conflict;
      }
      const samples: Sample[] = [];
      for (const { rel, fileName, p } of rows) {
        // The sidecar: what the client sent, plus the original's setdefault keys (the client's own `filename` wins).
        const meta: Record<string, unknown> = { ...(p.upload.meta ?? {}) };
        const defaults: Record<string, unknown> = {
          role_id: ref.roleId,
          roi_id: ref.roiId,
          label,
          filename: fileName,
          recipe_id: ref.recipeId,
          created_at_utc: new Date().toISOString().replace(/\.(\d{3})Z$/, ".$1000Z"),
        };
        for (const [k, v] of Object.entries(defaults)) if (!(k in meta)) meta[k] = v;
        if (meta.mm_per_px === undefined && p.mmPerPx !== undefined) meta.mm_per_px = p.mmPerPx;
        samples.push(
          await createSample(
            tx,
            {
              roiId: roi.id,
              label,
              source: input.source,
              storedPath: rel,
              fileName,
              originalFileName: p.upload.filename || null,
              sha256: p.info.sha256,
              width: p.info.width,
              height: p.info.height,
              mmPerPx: p.mmPerPx ?? null,
              shape: p.shape,
              clientMeta: meta,
            },
            who,
          ),
        );
      }
      return { roi, samples };
    });
  } catch (err) {
    for (const rel of written) await store.delete(rel).catch(() => undefined);
    throw err;
  }
}

export type DatasetClass = { count: number; files: string[]; meta: Record<string, boolean> };

/** The legacy listing: per label, the live samples' names in chronological order; a label with none is absent. */
export async function listDataset(svc: Services, ref: RoiRef): Promise<{ roi: RoiWithActive | null; classes: Partial<Record<"ok" | "ng", DatasetClass>> }> {
  const roi = await findRoiForRead(svc, ref);
  const classes: Partial<Record<"ok" | "ng", DatasetClass>> = {};
  if (!roi) return { roi: null, classes };
  for (const label of ["ok", "ng"] as const) {
    const samples = await listDatasetSamples(svc.ctx.db.prisma, { roiId: roi.id, label });
    if (samples.length === 0) continue;
    const files = samples.map((s) => s.fileName);
    classes[label] = { count: files.length, files, meta: Object.fromEntries(samples.map((s) => [s.fileName, s.clientMetaJson !== null])) };
  }
  return { roi, classes };
}

/** A live sample by the name the listing gave (or the client's own name: §8 #6). */
export async function findDatasetSample(svc: Services, ref: RoiRef, label: "ok" | "ng", filename: string): Promise<Sample | null> {
  const roi = await findRoiForRead(svc, ref);
  if (!roi || !filename) return null;
  const db = svc.ctx.db.prisma;
  const hit = await findSampleByFileName(db, { roiId: roi.id, fileName: filename, label });
  if (hit) return hit;
  // The sidecar's `filename` (what the WPF client keeps as Metadata.filename).
  const live = await listDatasetSamples(db, { roiId: roi.id, label });
  return live.filter((s) => parseJson<Record<string, unknown>>(s.clientMetaJson)?.filename === filename).at(-1) ?? null;
}

export async function readSampleFile(svc: Services, sample: Sample): Promise<Buffer> {
  const data = await svc.store.get(sample.storedPath).catch(() => null);
  if (!data) throw new ServiceError("not_found", "file not found");
  return data;
}

/**
 * The samples' images as local files for the engine's processes (the data root's own files, or copies of the
 * bucket's objects fetched once); a sample whose image is gone is a clear 400, not a failure inside the engine.
 */
export async function localSampleFiles(svc: Services, samples: Sample[]): Promise<string[]> {
  return Promise.all(samples.map(async (s) => {
    const file = await svc.store.localFile(s.storedPath);
    if (!file) throw new ServiceError("bad_request", `sample ${s.fileName} is missing from the store (${s.storedPath})`);
    return file;
  }));
}

/** The sidecar as the client reads it (SampleMetadata): mm_per_px a number (the sample's, else the recipe's), never null. */
export async function sampleSidecar(svc: Services, recipeId: string, sample: Sample): Promise<Record<string, unknown>> {
  const meta = { ...(parseJson<Record<string, unknown>>(sample.clientMetaJson) ?? {}) };
  if (meta.mm_per_px === undefined || meta.mm_per_px === null) {
    const v = sample.mmPerPx ?? (await findRecipe(svc.ctx.db.prisma, recipeId))?.mmPerPx ?? null;
    if (v != null) meta.mm_per_px = v;
    else delete meta.mm_per_px;
  }
  return meta;
}

export async function deleteDatasetSample(svc: Services, ref: RoiRef, label: "ok" | "ng", filename: string, who: Actor): Promise<boolean> {
  const sample = await findDatasetSample(svc, ref, label, filename);
  if (!sample) return false;
  await softDeleteSample(svc.ctx.db.prisma, { sampleId: sample.id }, who);
  return true;
}

/** Soft-deletes every live sample of one label; returns how many. */
export async function clearDataset(svc: Services, ref: RoiRef, label: "ok" | "ng", who: Actor): Promise<number> {
  const db = svc.ctx.db.prisma;
  const roi = await findRoi(db, { recipeId: ref.recipeId, roleId: ref.roleId, roiId: ref.roiId });
  if (!roi) return 0;
  return inTx(db, async (tx) => {
    const live = await listDatasetSamples(tx, { roiId: roi.id, label });
    for (const s of live) await softDeleteSample(tx, { sampleId: s.id }, who);
    return live.length;
  });
}
