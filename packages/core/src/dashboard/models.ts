// Fit, jobs, calibration and model-version inputs.
import { z } from "zod";
import { AreaMm2ThrSchema, CoresetRateSchema, IdSchema, MmPerPxSchema, ReasonSchema, ThresholdSchema } from "./common.ts";

export const FitStartInputSchema = z.object({
  roiId: IdSchema,
  /** fraction of patch features kept in the memory bank, (0, 1]; default: the service's BDI_CORESET_RATE */
  coresetRate: CoresetRateSchema.optional(),
  /** percentile of the anomaly map used as image score (default 99, the legacy rule) */
  scorePercentile: z.number().min(50).max(100).optional(),
  /** islands smaller than this are dropped from the regions (default 1 mm²) */
  areaMm2Thr: AreaMm2ThrSchema.optional(),
  mmPerPx: MmPerPxSchema.optional(),
});

export const JobProgressInputSchema = z.object({ jobId: z.string().uuid("jobId must be a job id (uuid)") });

/** `fit.cancel`: the running (or queued) fit to stop; the reason is optional and goes to the audit log. */
export const FitCancelInputSchema = JobProgressInputSchema.extend({ reason: ReasonSchema.optional() });

export const JobListInputSchema = z
  .object({
    roiId: IdSchema.optional(),
    status: z.enum(["queued", "running", "succeeded", "failed"]).optional(),
  })
  .default({});

export const CalibrationDataInputSchema = z
  .object({
    /** the version to look at; default: the ROI's active version */
    modelVersionId: IdSchema.optional(),
    roiId: IdSchema.optional(),
  })
  .refine((v) => v.modelVersionId || v.roiId, { message: "give modelVersionId or roiId", path: ["modelVersionId"] });

export const CalibrationRescoreInputSchema = z.object({
  modelVersionId: IdSchema,
  threshold: ThresholdSchema,
  /** ROC points returned at most (evenly thinned; the first and last kept) */
  maxRocPoints: z.number().int().min(2).max(5000).default(400),
});

export const CalibrationSaveInputSchema = z.object({
  modelVersionId: IdSchema,
  threshold: ThresholdSchema.refine((t) => t > 0, "threshold must be > 0"),
  reason: ReasonSchema,
  areaMm2Thr: AreaMm2ThrSchema.optional(),
});

export const ModelListInputSchema = z.object({ roiId: IdSchema });
export const ModelActivateInputSchema = z.object({ id: IdSchema, reason: ReasonSchema });
export const ModelCalibrationsInputSchema = z.object({ modelVersionId: IdSchema });
export const ModelCompareInputSchema = z
  .object({ a: IdSchema, b: IdSchema })
  .refine((v) => v.a !== v.b, { message: "pick two different versions", path: ["b"] });
