// The one place that reads BDI_* environment variables (and the legacy names of the original deployment docs).
import { availableParallelism, hostname } from "node:os";
import path from "node:path";
import { z } from "zod";
import { DEFAULT_KNN_SEARCH, KNN_SEARCHES } from "./engine/knn-search.ts";
import { ROLES } from "@bdi/core/auth/roles";
import { readAuthSecretFile } from "./auth-secret.ts";

/** First defined value among the given env names (new name first, then legacy aliases). */
function envFirst(env: NodeJS.ProcessEnv, ...names: string[]): string | undefined {
  for (const name of names) {
    const v = env[name];
    if (v !== undefined && v.trim() !== "") return v.trim();
  }
  return undefined;
}

const DeviceSchema = z
  .string()
  .regex(/^(cpu|cuda(:\d+)?)$/, "BDI_DEVICE must be cpu, cuda or cuda:N");

/** An on/off setting: "1", "true", "yes", "on" (any case) are on, anything else off. */
export const boolish = z
  .string()
  .transform((s) => ["1", "true", "yes", "on"].includes(s.toLowerCase()));

export const ConfigSchema = z.object({
  dataRoot: z.string().min(1),
  port: z.coerce.number().int().min(0).max(65535),
  host: z.string().min(1),
  device: DeviceSchema,
  backbone: z.string().min(1),
  modelsDir: z.string().min(1),
  threads: z.coerce.number().int().min(0).max(256),
  inputSize: z.coerce.number().int().min(64).max(2048).optional(),
  /** BDI_FEATURE_L2: L2-normalise patch features (default: the manifest's choice, true); banks record it */
  featureL2: z.boolean().optional(),
  /** BDI_LOCAL_AVG: CNN feature neighbourhood k×k, odd (default: the manifest's, 1 for the bundled backbone); banks record it */
  localAvg: z.coerce.number().int().min(1).max(9).refine((k) => k % 2 === 1, "must be odd").optional(),
  /** BDI_KNN: 1-NN search, `int8` (default: int8 candidates re-ranked in fp32) or `exact` (fp32 over the whole bank) */
  knn: z.enum(KNN_SEARCHES),
  /** BDI_CORESET_RATE; unset = the backbone's manifest `coresetRate`, else 0.10 (see defaultCoresetRate) */
  coresetRate: z.coerce.number().gt(0).max(1).optional(),
  corsOrigins: z.array(z.string()),
  apiKey: z.string().optional(),
  /** BDI_AUTH_SECRET, else the file auth-secret under the data root: the key the dashboard signs identity tokens with */
  authSecret: z.string().min(32, "BDI_AUTH_SECRET must have at least 32 characters").optional(),
  /** BDI_OIDC_DEFAULT_ROLE: role of a user created at their first OpenID Connect sign-in; "none" = only pre-created users */
  oidcDefaultRole: z.enum([...ROLES, "none"]),
  maxUploadMb: z.coerce.number().positive().max(4096),
  migrateOnStart: z.boolean(),
  logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]),
  bankCacheMb: z.coerce.number().positive(),
  minOkSamples: z.coerce.number().int().min(1),
  /** BDI_TRAIN_DATASET_ONLY: reject /fit_ok with uploaded images (the original's default was on; ours is off). */
  trainDatasetOnly: z.boolean(),
  /** BDI_MAX_CALIBRATION_SCORES: longest ok_scores / ng_scores list /calibrate_ng accepts (413 above) */
  maxCalibrationScores: z.coerce.number().int().min(1),
  /** BDI_SCORING_WORKERS: scoring processes (/infer, dataset scoring); default from the core count */
  scoringWorkers: z.coerce.number().int().min(1).max(64),
  /** BDI_SHUTDOWN_GRACE_S: on SIGTERM, how long requests in flight may take to finish before the compute stops */
  shutdownGraceS: z.coerce.number().min(0).max(3600),
  /** BDI_EDGE (default on): a small edge process owns the port and answers /health polls; 0 = the app alone */
  edge: z.boolean(),
  /** BDI_MALLOC_HUGEPAGES (default on): compute processes back malloc's large blocks with huge pages (compute/malloc-tunables.ts) */
  mallocHugepages: z.boolean(),
  /** BDI_STORE: where images and model artifacts live; absent = the data root, `s3://bucket/prefix` = an S3-compatible store */
  store: z.string().regex(/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/, "BDI_STORE must be s3://bucket[/prefix] (or unset: the data root)").optional(),
  /** BDI_S3_ENDPOINT: the S3 server (MinIO, …); given = path-style requests. Absent = AWS's endpoint for the region */
  s3Endpoint: z.url({ message: "BDI_S3_ENDPOINT must be a URL such as http://minio:9000" }).optional(),
  /** BDI_S3_REGION (default us-east-1, also what MinIO expects) */
  s3Region: z.string().min(1),
  /** BDI_RETENTION_DAYS: inspection crops/heatmaps older than this are deleted (rows kept); absent = kept forever */
  retentionDays: z.coerce.number().positive().optional(),
  /** BDI_RETENTION_NG_DAYS: the same for NG or reviewed inspections (>= BDI_RETENTION_DAYS); absent = kept forever */
  retentionNgDays: z.coerce.number().positive().optional(),
  /** BDI_RETENTION_EVERY_MIN: how often the retention job runs (default 360) */
  retentionEveryMin: z.coerce.number().min(1).max(7 * 24 * 60),
  /** BDI_REPLICA_ID: this replica's name in /health and in every /metrics sample (default `<hostname>-<pid>`) */
  replicaId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, "BDI_REPLICA_ID: 1–128 letters, digits, . _ : -"),
  /** BDI_JOB_DEAD_AFTER_S (plant mode, default 30): a replica running a job that has not heart-beaten for this long is
   * taken for dead and its job is run again by another replica (heart-beat every fifth of it) */
  jobDeadAfterS: z.coerce.number().min(2).max(3600),
  /** BDI_JOB_WORKER (plant mode, default 1): 0 = this replica runs no fits/calibrations (it still queues and shows them) */
  jobWorker: z.boolean(),
  /** BDI_ALERT_WEBHOOK_URL: where the line watch POSTs a JSON message when a line's promise or scores change (services/
   * line-watch.ts); absent = the audit log and the dashboard only */
  alertWebhookUrl: z.url({ protocol: /^https?$/, message: "BDI_ALERT_WEBHOOK_URL must be an http(s) URL" }).optional(),
}).refine((c) => c.retentionNgDays === undefined || c.retentionDays === undefined || c.retentionNgDays >= c.retentionDays, {
  path: ["retentionNgDays"], message: "BDI_RETENTION_NG_DAYS must be at least BDI_RETENTION_DAYS (NG and reviewed crops are kept longer)",
});
export type Config = z.infer<typeof ConfigSchema>;

