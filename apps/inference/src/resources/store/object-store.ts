// The one storage interface of the service: sample images, inspection crops and heatmaps, model-version artifacts and
// the labelled-scores cache are objects under data-root-relative keys (`samples/…`, `inspections/…`, `models/…`,
// `cache/scores/…`, the same strings the database rows hold). Two implementations: the data root (default; the
// files exactly where they always were) and an S3-compatible bucket (BDI_STORE=s3://bucket/prefix), shared by every
// replica of a plant. Objects are written whole or not at all (tmp + rename; an S3 PUT is atomic).
import type { Config } from "../../config.ts";
import { LocalStore } from "./local.ts";
import { S3Store } from "./s3.ts";

export type StoredObject = { key: string; size: number; lastModified: Date };

export interface ObjectStore {
  readonly kind: "local" | "s3";
  /** where the objects are, for /health and logs: the data root's path or s3://bucket/prefix */
  readonly location: string;
  /** Writes the object atomically (readers see the old object or the whole new one, never a part). */
  put(key: string, data: Buffer | Uint8Array): Promise<void>;
  /** Uploads a local file (model banks: tens of MB, streamed) as the object `key`, atomically. */
  putFile(key: string, file: string): Promise<void>;
  /** The object's bytes; null when there is none. */
  get(key: string): Promise<Buffer | null>;
  /** Downloads the object to `file` (tmp + rename); false when there is none. */
  getToFile(key: string, file: string): Promise<boolean>;
  exists(key: string): Promise<boolean>;
  /** Deletes one object; absent is fine. */
  delete(key: string): Promise<void>;
  /** Deletes every object whose key starts with `prefix/` (a model version's folder); returns how many. */
  deletePrefix(prefix: string): Promise<number>;
  /** Every object under `prefix/`, in no promised order. */
  list(prefix: string): AsyncIterable<StoredObject>;
  /** Throws when the store cannot be reached or written (the data root) / read (the bucket): /health's check. */
  ping(): Promise<void>;
  /**
   * A local file with the object's bytes, for the engine's processes (which read files): the data root's file itself
   * (no copy: the default's scoring path is unchanged), or for a bucket a copy under <dataRoot>/cache/store, fetched
   * once (only for immutable objects: samples, inspection crops). null when the object does not exist.
   */
  localFile(key: string): Promise<string | null>;
}

/** The store the configuration names: BDI_STORE=s3://bucket/prefix, else the data root. */
export function createObjectStore(config: Pick<Config, "dataRoot" | "store" | "s3Endpoint" | "s3Region">): ObjectStore {
  if (!config.store) return new LocalStore(config.dataRoot);
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(config.store);
  if (!m) throw new Error(`BDI_STORE must be s3://bucket[/prefix], got ${config.store}`);
  return new S3Store({ bucket: m[1]!, prefix: m[2]!.replace(/\/+$/, ""), endpoint: config.s3Endpoint, region: config.s3Region, cacheRoot: config.dataRoot });
}
