// The key the dashboard and the service share to sign and verify the signed-in user's identity token: BDI_AUTH_SECRET,
// else the file `auth-secret` under the data root, which `npm start` and `npm run users` create once (32 random
// bytes, hex, mode 0600) so a fresh machine needs no manual step and no secret is ever a default.
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

export const AUTH_SECRET_FILE = "auth-secret";

export function readAuthSecretFile(dataRoot: string): string | undefined {
  try {
    return readFileSync(path.join(dataRoot, AUTH_SECRET_FILE), "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Creates the file when missing (exclusive create: two processes starting together keep the first one's key). */
export function ensureAuthSecretFile(dataRoot: string): string {
  const existing = readAuthSecretFile(dataRoot);
  if (existing) return existing;
  mkdirSync(dataRoot, { recursive: true });
  try {
    writeFileSync(path.join(dataRoot, AUTH_SECRET_FILE), randomBytes(32).toString("hex") + "\n", { mode: 0o600, flag: "wx" });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  return readAuthSecretFile(dataRoot)!;
}
