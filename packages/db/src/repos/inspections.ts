// Inspections: inference results kept for review. Creating one appends an `inspection.create` audit event when
// an actor is given (every inference is traceable in the audit log); a review is a user action and always is.
import type { Inspection } from "../generated/prisma/client.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import {
  assertOneOf, DECISIONS, INSPECTION_SOURCES, REVIEW_STATUSES, type Decision, type InspectionSource, type ReviewStatus,
} from "../enums.ts";
import { appendAudit } from "./audit.ts";
import { dateRange, inTx, pageLimit, pageQuery, toJson, toPage, type AuditCtx, type Page, type PageArgs, type Queryable } from "./common.ts";

export interface CreateInspectionInput {
  roiId: string;
  modelVersionId?: string | null;
  calibrationId?: string | null;
  imageSha256: string;
  /** relative to the data root; null when the image was not kept */
  imagePath?: string | null;
  width: number;
  height: number;
  mmPerPx?: number | null;
  score: number;
  threshold?: number | null;
  decision: Decision;
  regions?: unknown;
  heatmapPath?: string | null;
  /** the anomaly values the grayscale heatmap's 0 and 255 stand for */
  heatmapRange?: [number, number] | null;
  timings?: unknown;
  requestId?: string | null;
  source: InspectionSource;
}

export async function createInspection(db: Queryable, input: CreateInspectionInput, ctx?: AuditCtx): Promise<Inspection> {
  assertOneOf("decision", DECISIONS, input.decision);
  assertOneOf("source", INSPECTION_SOURCES, input.source);
  if (!Number.isFinite(input.score)) throw new ValidationError("score must be a finite number");
  if (!ctx) return insertInspection(db, input);
  return inTx(db, async (tx) => {
    const inspection = await insertInspection(tx, input);
    // The audit row stays small: the full result (regions, timings) is on the inspection itself.
    const after = {
      roiId: inspection.roiId, modelVersionId: inspection.modelVersionId, calibrationId: inspection.calibrationId,
      score: inspection.score, threshold: inspection.threshold, decision: inspection.decision, source: inspection.source,
    };
    await appendAudit(tx, { action: "inspection.create", entityType: "Inspection", entityId: inspection.id, after }, ctx);
    return inspection;
  });
}

function insertInspection(db: Queryable, input: CreateInspectionInput): Promise<Inspection> {
  return db.inspection.create({
    data: {
      roiId: input.roiId,
      modelVersionId: input.modelVersionId ?? null,
      calibrationId: input.calibrationId ?? null,
      imageSha256: input.imageSha256,
      imagePath: input.imagePath ?? null,
      width: input.width,
      height: input.height,
      mmPerPx: input.mmPerPx ?? null,
      score: input.score,
      threshold: input.threshold ?? null,
      decision: input.decision,
      regionsJson: toJson(input.regions) ?? null,
      heatmapPath: input.heatmapPath ?? null,
      heatmapLow: input.heatmapRange?.[0] ?? null,
      heatmapHigh: input.heatmapRange?.[1] ?? null,
      timingsJson: toJson(input.timings) ?? null,
      requestId: input.requestId ?? null,
      source: input.source,
    },
  });
}

export async function findInspection(db: Queryable, id: string): Promise<Inspection | null> {
  return db.inspection.findUnique({ where: { id } });
}

export async function getInspection(db: Queryable, id: string): Promise<Inspection> {
  const i = await findInspection(db, id);
  if (!i) throw new NotFoundError("Inspection", id);
  return i;
}

export interface InspectionFilter {
  roiId?: string;
  recipeId?: string;
  decision?: Decision;
  reviewStatus?: ReviewStatus;
  source?: InspectionSource;
  /** score ≥ minScore */
  minScore?: number;
  /** score ≤ maxScore */
  maxScore?: number;
  from?: Date | null;
  to?: Date | null;
  /** default "newest"; "uncertain": nearest to the threshold first */
  order?: "newest" | "uncertain";
}

/** How many of the newest matching inspections the "uncertain first" order ranks (it sorts in memory). */
export const UNCERTAIN_ORDER_WINDOW = 2000;

