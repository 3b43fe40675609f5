// Binary HTTP routes of the dashboard (what tRPC's JSON is not for): sample images and thumbnails, inspection
// crops and heatmaps, and the audit log as CSV. Ids are validated, stored paths never leave the service.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import sharp from "sharp";
import { AuditCsvQuerySchema } from "@bdi/core/dashboard/audit";
import { heatmapGrayAt } from "@bdi/core";
import type { ServiceContext } from "../context.ts";
import { getServices } from "../services/index.ts";
import { auditCsv } from "../services/audit.ts";
import { findSampleRecord } from "../services/dataset.ts";
import { findInspectionRecord } from "../services/review.ts";
import { contentTypeForName } from "../resources/storage.ts";
import type { ObjectStore } from "../resources/store/object-store.ts";

const ID_RE = /^[A-Za-z0-9_-]{1,64}$/;
const THUMB_SIZES = [64, 128, 192, 256, 384, 512] as const;
/** Content behind an id never changes (samples and inspections are immutable images). */
const IMMUTABLE = "private, max-age=31536000, immutable";

type IdParams = { Params: { id: string } };

function fail(reply: FastifyReply, status: number, error: string) {
  return reply.code(status).header("Cache-Control", "no-store").send({ error });
}

async function readStored(store: ObjectStore, rel: string | null): Promise<Buffer | null> {
  return rel ? store.get(rel).catch(() => null) : null;
}

/** 304 when the client already has this version. */
function notModified(req: FastifyRequest, reply: FastifyReply, etag: string): boolean {
  reply.header("ETag", etag).header("Cache-Control", IMMUTABLE);
  if (req.headers["if-none-match"] === etag) {
    reply.code(304).send();
    return true;
  }
  return false;
}

/**
 * A grayscale heatmap as a colour overlay: jet-like colours, alpha growing with the anomaly (0 → transparent).
 * With `fromGray` (style "above"): only pixels at or above that gray level (the threshold's, core's heatmapGrayAt)
 * are coloured, at a fixed alpha; the rest is transparent.
 */
export async function colorizeHeatmap(gray: Buffer, fromGray?: number): Promise<Buffer> {
  const { data, info } = await sharp(gray).greyscale().raw().toBuffer({ resolveWithObject: true });
  const n = info.width * info.height;
  const ch = info.channels;
  const out = Buffer.alloc(n * 4);
  for (let i = 0; i < n; i++) {
    const g8 = data[i * ch]!;
    const v = g8 / 255;
    const r = Math.min(1, Math.max(0, 1.5 - Math.abs(4 * v - 3)));
    const g = Math.min(1, Math.max(0, 1.5 - Math.abs(4 * v - 2)));
    const b = Math.min(1, Math.max(0, 1.5 - Math.abs(4 * v - 1)));
    out[i * 4] = Math.round(r * 255);
    out[i * 4 + 1] = Math.round(g * 255);
    out[i * 4 + 2] = Math.round(b * 255);
    out[i * 4 + 3] = fromGray === undefined ? Math.round(Math.min(1, v * 1.25) * 255) : g8 >= fromGray ? 230 : 0;
  }
  return sharp(out, { raw: { width: info.width, height: info.height, channels: 4 } }).png().toBuffer();
}

