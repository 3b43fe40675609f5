// Local files written whole or not at all: into `<file>.tmp-<pid>-<rand>` next to it, then renamed.
import { randomBytes } from "node:crypto";
import { mkdir, rename, rm } from "node:fs/promises";
import path from "node:path";

export async function atomicFile(file: string, write: (tmp: string) => Promise<unknown>): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    await write(tmp);
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true, recursive: true });
    throw err;
  }
}

/** A key is a relative POSIX path inside the store: no absolute path, no `..`, no backslash, no empty segment. */
export function checkKey(key: string): string {
  if (!key || key.startsWith("/") || key.includes("\\") || key.split("/").some((s) => s === "" || s === "." || s === ".."))
    throw new Error(`invalid object key: ${JSON.stringify(key)}`);
  return key;
}
