// The messages between the service and its compute processes (pool.ts ↔ worker.ts). Results are the engine's own
// types (a bank's summary, the out-of-sample result, a score result), so a field the engine adds flows through.
import type { BankLayout, CropKind, InputMode, MapBaseline, RoiShape, ScoreRule } from "@bdi/core";
import type { Config } from "../config.ts";
import type { MemoryBank } from "../engine/artifacts.ts";
import type { ScoreOptions, ScoreResult } from "../engine/pipeline.ts";
import type { OutOfSampleResult } from "../engine/fit.ts";

/** Fit a bank from OK crops (files under the data root), write it to `outDir`, self-calibrate when `selfCalibrate`. */
export type FitRequest = {
  op: "fit";
  backboneSha256: string;
  okPaths: string[];
  coresetRate: number;
  outDir: string;
  extra?: Record<string, unknown>;
  selfCalibrate: boolean;
  folds: number;
  percentile: number;
  ngPaths: string[];
  /** each NG sample's stored ROI shape (JSON text, as stored), null = whole crop */
  ngShapes: Array<string | RoiShape | null>;
};
/** The written bank without its vectors, the k-fold result (null when not self-calibrated) and the NG samples' scores. */
export type FitResponse = { bank: Omit<MemoryBank, "vectors" | "norm" | "cells" | "channelWeights">; oos: OutOfSampleResult | null; ngScores: number[]; grid: number };

/** Out-of-sample scores of OK crops (k-fold, one coreset pass). */
export type OosRequest = {
  op: "oos"; backboneSha256: string; paths: string[]; coresetRate: number; folds: number; percentile: number;
  /** z-scores (the version being calibrated has a per-position normalisation) or raw distances (an older version) */
  normalise: boolean;
  /** the version's image-score rule */
  scoreRule: ScoreRule;
  /** how the version's crops fill the backbone input */
  input: InputMode;
  /** the version's memory layout (scores of another layout would not be in its units) */
  layout: BankLayout;
  /** what the version's crops are (@bdi/core cropKindOf; likewise: its scale floor follows it); null: not known */
  cropKind: CropKind | null;
  /** the version's map baseline (likewise) */
  baseline: MapBaseline;
  /** the version's channel weights (likewise; null: none) */
  channelWeights: number[] | null;
  /** the version's brightness reference level (likewise; null: crops as decoded) */
  brightness: number | null;
};
export type OosResponse = OutOfSampleResult;

/** Score one image against a model version's bank (image bytes, or a file path under the data root). */
export type ScoreRequest = {
  op: "score";
  backboneSha256: string;
  bankDir: string;
  image?: Uint8Array;
  imagePath?: string;
  /** the compute process adds its configured 1-NN search and never returns the full map */
  opts: Omit<ScoreOptions, "includeMap" | "knn">;
};
/** A score result without the full-resolution map; the heatmap PNG crosses the IPC channel as bytes. */
export type ScoreResponse = Omit<ScoreResult, "map" | "heatmapPng"> & { heatmapPng?: Uint8Array };

/** Start the process and load its backbone now. */
type WarmRequest = { op: "warm" };
/** Load a model version's bank and build its search index now, so the first /infer after an activation is not slower. */
type PrepareRequest = { op: "prepare"; backboneSha256: string; bankDir: string };
export type ComputeRequest = FitRequest | OosRequest | ScoreRequest | WarmRequest | PrepareRequest;

export type ComputeResponse =
  | { id: number; type: "progress"; p: number; stage: string; message?: string }
  | { id: number; type: "done"; result: unknown }
  | { id: number; type: "error"; error: { name: string; message: string; code?: string; details?: Record<string, unknown> } };

/** What the child reads from BDI_COMPUTE_INIT at start. */
export type ComputeInit = { config: Config; nice: number; name: string };