/**
 * Newest first, cursor-paginated. `order: "uncertain"`: nearest to their threshold first (|score − threshold| /
 * threshold, inspections without a threshold last), among the newest UNCERTAIN_ORDER_WINDOW that match — what a
 * reviewer should look at first; the cursor is still the last item's id.
 */
export async function listInspections(db: Queryable, filter: InspectionFilter & PageArgs = {}): Promise<Page<Inspection>> {
  const score =
    filter.minScore === undefined && filter.maxScore === undefined
      ? undefined
      : { ...(filter.minScore !== undefined ? { gte: filter.minScore } : {}), ...(filter.maxScore !== undefined ? { lte: filter.maxScore } : {}) };
  const where = {
    roiId: filter.roiId,
    roi: filter.recipeId ? { recipeId: filter.recipeId } : undefined,
    decision: filter.decision,
    reviewStatus: filter.reviewStatus,
    source: filter.source,
    score,
    createdAt: dateRange(filter.from, filter.to),
  };
  const orderBy = [{ createdAt: "desc" as const }, { id: "desc" as const }];
  if (filter.order === "uncertain") {
    const all = await db.inspection.findMany({ where, orderBy, take: UNCERTAIN_ORDER_WINDOW });
    const distance = (i: Inspection) => (i.threshold != null && i.threshold > 0 ? Math.abs(i.score - i.threshold) / i.threshold : Infinity);
    const ranked = all.map((i, n) => ({ i, n, d: distance(i) })).sort((a, b) => a.d - b.d || a.n - b.n).map((x) => x.i);
    const start = filter.cursor ? ranked.findIndex((i) => i.id === filter.cursor) + 1 : 0;
    return toPage(ranked.slice(start, start + pageLimit(filter.limit) + 1), filter);
  }
  const rows = await db.inspection.findMany({ where, orderBy, ...pageQuery(filter) });
  return toPage(rows, filter);
}

/** Records a reviewer's verdict (reviewer = ctx.actor). Setting "pending" clears the review. */
export async function reviewInspection(
  db: Queryable,
  input: { id: string; reviewStatus: ReviewStatus; note?: string | null },
  ctx: AuditCtx,
): Promise<Inspection> {
  assertOneOf("review status", REVIEW_STATUSES, input.reviewStatus);
  return inTx(db, async (tx) => {
    const before = await tx.inspection.findUnique({ where: { id: input.id } });
    if (!before) throw new NotFoundError("Inspection", input.id);
    const pending = input.reviewStatus === "pending";
    const after = await tx.inspection.update({
      where: { id: input.id },
      data: {
        reviewStatus: input.reviewStatus,
        reviewNote: input.note === undefined ? before.reviewNote : input.note,
        reviewer: pending ? null : ctx.actor,
        reviewedAt: pending ? null : new Date(),
      },
    });
    const pick = (i: Inspection) => ({ reviewStatus: i.reviewStatus, reviewNote: i.reviewNote, reviewer: i.reviewer, reviewedAt: i.reviewedAt });
    await appendAudit(
      tx,
      { action: "inspection.review", entityType: "Inspection", entityId: input.id, before: pick(before), after: pick(after) },
      ctx,
    );
    return after;
  });
}

/** Inspections since an instant, counted per ROI and decision. */
export async function countInspectionsByRoiAndDecision(
  db: Queryable,
  filter: { since: Date },
): Promise<Array<{ roiId: string; decision: string; count: number }>> {
  const rows = await db.inspection.groupBy({ by: ["roiId", "decision"], where: { createdAt: { gte: filter.since } }, _count: { _all: true } });
  return rows.map((r) => ({ roiId: r.roiId, decision: r.decision, count: r._count._all }));
}

/** A ROI's latest inspections, newest first. */
export async function listLatestInspections(db: Queryable, filter: { roiId: string; take: number }): Promise<Inspection[]> {
  return db.inspection.findMany({ where: { roiId: filter.roiId }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: filter.take });
}

/** The crop and heatmap files of every inspection row (start-up recovery: files no row owns). */
export async function listInspectionFilePaths(db: Queryable): Promise<Set<string>> {
  const rows = await db.inspection.findMany({ select: { imagePath: true, heatmapPath: true } });
  const out = new Set<string>();
  for (const r of rows) {
    if (r.imagePath) out.add(r.imagePath);
    if (r.heatmapPath) out.add(r.heatmapPath);
  }
  return out;
}
