// @bdi/core: pure domain code (no I/O). Zod contracts, PatchCore math, calibration, metrics, ROI geometry.

export * from "./errors.ts";
export * from "./json.ts";

export * from "./math/random.ts";
export * from "./math/round.ts";
export * from "./math/percentile.ts";
export * from "./math/resize.ts";
export * from "./math/blur.ts";
export * from "./math/sort.ts";
export * from "./math/hash.ts";
export * from "./math/spread.ts";

export * from "./geometry/letterbox.ts";
export * from "./geometry/shape.ts";
export * from "./geometry/components.ts";

export * from "./anomaly/score.ts";
export * from "./anomaly/baseline.ts";
export * from "./anomaly/channel-weights.ts";
export * from "./anomaly/brightness.ts";
export * from "./anomaly/position-norm.ts";
export * from "./anomaly/heatmap.ts";
export * from "./anomaly/contours.ts";
export * from "./anomaly/regions.ts";

export * from "./calibration/legacyRule.ts";
export * from "./calibration/rates.ts";
export * from "./calibration/line-promise.ts";
export * from "./calibration/score-shift.ts";
export * from "./calibration/line-watch.ts";

export * from "./metrics/auroc.ts";
export * from "./metrics/aupro.ts";
export * from "./metrics/operating-point.ts";

export * from "./coreset/distance.ts";
export * from "./coreset/kcenter.ts";
export * from "./coreset/cap.ts";
export * from "./coreset/layout.ts";

export * from "./schemas/common.ts";
export * from "./schemas/ids.ts";
export * from "./schemas/shape.ts";
export * from "./schemas/region.ts";
