// The data root as the object store (the default): a key is a path under the data root, as it always was.
import { constants } from "node:fs";
import { access, copyFile, mkdir, readFile, readdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import { resolveInRoot, writeAtomic } from "../storage.ts";
import type { ObjectStore, StoredObject } from "./object-store.ts";
import { atomicFile, checkKey } from "./files.ts";

const isMissing = (err: unknown) => (err as NodeJS.ErrnoException)?.code === "ENOENT";

export class LocalStore implements ObjectStore {
  readonly kind = "local" as const;
  readonly location: string;
  constructor(readonly dataRoot: string) {
    this.location = path.resolve(dataRoot);
  }

  private abs(key: string): string {
    return resolveInRoot(this.dataRoot, checkKey(key));
  }

  async put(key: string, data: Buffer | Uint8Array): Promise<void> {
    await writeAtomic(this.dataRoot, checkKey(key), data);
  }

  async putFile(key: string, file: string): Promise<void> {
    const abs = this.abs(key);
    if (path.resolve(file) === abs) return;
    await atomicFile(abs, (tmp) => copyFile(file, tmp));
  }

  async get(key: string): Promise<Buffer | null> {
    try {
      return await readFile(this.abs(key));
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  async getToFile(key: string, file: string): Promise<boolean> {
    const abs = this.abs(key);
    if (!(await this.exists(key))) return false;
    if (path.resolve(file) !== abs) await atomicFile(file, (tmp) => copyFile(abs, tmp));
    return true;
  }

  async exists(key: string): Promise<boolean> {
    try {
      return (await stat(this.abs(key))).isFile();
    } catch {
      return false;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.abs(key), { force: true });
  }

  async deletePrefix(prefix: string): Promise<number> {
    let n = 0;
    for await (const _ of this.list(prefix)) n++;
    await rm(this.abs(prefix), { recursive: true, force: true });
    return n;
  }

  async *list(prefix: string): AsyncIterable<StoredObject> {
    const walk = async function* (abs: string, rel: string): AsyncGenerator<StoredObject> {
      let entries;
      try {
        entries = await readdir(abs, { withFileTypes: true });
      } catch {
        return; // absent: nothing written there yet
      }
      for (const e of entries) {
        const childAbs = path.join(abs, e.name);
        const childRel = `${rel}/${e.name}`;
        if (e.isDirectory()) yield* walk(childAbs, childRel);
        else if (e.isFile()) {
          const st = await stat(childAbs).catch(() => null);
          if (st) yield { key: childRel, size: st.size, lastModified: st.mtime };
        }
      }
    };
    yield* walk(this.abs(prefix), checkKey(prefix));
  }

  async ping(): Promise<void> {
    await mkdir(this.dataRoot, { recursive: true });
    await access(this.dataRoot, constants.R_OK | constants.W_OK);
  }

  async localFile(key: string): Promise<string | null> {
    return (await this.exists(key)) ? this.abs(key) : null;
  }
}
