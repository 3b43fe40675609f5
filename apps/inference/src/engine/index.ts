// The engine's public API (the service layer records ModelVersion rows from what these return; no DB here).
export { loadBackbone, resolveBackbone, createSession, type Backbone, type LoadBackboneOptions } from "./backbone.ts";
export { preprocess, probeImage, decodeRgb, MAX_PIXELS, MAX_SIDE, type Preprocessed } from "./preprocess.ts";
export { withFeatureHead, featureLayout, FEATURES_OUTPUT } from "./features.ts";
export { makeIndex, nearestDistances, buildKnnModel, type KnnIndex } from "./knn.ts";
export { selectCoreset, project, randomProjectionMatrix, DEFAULT_CORESET_RATE, PROJECTION_DIM } from "./coreset.ts";
export {
  fitBank, scoreImage, scoreFeatures, extractImage, outOfSampleOkScores, backboneInfo, bankIndex, gridMap,
  DEFAULT_SCORE_PERCENTILE, DEFAULT_AREA_MM2_THR, DEFAULT_MM_PER_PX, BLUR_SIGMA,
  type FitOptions, type ScoreOptions, type ScoreResult, type ImageFeatures, type OutOfSampleResult, type Region,
} from "./pipeline.ts";
export {
  writeBank, loadBank, readBankMeta, checkBankCompatible, BankCache, BANK_FILE, META_FILE,
  type MemoryBank, type BankMeta, type BankBackboneInfo, type CoresetStats,
} from "./artifacts.ts";
export { npyFloat32, readNpyFloat32 } from "./npy.ts";
export * from "./errors.ts";
