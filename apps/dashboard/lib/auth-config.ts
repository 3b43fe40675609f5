// Server-only settings of the dashboard's sign-in, read from the environment at run time (pure helpers, unit-tested):
// the key shared with the service, the session cookie's own secret, the OpenID Connect provider.
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";

type Env = Record<string, string | undefined>;

/** The key the dashboard signs identity tokens with: BDI_AUTH_SECRET, else `$BDI_DATA_ROOT/auth-secret` (the file
 * `npm start` / `npm run users` create; the service reads the same one). Undefined = sign-in not configured. */
export function sharedAuthSecret(env: Env = process.env): string | undefined {
  const fromEnv = env.BDI_AUTH_SECRET?.trim();
  if (fromEnv) return fromEnv;
  const root = env.BDI_DATA_ROOT?.trim() || env.BACKEND_DATA_ROOT?.trim();
  if (!root) return undefined;
  try {
    return readFileSync(path.join(path.resolve(root), "auth-secret"), "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The session cookie's encryption secret: NEXTAUTH_SECRET, else derived from the shared key (never the key itself,
 * so a leaked session secret cannot mint service tokens). */
export function sessionSecret(env: Env = process.env): string | undefined {
  const explicit = env.NEXTAUTH_SECRET?.trim() || env.AUTH_SECRET?.trim();
  if (explicit) return explicit;
  const shared = sharedAuthSecret(env);
  return shared ? createHmac("sha256", shared).update("bdi-dashboard-session-v1").digest("hex") : undefined;
}

export type OidcSettings = { issuer: string; clientId: string; clientSecret: string; name: string; scope: string };

/** OpenID Connect when BDI_OIDC_ISSUER, BDI_OIDC_CLIENT_ID and BDI_OIDC_CLIENT_SECRET are all set; an error when only
 * some are (a half-configured provider should not silently vanish from the sign-in page). */
export function oidcSettings(env: Env = process.env): OidcSettings | null {
  const issuer = env.BDI_OIDC_ISSUER?.trim();
  const clientId = env.BDI_OIDC_CLIENT_ID?.trim();
  const clientSecret = env.BDI_OIDC_CLIENT_SECRET?.trim();
  if (!issuer && !clientId && !clientSecret) return null;
  if (!issuer || !clientId || !clientSecret) {
    throw new Error("OpenID Connect needs BDI_OIDC_ISSUER, BDI_OIDC_CLIENT_ID and BDI_OIDC_CLIENT_SECRET together");
  }
  return {
    issuer: issuer.replace(/\/+$/, ""),
    clientId,
    clientSecret,
    name: env.BDI_OIDC_NAME?.trim() || "single sign-on",
    scope: env.BDI_OIDC_SCOPE?.trim() || "openid profile email",
  };
}

/** A session lasts one shift by default (BDI_SESSION_HOURS, 1–168). */
export function sessionMaxAgeS(env: Env = process.env): number {
  const h = Number(env.BDI_SESSION_HOURS ?? "12");
  return Math.round((Number.isFinite(h) && h >= 1 && h <= 168 ? h : 12) * 3600);
}

/** Whether the session cookie is marked Secure (and __Secure- prefixed): when the dashboard's public URL is https. */
export function secureCookies(env: Env = process.env): boolean {
  return (env.NEXTAUTH_URL ?? "").startsWith("https://");
}
