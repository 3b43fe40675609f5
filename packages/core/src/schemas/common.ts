// Shared zod contracts of the REST and tRPC layers (values stored as strings in the database, see prisma/).
import { z } from "zod";

/** Dataset label of a sample. */
export const LabelSchema = z.enum(["ok", "ng", "unlabeled"]);
export type Label = z.infer<typeof LabelSchema>;

/** The two labels the legacy /datasets API knows. */
export const BinaryLabelSchema = z.enum(["ok", "ng"]);
export type BinaryLabelValue = z.infer<typeof BinaryLabelSchema>;

/** Inference decision: "ng" iff score ≥ threshold. */
export const DecisionSchema = z.enum(["ok", "ng"]);
export type Decision = z.infer<typeof DecisionSchema>;

/** Decision rule shared by every layer (legacy: NG iff score ≥ threshold). */
export function decide(score: number, threshold: number): Decision {
  return score >= threshold ? "ng" : "ok";
}

/** Where a sample came from (Sample.source). */
export const SampleSourceSchema = z.enum(["legacy-upload", "dashboard", "infer-capture", "import"]);
export type SampleSource = z.infer<typeof SampleSourceSchema>;

/** Where an inspection came from (Inspection.source). */
export const InspectionSourceSchema = z.enum(["legacy-infer", "dashboard-test", "infer-dataset"]);
export type InspectionSource = z.infer<typeof InspectionSourceSchema>;

/**
 * The line: what the legacy client's `/infer` and `/predict` record, and what the line's reports (its promise, its
 * scores against the OK samples) read; the dashboard's test uploads and dataset runs are not the line.
 */
export const LINE_SOURCE = "legacy-infer" satisfies InspectionSource;

/** Review state of an inspection (Inspection.reviewStatus). */
export const ReviewStatusSchema = z.enum(["pending", "confirmed_ng", "false_positive", "relabelled_ok", "relabelled_ng"]);
export type ReviewStatus = z.infer<typeof ReviewStatusSchema>;

/** Lifecycle of a model version (ModelVersion.status). */
export const ModelVersionStatusSchema = z.enum(["building", "ready", "failed", "retired"]);
export type ModelVersionStatus = z.infer<typeof ModelVersionStatusSchema>;

/** How a threshold was chosen (Calibration.rule): the three legacy branches, or set by hand. */
export const CalibrationRuleSchema = z.enum(["p99_ok", "midpoint_p99ok_p5ng", "p99ok_x1.02", "manual"]);
export type CalibrationRule = z.infer<typeof CalibrationRuleSchema>;

/** Fraction of patch features kept in the memory bank: 0 < r ≤ 1 (1 = keep all, legacy memory_fit). */
export const CoresetRateSchema = z
  .number()
  .refine((r) => r > 0 && r <= 1, { message: "coreset rate must be > 0 and <= 1" });

/** Millimetres per pixel: finite and > 0 (legacy message). */
export const MmPerPxSchema = z.number().refine((v) => Number.isFinite(v) && v > 0, {
  message: "mm_per_px must be > 0 and finite",
});

/** A decision threshold in score units (distances): finite and ≥ 0. */
export const ThresholdSchema = z.number().refine((v) => Number.isFinite(v) && v >= 0, {
  message: "threshold must be finite and >= 0",
});

/** The legacy defaults (contract §1.3/§1.4), defined once: score percentile 99 (the image score's share of the ROI:
 * its top 1 %, anomaly/score.ts), islands under 1 mm² dropped, 0.2 mm/px when a request names none. */
export const DEFAULT_SCORE_PERCENTILE = 99;
export const DEFAULT_AREA_MM2_THR = 1.0;
export const DEFAULT_MM_PER_PX = 0.2;

/** Score percentile used for the image score and calibration: 0..100. */
export const ScorePercentileSchema = z.number().min(0).max(100);

/** Minimum defect area in mm² (legacy area_mm2_thr, default 1.0): finite and ≥ 0. */
export const AreaMm2ThrSchema = z.number().min(0);