export async function registerDashboardApi(app: FastifyInstance, ctx: ServiceContext): Promise<void> {
  const svc = getServices(ctx);
  const store = svc.store;

  await app.register(async (scope) => {
    scope.addHook("preHandler", async (req, reply) => {
      const id = (req.params as { id?: string } | undefined)?.id;
      if (id !== undefined && !ID_RE.test(id)) return fail(reply, 400, "invalid id");
    });

    scope.get<IdParams>("/api/samples/:id/image", async (req, reply) => {
      const s = await findSampleRecord(svc, req.params.id);
      if (!s) return fail(reply, 404, "sample not found");
      if (notModified(req, reply, `"${s.sha256}"`)) return reply;
      const data = await readStored(store, s.storedPath);
      if (!data) return fail(reply, 404, "the sample's image file is missing");
      return reply
        .type(contentTypeForName(s.fileName))
        .header("Content-Disposition", `inline; filename="${s.fileName.replace(/[^A-Za-z0-9._-]/g, "_")}"`)
        .send(data);
    });

    scope.get<IdParams & { Querystring: { size?: string } }>("/api/samples/:id/thumb", async (req, reply) => {
      const size = req.query.size === undefined ? 256 : Number(req.query.size);
      if (!THUMB_SIZES.includes(size as (typeof THUMB_SIZES)[number]))
        return fail(reply, 400, `size must be one of ${THUMB_SIZES.join(", ")}`);
      const s = await findSampleRecord(svc, req.params.id);
      if (!s) return fail(reply, 404, "sample not found");
      if (notModified(req, reply, `"${s.sha256}-${size}"`)) return reply;
      const data = await readStored(store, s.storedPath);
      if (!data) return fail(reply, 404, "the sample's image file is missing");
      const thumb = await sharp(data).resize(size, size, { fit: "inside", withoutEnlargement: true }).webp({ quality: 80 }).toBuffer();
      return reply.type("image/webp").send(thumb);
    });

    scope.get<IdParams>("/api/inspections/:id/image", async (req, reply) => {
      const i = await findInspectionRecord(svc, req.params.id);
      if (!i) return fail(reply, 404, "inspection not found");
      if (notModified(req, reply, `"${i.imageSha256}"`)) return reply;
      const data = await readStored(store, i.imagePath);
      if (!data) return fail(reply, 404, i.evidenceExpiredAt ? "this inspection's crop expired (retention)" : "this inspection did not keep its crop");
      const meta = await sharp(data).metadata().catch(() => null);
      return reply.type(meta?.format === "jpeg" ? "image/jpeg" : meta?.format ? `image/${meta.format}` : "application/octet-stream").send(data);
    });

    scope.get<IdParams & { Querystring: { style?: string } }>("/api/inspections/:id/heatmap", async (req, reply) => {
      const style = req.query.style ?? "gray";
      if (style !== "gray" && style !== "color" && style !== "above") return fail(reply, 400, "style must be gray, color or above");
      const i = await findInspectionRecord(svc, req.params.id);
      if (!i) return fail(reply, 404, "inspection not found");
      // "above" colours only what is at or above the threshold: it needs the stored stretch and a threshold.
      const above = style === "above" && i.threshold != null && i.heatmapLow != null && i.heatmapHigh != null
        ? heatmapGrayAt(i.threshold, [i.heatmapLow, i.heatmapHigh]) : null;
      if (style === "above" && above === null) return fail(reply, 409, "this inspection has no threshold or no stored heatmap range (inspected before they were kept)");
      if (notModified(req, reply, `"${i.id}-heatmap-${style}"`)) return reply;
      const data = await readStored(store, i.heatmapPath);
      if (!data) return fail(reply, 404, i.evidenceExpiredAt ? "this inspection's heatmap expired (retention)" : "this inspection has no heatmap");
      return reply.type("image/png").send(style === "gray" ? data : await colorizeHeatmap(data, above ?? undefined));
    });

    scope.get("/api/audit.csv", async (req, reply) => {
      const parsed = AuditCsvQuerySchema.safeParse(req.query ?? {});
      if (!parsed.success) {
        return fail(reply, 400, parsed.error.issues.map((i) => `${i.path.join(".") || "query"}: ${i.message}`).join("; "));
      }
      const { maxRows, ...filter } = parsed.data;
      const csv = await auditCsv(svc, filter, maxRows);
      const stamp = new Date().toISOString().replace(/[:.]/g, "-");
      return reply
        .type("text/csv; charset=utf-8")
        .header("Cache-Control", "no-store")
        .header("Content-Disposition", `attachment; filename="audit-${stamp}.csv"`)
        .send(csv);
    });
  });
}
