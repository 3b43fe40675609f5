// Model-version artifacts (bank.f32, norm.f32, cells.u32, meta.json under models/<recipe>/<role>__<roi>/v<NNNN>-<id>) in the
// object store, and the local folders the engine's processes read them from.
//   - Data root (default): the version's folder is the store's own; the engine writes it in place (tmp folder +
//     rename) and reads it there. Nothing is copied.
//   - Bucket: the fitting replica's engine writes the folder under <dataRoot>/cache/versions/<id>; `publish` records
//     the data files' SHA-256 in meta.json, uploads the data files and then meta.json. The version is visible only once
//     its database row says ready (written after `publish` returns), so no replica ever sees half a version; objects of
//     a version whose row never became ready are removed (`discard`, start-up recovery). Another replica fetches the
//     version once: meta.json, then each data file into <dataRoot>/cache/blobs/<sha256> (keyed by content: a bank
//     already there is not fetched again), hard-linked into its own cache/versions/<id> folder.
import { createHash } from "node:crypto";
import { createReadStream, existsSync } from "node:fs";
import { link, mkdir, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { artifactDataFiles, META_FILE, readBankMeta, type BankMeta } from "../../engine/artifacts.ts";
import { resolveInRoot } from "../storage.ts";
import type { ObjectStore } from "./object-store.ts";
import { atomicFile } from "./files.ts";

/** What `publish` adds to meta.json: the SHA-256 of each data file, the key of the replicas' local copies. */
type ContentHashes = Record<string, string>;

export async function fileSha256(file: string): Promise<string> {
  const h = createHash("sha256");
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest("hex");
}

export class VersionArtifacts {
  private readonly local = new Map<string, Promise<string>>();
  /** data files fetched from the store by this process (each content hash once) */
  downloads = 0;

  constructor(readonly store: ObjectStore, readonly dataRoot: string) {}

  private cacheDir(versionId: string): string {
    return path.join(this.dataRoot, "cache", "versions", versionId);
  }

  /** Where the engine writes a new version's folder (it must not exist yet). */
  stagingDir(rel: string, versionId: string): string {
    return this.store.kind === "local" ? resolveInRoot(this.dataRoot, rel) : this.cacheDir(versionId);
  }

  /** Makes a written version folder available to every replica (before its row is marked ready). */
  async publish(rel: string, dir: string): Promise<void> {
    if (this.store.kind === "local") return;
    const meta = readBankMeta(dir) as ReturnType<typeof readBankMeta> & { contentSha256?: ContentHashes };
    const files = artifactDataFiles(meta);
    const hashes: ContentHashes = {};
    for (const f of files) {
      hashes[f] = await fileSha256(path.join(dir, f));
      await this.keepBlob(path.join(dir, f), hashes[f]!);
    }
    const text = JSON.stringify({ ...meta, contentSha256: hashes }, null, 2) + "\n";
    await atomicFile(path.join(dir, META_FILE), (tmp) => writeFile(tmp, text));
    for (const f of files) await this.store.putFile(`${rel}/${f}`, path.join(dir, f));
    await this.store.put(`${rel}/${META_FILE}`, Buffer.from(text)); // last: a version folder without it is incomplete
  }

  /** Removes what a version that never became ready left (its objects and this replica's local folder). */
  async discard(rel: string, versionId: string): Promise<void> {
    await this.store.deletePrefix(rel);
    if (this.store.kind !== "local") await rm(this.cacheDir(versionId), { recursive: true, force: true });
  }

  /**
   * The local folder of a ready version's artifact, for the engine's processes: the data root's folder itself, or
   * (bucket) this replica's copy, fetched on first use. Throws when the store has no complete artifact for it.
   */
  localDir(rel: string, versionId: string): Promise<string> {
    if (this.store.kind === "local") return Promise.resolve(resolveInRoot(this.dataRoot, rel));
    let p = this.local.get(versionId);
    if (!p) {
      p = this.fetch(rel, versionId);
      this.local.set(versionId, p);
      p.catch(() => this.local.delete(versionId)); // a failed fetch is retried by the next caller
    }
    return p;
  }

  private blobPath(sha: string): string {
    return path.join(this.dataRoot, "cache", "blobs", sha);
  }

  /** Keeps a data file in the content-addressed cache (a hard link: no copy). */
  private async keepBlob(file: string, sha: string): Promise<void> {
    const blob = this.blobPath(sha);
    if (existsSync(blob)) return;
    await mkdir(path.dirname(blob), { recursive: true });
    await link(file, blob).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== "EEXIST") throw err;
    });
  }

  private async fetch(rel: string, versionId: string): Promise<string> {
    const dir = this.cacheDir(versionId);
    if (existsSync(path.join(dir, META_FILE))) return dir;
    const text = await this.store.get(`${rel}/${META_FILE}`);
    if (!text) throw new Error(`model version ${rel}: ${META_FILE} missing from the store`);
    const meta = JSON.parse(text.toString("utf8")) as Pick<BankMeta, "file" | "norm" | "cells"> & { contentSha256?: ContentHashes };
    const files = artifactDataFiles(meta);
    const tmp = `${dir}.tmp-${process.pid}-${Math.random().toString(16).slice(2, 10)}`;
    await mkdir(tmp, { recursive: true });
    try {
      for (const f of files) {
        const sha = meta.contentSha256?.[f];
        if (sha) await link(await this.blob(`${rel}/${f}`, sha), path.join(tmp, f));
        else if (!(await this.store.getToFile(`${rel}/${f}`, path.join(tmp, f)))) throw new Error(`model version ${rel}: ${f} missing from the store`);
      }
      await writeFile(path.join(tmp, META_FILE), text);
      await rename(tmp, dir).catch(async (err: NodeJS.ErrnoException) => {
        if (!existsSync(path.join(dir, META_FILE))) throw err; // another process of this data root made it first: fine
        await rm(tmp, { recursive: true, force: true });
      });
      return dir;
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      throw err;
    }
  }

  /** The content-addressed local copy of a data file, fetched (and its hash checked) when not there yet. */
  private async blob(key: string, sha: string): Promise<string> {
    const blob = this.blobPath(sha);
    if (existsSync(blob)) return blob;
    await atomicFile(blob, async (tmp) => {
      if (!(await this.store.getToFile(key, tmp))) throw new Error(`${key} missing from the store`);
      const got = await fileSha256(tmp);
      if (got !== sha) throw new Error(`${key}: content hash ${got.slice(0, 12)}… is not the ${sha.slice(0, 12)}… its meta.json names`);
      this.downloads++;
    });
    return blob;
  }
}
