// Plain-JSON views of database rows for the dashboard (no transformer on the wire: dates are ISO strings,
// JSON columns parsed, file paths never exposed; images are fetched from the /api routes named here).
import { parseJson } from "@bdi/core/json";
import { cropKindOf, type BankLayout } from "@bdi/core";
import type { AuditEvent, Calibration, Inspection, LineWatchRecord, ModelVersion, Roi, Sample } from "@bdi/db";
import type { Region } from "@bdi/core/schemas/region";
import type { NgRegion } from "@bdi/core/dashboard/samples";
import type { JobSnapshot } from "../resources/jobs.ts";
import type { LineScoreShift } from "../services/reports.ts";
import { calibrationScores, promisesOf } from "../services/calibrate.ts";

const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

export const sampleImageUrl = (id: string) => `/api/samples/${id}/image`;
export const sampleThumbUrl = (id: string) => `/api/samples/${id}/thumb`;
export const inspectionImageUrl = (id: string) => `/api/inspections/${id}/image`;
export const inspectionHeatmapUrl = (id: string) => `/api/inspections/${id}/heatmap`;

export function sampleDto(s: Sample) {
  return {
    id: s.id,
    roiId: s.roiId,
    label: s.label as "ok" | "ng" | "unlabeled",
    source: s.source,
    fileName: s.fileName,
    originalFileName: s.originalFileName,
    sha256: s.sha256,
    width: s.width,
    height: s.height,
    mmPerPx: s.mmPerPx,
    note: s.note,
    ngRegions: parseJson<NgRegion[]>(s.ngRegionsJson),
    inspectionId: s.inspectionId,
    createdAt: s.createdAt.toISOString(),
    deletedAt: iso(s.deletedAt),
    imageUrl: sampleImageUrl(s.id),
    thumbUrl: sampleThumbUrl(s.id),
  };
}
type SampleDto = ReturnType<typeof sampleDto>;

export function modelVersionDto(v: ModelVersion & { _count?: { samples: number; calibrations: number } }, activeId?: string | null) {
  return {
    id: v.id,
    roiId: v.roiId,
    versionNumber: v.versionNumber,
    status: v.status as "building" | "ready" | "failed" | "retired",
    active: activeId !== undefined ? activeId === v.id : undefined,
    backboneId: v.backboneId,
    backboneSha256: v.backboneSha256,
    inputSize: v.inputSize,
    featureLayers: parseJson<string[]>(v.featureLayers) ?? [],
    coresetRateRequested: v.coresetRateRequested,
    coresetRateApplied: v.coresetRateApplied,
    nEmbeddings: v.nEmbeddings,
    coresetSize: v.coresetSize,
    /** null: fitted before the layout existed (global) */
    memoryLayout: v.memoryLayout as "global" | "positional" | null,
    registrationShare: v.registrationShare,
    /** what the crops are (the probe's call; a registered ROI too large for the positional memory keeps a global one) */
    cropKind: cropKindOf({ layout: (v.memoryLayout ?? undefined) as BankLayout | undefined, registrationShare: v.registrationShare }) ?? null,
    tokenShape: parseJson<number[]>(v.tokenShapeJson),
    timings: parseJson<Record<string, number>>(v.timingsJson),
    createdAt: v.createdAt.toISOString(),
    activatedAt: iso(v.activatedAt),
    retiredAt: iso(v.retiredAt),
    parentVersionId: v.parentVersionId,
    actor: v.actor,
    error: v.error,
    nSamples: v._count?.samples,
    nCalibrations: v._count?.calibrations,
  };
}
type ModelVersionDto = ReturnType<typeof modelVersionDto>;

export function calibrationDto(c: Calibration) {
  const scores = calibrationScores(c);
  const { ok, ng } = scores;
  const promises = promisesOf(c, scores);
  return {
    id: c.id,
    modelVersionId: c.modelVersionId,
    roiId: c.roiId,
    threshold: c.threshold,
    rule: c.rule,
    scorePercentile: c.scorePercentile,
    areaMm2Thr: c.areaMm2Thr,
    mmPerPx: c.mmPerPx,
    nOk: ok.length,
    nNg: ng?.length ?? 0,
    okStats: parseJson<Record<string, number>>(c.okStatsJson),
    ngStats: parseJson<Record<string, number>>(c.ngStatsJson),
    outOfSample: c.outOfSample,
    expectedFalseRejectRate: promises.falseRejectRate,
    expectedMissRate: promises.missRate,
    active: c.active,
    createdAt: c.createdAt.toISOString(),
    actor: c.actor,
    reason: c.reason,
  };
}
type CalibrationDto = ReturnType<typeof calibrationDto>;

