// The signed-in user's identity as the dashboard forwards it to the service: a compact JWS (HS256) with a short
// lifetime, signed with the key only the two share (BDI_AUTH_SECRET). The service verifies it on every /trpc and /api
// call; the token names the user, the service reads the user's current role from its database.
// Web Crypto only (no imports), so both the service and the dashboard's server use this one implementation.
import { z } from "zod";

/** Header that carries the token from the dashboard's /svc proxy to the service. */
export const IDENTITY_HEADER = "x-bdi-identity";
/** Lifetime of a token: one proxied request (and its retries), no more. */
export const IDENTITY_TOKEN_TTL_S = 60;
/** Tolerated clock difference between dashboard and service. */
const CLOCK_SKEW_S = 30;
const AUDIENCE = "bdi-service";

/** `sub`: user id; `name`: user name. `purpose`: "user" for a signed-in user's calls, "sign-in" for the dashboard's
 * own call that checks a password or an OpenID Connect login (it has no user yet). */
export const IdentityClaimsSchema = z.object({
  sub: z.string().min(1).max(128),
  name: z.string().min(1).max(128),
  purpose: z.enum(["user", "sign-in"]),
  aud: z.literal(AUDIENCE),
  iat: z.number().int(),
  exp: z.number().int(),
});
export type IdentityClaims = z.infer<typeof IdentityClaimsSchema>;

const enc = new TextEncoder();

function b64url(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromB64url(s: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]*$/.test(s)) return null;
  try {
    const bin = atob(s.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (s.length % 4)) % 4));
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

function hmacKey(secret: string) {
  return crypto.subtle.importKey("raw", enc.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
}

const HEADER = b64url(enc.encode(JSON.stringify({ alg: "HS256", typ: "JWT" })));

/** A token for `sub`/`name`, valid for IDENTITY_TOKEN_TTL_S seconds from `now` (ms). */
export async function signIdentityToken(
  secret: string,
  who: { sub: string; name: string; purpose?: IdentityClaims["purpose"] },
  now = Date.now(),
): Promise<string> {
  const iat = Math.floor(now / 1000);
  const claims: IdentityClaims = { sub: who.sub, name: who.name, purpose: who.purpose ?? "user", aud: AUDIENCE, iat, exp: iat + IDENTITY_TOKEN_TTL_S };
  const body = `${HEADER}.${b64url(enc.encode(JSON.stringify(claims)))}`;
  const sig = new Uint8Array(await crypto.subtle.sign("HMAC", await hmacKey(secret), enc.encode(body)));
  return `${body}.${b64url(sig)}`;
}

export type VerifyResult = { ok: true; claims: IdentityClaims } | { ok: false; reason: string };

/** Checks signature (constant time, by Web Crypto's verify), algorithm, audience and lifetime. */
export async function verifyIdentityToken(secret: string, token: string, now = Date.now()): Promise<VerifyResult> {
  const parts = token.split(".");
  if (parts.length !== 3 || parts[0] !== HEADER) return { ok: false, reason: "malformed identity token" };
  const sig = fromB64url(parts[2]!);
  if (!sig) return { ok: false, reason: "malformed identity token" };
  const valid = await crypto.subtle.verify("HMAC", await hmacKey(secret), sig, enc.encode(`${parts[0]}.${parts[1]}`));
  if (!valid) return { ok: false, reason: "identity token signature does not verify" };
  const payload = fromB64url(parts[1]!);
  let claims: IdentityClaims;
  try {
    const parsed = IdentityClaimsSchema.safeParse(JSON.parse(new TextDecoder().decode(payload ?? new Uint8Array())));
    if (!parsed.success) return { ok: false, reason: "identity token claims are invalid" };
    claims = parsed.data;
  } catch {
    return { ok: false, reason: "identity token claims are invalid" };
  }
  const t = Math.floor(now / 1000);
  if (claims.exp < t - CLOCK_SKEW_S) return { ok: false, reason: "identity token expired" };
  if (claims.iat > t + CLOCK_SKEW_S || claims.exp - claims.iat > IDENTITY_TOKEN_TTL_S) return { ok: false, reason: "identity token lifetime is invalid" };
  return { ok: true, claims };
}