/**
 * Scoring processes by default: one per two cores, 1 to 4. Each gets its share of the cores as onnxruntime threads, so
 * more processes trade a lone client's latency for throughput under concurrent clients (README "Under load": on 2
 * cores 2 processes doubled the throughput of 8 clients but made one client's /infer 2.5× slower); the WPF client
 * sends one request at a time, so a small machine keeps one.
 */
function defaultScoringWorkers(): number {
  return Math.max(1, Math.min(4, Math.floor(availableParallelism() / 2)));
}

/** Builds the validated configuration; throws one readable error listing every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const dataRoot = path.resolve(envFirst(env, "BDI_DATA_ROOT", "BACKEND_DATA_ROOT") ?? "./data");
  const raw = {
    dataRoot,
    port: envFirst(env, "BDI_PORT", "PORT") ?? "8000",
    host: envFirst(env, "BDI_HOST") ?? "0.0.0.0",
    device: (envFirst(env, "BDI_DEVICE", "BACKEND_DEVICE") ?? "cpu").toLowerCase(),
    backbone: envFirst(env, "BDI_BACKBONE") ?? "auto",
    modelsDir: path.resolve(envFirst(env, "BDI_MODELS_DIR", "MODELS_DIR") ?? path.join(dataRoot, "backbones")),
    threads: envFirst(env, "BDI_THREADS") ?? "0",
    inputSize: envFirst(env, "BDI_INPUT_SIZE", "INPUT_SIZE"),
    featureL2: envFirst(env, "BDI_FEATURE_L2") === undefined ? undefined : boolish.parse(envFirst(env, "BDI_FEATURE_L2")),
    localAvg: envFirst(env, "BDI_LOCAL_AVG"),
    knn: (envFirst(env, "BDI_KNN") ?? DEFAULT_KNN_SEARCH).toLowerCase(),
    coresetRate: envFirst(env, "BDI_CORESET_RATE", "CORESET_RATE"),
    corsOrigins: (envFirst(env, "BDI_CORS_ORIGINS", "BACKEND_ALLOW_ORIGINS", "BRAKEDISC_CORS_ORIGINS") ?? "*")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
    apiKey: envFirst(env, "BDI_API_KEY", "BACKEND_API_KEY"),
    authSecret: envFirst(env, "BDI_AUTH_SECRET") ?? readAuthSecretFile(dataRoot),
    oidcDefaultRole: (envFirst(env, "BDI_OIDC_DEFAULT_ROLE") ?? "viewer").toLowerCase(),
    maxUploadMb: envFirst(env, "BDI_MAX_UPLOAD_MB") ?? "32",
    migrateOnStart: boolish.parse(envFirst(env, "BDI_MIGRATE_ON_START") ?? "1"),
    logLevel: envFirst(env, "BDI_LOG_LEVEL") ?? "info",
    bankCacheMb: envFirst(env, "BDI_BANK_CACHE_MB") ?? "1024",
    minOkSamples: envFirst(env, "BDI_MIN_OK_SAMPLES") ?? "10",
    trainDatasetOnly: boolish.parse(envFirst(env, "BDI_TRAIN_DATASET_ONLY") ?? "0"),
    edge: boolish.parse(envFirst(env, "BDI_EDGE") ?? "1"),
    mallocHugepages: boolish.parse(envFirst(env, "BDI_MALLOC_HUGEPAGES") ?? "1"),
    store: envFirst(env, "BDI_STORE"),
    s3Endpoint: envFirst(env, "BDI_S3_ENDPOINT"),
    s3Region: envFirst(env, "BDI_S3_REGION", "AWS_REGION") ?? "us-east-1",
    retentionDays: envFirst(env, "BDI_RETENTION_DAYS"),
    retentionNgDays: envFirst(env, "BDI_RETENTION_NG_DAYS"),
    retentionEveryMin: envFirst(env, "BDI_RETENTION_EVERY_MIN") ?? "360",
    maxCalibrationScores: envFirst(env, "BDI_MAX_CALIBRATION_SCORES") ?? "5000",
    scoringWorkers: envFirst(env, "BDI_SCORING_WORKERS") ?? String(defaultScoringWorkers()),
    shutdownGraceS: envFirst(env, "BDI_SHUTDOWN_GRACE_S") ?? "30",
    replicaId: envFirst(env, "BDI_REPLICA_ID") ?? `${hostname()}-${process.pid}`,
    alertWebhookUrl: envFirst(env, "BDI_ALERT_WEBHOOK_URL"),
    jobDeadAfterS: envFirst(env, "BDI_JOB_DEAD_AFTER_S") ?? "30",
    jobWorker: boolish.parse(envFirst(env, "BDI_JOB_WORKER") ?? "1"),
  };
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join("\n")}`);
  }
  return parsed.data;
}

export const SERVICE_VERSION = "0.1.0";
