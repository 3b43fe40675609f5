// An S3-compatible bucket as the object store (BDI_STORE=s3://bucket/prefix): MinIO on site or any S3, through the
// AWS SDK. Credentials come from the SDK's standard chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, profiles, …).
// With BDI_S3_ENDPOINT the requests are path-style (what MinIO and other S3 servers expect).
import { createReadStream, createWriteStream } from "node:fs";
import { stat } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import type { Readable } from "node:stream";
import {
  DeleteObjectCommand, DeleteObjectsCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand,
  S3Client, S3ServiceException,
} from "@aws-sdk/client-s3";
import type { ObjectStore, StoredObject } from "./object-store.ts";
import { atomicFile, checkKey } from "./files.ts";

export type S3StoreOptions = {
  bucket: string;
  /** key prefix inside the bucket ("" = the bucket's root) */
  prefix: string;
  endpoint?: string;
  region: string;
  /** the data root: immutable objects the engine reads as files are copied under <cacheRoot>/cache/store */
  cacheRoot: string;
};

const notFound = (err: unknown) =>
  err instanceof S3ServiceException && (err.name === "NoSuchKey" || err.name === "NotFound" || err.$metadata?.httpStatusCode === 404);

export class S3Store implements ObjectStore {
  readonly kind = "s3" as const;
  readonly location: string;
  readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly cacheDir: string;
  private readonly fetching = new Map<string, Promise<string | null>>();

  constructor(opts: S3StoreOptions) {
    this.bucket = opts.bucket;
    this.prefix = opts.prefix ? `${opts.prefix}/` : "";
    this.location = `s3://${opts.bucket}/${opts.prefix}`;
    this.cacheDir = path.join(opts.cacheRoot, "cache", "store");
    this.client = new S3Client({
      region: opts.region,
      ...(opts.endpoint ? { endpoint: opts.endpoint, forcePathStyle: true } : {}),
      // Checksums only where S3 requires them: the SDK's newer defaults are refused by some S3-compatible servers
      // (aws-sdk-js-v3 #6819).
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
  }

  private k(key: string): string {
    return this.prefix + checkKey(key);
  }

  async put(key: string, data: Buffer | Uint8Array): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.k(key), Body: data, ContentLength: data.byteLength }));
  }

  async putFile(key: string, file: string): Promise<void> {
    const { size } = await stat(file);
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.k(key), Body: createReadStream(file), ContentLength: size }));
  }

  async get(key: string): Promise<Buffer | null> {
    try {
      const r = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.k(key) }));
      return Buffer.from(await r.Body!.transformToByteArray());
    } catch (err) {
      if (notFound(err)) return null;
      throw err;
    }
  }

  async getToFile(key: string, file: string): Promise<boolean> {
    let body: Readable;
    try {
      body = (await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.k(key) }))).Body as Readable;
    } catch (err) {
      if (notFound(err)) return false;
      throw err;
    }
    await atomicFile(file, (tmp) => pipeline(body, createWriteStream(tmp)));
    return true;
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.k(key) }));
      return true;
    } catch (err) {
      if (notFound(err)) return false;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.k(key) }));
  }

  async deletePrefix(prefix: string): Promise<number> {
    let batch: string[] = [];
    let n = 0;
    const flush = async () => {
      if (!batch.length) return;
      const r = await this.client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }));
      if (r.Errors?.length) throw new Error(`could not delete ${r.Errors.length} object(s) under ${prefix}: ${r.Errors[0]!.Message ?? r.Errors[0]!.Code}`);
      n += batch.length;
      batch = [];
    };
    for await (const o of this.list(prefix)) {
      batch.push(this.k(o.key));
      if (batch.length === 1000) await flush(); // S3's limit per DeleteObjects
    }
    await flush();
    return n;
  }

  async *list(prefix: string): AsyncIterable<StoredObject> {
    let token: string | undefined;
    do {
      const r = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: `${this.k(prefix)}/`, ContinuationToken: token }));
      for (const o of r.Contents ?? []) {
        if (o.Key) yield { key: o.Key.slice(this.prefix.length), size: o.Size ?? 0, lastModified: o.LastModified ?? new Date(0) };
      }
      token = r.IsTruncated ? r.NextContinuationToken : undefined;
    } while (token);
  }

  async ping(): Promise<void> {
    await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
  }

  async localFile(key: string): Promise<string | null> {
    const file = path.join(this.cacheDir, ...checkKey(key).split("/"));
    if (await stat(file).then((s) => s.isFile(), () => false)) return file;
    // One download per object at a time, however many requests want it.
    let p = this.fetching.get(key);
    if (!p) {
      p = this.getToFile(key, file).then((ok) => (ok ? file : null)).finally(() => this.fetching.delete(key));
      this.fetching.set(key, p);
    }
    return p;
  }
}