export function inspectionDto(i: Inspection) {
  const regions = parseJson<Region[]>(i.regionsJson) ?? [];
  return {
    id: i.id,
    roiId: i.roiId,
    modelVersionId: i.modelVersionId,
    calibrationId: i.calibrationId,
    imageSha256: i.imageSha256,
    width: i.width,
    height: i.height,
    mmPerPx: i.mmPerPx,
    score: i.score,
    threshold: i.threshold,
    decision: i.decision as "ok" | "ng",
    nRegions: regions.length,
    maxRegionAreaMm2: regions.reduce((m, r) => Math.max(m, r.area_mm2 ?? 0), 0),
    source: i.source,
    reviewStatus: i.reviewStatus as "pending" | "confirmed_ng" | "false_positive" | "relabelled_ok" | "relabelled_ng",
    reviewNote: i.reviewNote,
    reviewer: i.reviewer,
    reviewedAt: iso(i.reviewedAt),
    requestId: i.requestId,
    createdAt: i.createdAt.toISOString(),
    imageUrl: i.imagePath ? inspectionImageUrl(i.id) : null,
    heatmapUrl: i.heatmapPath ? inspectionHeatmapUrl(i.id) : null,
    /** when the retention job deleted the crop and heatmap (imageUrl / heatmapUrl then null); null = not expired */
    evidenceExpiredAt: iso(i.evidenceExpiredAt),
    /** the score values the heatmap's colour scale runs between (null: inspected before they were kept) */
    heatmapRange: i.heatmapPath && i.heatmapLow != null && i.heatmapHigh != null ? ([i.heatmapLow, i.heatmapHigh] as [number, number]) : null,
  };
}
type InspectionDto = ReturnType<typeof inspectionDto>;

/** Regions of an inspection in crop pixels (bbox [x,y,w,h], contour, area px/mm², peak/mean anomaly). */
export function inspectionRegions(i: Inspection): Region[] {
  return parseJson<Region[]>(i.regionsJson) ?? [];
}

export function auditDto(e: AuditEvent) {
  return {
    id: e.id,
    at: e.at.toISOString(),
    actor: e.actor,
    action: e.action,
    entityType: e.entityType,
    entityId: e.entityId,
    requestId: e.requestId,
    reason: e.reason,
    before: parseJson<unknown>(e.beforeJson),
    after: parseJson<unknown>(e.afterJson),
  };
}

export function roiBrief(roi: Roi) {
  return {
    id: roi.id,
    recipeId: roi.recipeId,
    roleId: roi.roleId,
    /** the legacy roi_id (name inside the role) */
    roiName: roi.roiId,
    modelKey: roi.modelKey,
    mmPerPx: roi.mmPerPx,
    shape: parseJson<unknown>(roi.shapeJson),
    activeModelVersionId: roi.activeModelVersionId,
    activeCalibrationId: roi.activeCalibrationId,
  };
}

/** A job snapshot for the dashboard; a finished fit carries the new version's essentials. */
export function jobDto(j: JobSnapshot) {
  const r = j.result as
    | { version?: ModelVersion; calibration?: Calibration | null; coresetSize?: number; nEmbeddings?: number; durationMs?: number; calibrationSkippedReason?: string }
    | undefined;
  return {
    id: j.id,
    kind: j.kind,
    roiId: j.roiKey,
    status: j.status,
    progress: j.progress,
    stage: j.stage,
    message: j.message ?? null,
    actor: j.actor,
    requestId: j.requestId ?? null,
    createdAt: new Date(j.createdAt).toISOString(),
    startedAt: j.startedAt ? new Date(j.startedAt).toISOString() : null,
    finishedAt: j.finishedAt ? new Date(j.finishedAt).toISOString() : null,
    error: j.error ?? null,
    /** who cancelled the job (then status "failed", stage "cancelled") */
    cancelledBy: j.cancelledBy ?? null,
    /** plant mode: the replica that runs (ran) it, and which run (a dead replica's job runs again); null/1 in process */
    replicaId: j.replicaId ?? null,
    attempt: j.attempt ?? 1,
    result:
      j.status === "succeeded" && r?.version
        ? {
            modelVersionId: r.version.id,
            versionNumber: r.version.versionNumber,
            coresetSize: r.coresetSize ?? null,
            nEmbeddings: r.nEmbeddings ?? null,
            calibrationId: r.calibration?.id ?? null,
            threshold: r.calibration?.threshold ?? null,
            calibrationSkippedReason: r.calibrationSkippedReason ?? null,
            durationMs: r.durationMs != null ? Math.round(r.durationMs) : null,
          }
        : null,
  };
}
export type JobDto = ReturnType<typeof jobDto>;

/** A line's score shift with its dates as ISO strings (reports.line, reports.shift). */
export function lineScoreShiftDto(s: LineScoreShift) {
  return s.available ? { ...s, from: iso(s.from), to: iso(s.to) } : s;
}

/** The line watch's last decided verdicts with their times as ISO strings (reports.line). */
export function lineWatchDto(w: LineWatchRecord) {
  return { ...w, promiseSince: iso(w.promiseSince), shiftSince: iso(w.shiftSince) };
}
