// The dashboard's sign-in (next-auth 4): local accounts checked by the service (it holds the users, the password
// hashes, the rate limit and the audit), and OpenID Connect when configured (lib/auth-config.ts). The session is a
// JWT in an encrypted, http-only, SameSite=Lax cookie (Secure behind https); it names the user, the service reads the
// user's current role on every call. Server-only.
import type { NextAuthOptions, User } from "next-auth";
import "next-auth/jwt";
import CredentialsProvider from "next-auth/providers/credentials";
import { getServerSession } from "next-auth/next";
import { IDENTITY_HEADER, signIdentityToken } from "@bdi/core/auth/identity-token";
import type { Role } from "@bdi/core/auth/roles";
import { oidcSettings, secureCookies, sessionMaxAgeS, sessionSecret, sharedAuthSecret } from "./auth-config";
import { proxyApiKey } from "./service-proxy";
import { resolveInferenceUrl } from "./service-url";

// Redirect URLs follow the host the plant uses to reach the dashboard (Next sets x-forwarded-host/-proto itself);
// set NEXTAUTH_URL to pin the public URL (needed for OpenID Connect's redirect URI, and https for Secure cookies).
process.env.AUTH_TRUST_HOST ??= "1";

export type SessionUser = { id: string; username: string; role: Role; displayName: string | null };

// What the session token and session carry besides next-auth's defaults.
declare module "next-auth" {
  interface User {
    username?: string;
    role?: Role;
    displayName?: string | null;
  }
  interface Session {
    user?: Partial<SessionUser>;
  }
}
declare module "next-auth/jwt" {
  interface JWT {
    uid?: string;
    username?: string;
    role?: Role;
    displayName?: string | null;
  }
}

/** Where the sign-in page is (also the target of the proxy's redirects). */
export const SIGN_IN_PATH = "/signin";

class SignInRefused extends Error {}

/** Asks the service, as the dashboard (a token of purpose "sign-in"), to accept a sign-in. */
async function askService(route: "password" | "oidc", body: Record<string, unknown>): Promise<SessionUser> {
  const secret = sharedAuthSecret();
  if (!secret) throw new SignInRefused("Sign-in is not configured: BDI_AUTH_SECRET (or the data root's auth-secret) is missing");
  const headers: Record<string, string> = {
    "content-type": "application/json",
    [IDENTITY_HEADER]: await signIdentityToken(secret, { sub: "dashboard", name: "dashboard", purpose: "sign-in" }),
  };
  const key = proxyApiKey(process.env);
  if (key) headers["x-api-key"] = key;
  let res: Response;
  try {
    res = await fetch(`${resolveInferenceUrl(process.env).replace(/\/+$/, "")}/api/auth/${route}`, { method: "POST", headers, body: JSON.stringify(body), cache: "no-store" });
  } catch {
    throw new SignInRefused("The inference service did not answer: sign-in needs it");
  }
  const json = (await res.json().catch(() => ({}))) as { user?: SessionUser; error?: string };
  if (!res.ok || !json.user) throw new SignInRefused(json.error ?? `sign-in failed (${res.status})`);
  return json.user;
}

function clientIp(headers: Record<string, unknown> | undefined): string {
  const fwd = headers?.["x-forwarded-for"];
  return (typeof fwd === "string" ? fwd.split(",")[0]!.trim() : "") || "unknown";
}

function providers(): NextAuthOptions["providers"] {
  const list: NextAuthOptions["providers"] = [
    CredentialsProvider({
      id: "credentials",
      name: "user name and password",
      credentials: { username: { label: "User name", type: "text" }, password: { label: "Password", type: "password" } },
      async authorize(credentials, req) {
        try {
          const u = await askService("password", { username: credentials?.username ?? "", password: credentials?.password ?? "", ip: clientIp(req?.headers) });
          return { id: u.id, name: u.username, username: u.username, role: u.role, displayName: u.displayName } satisfies User;
        } catch (err) {
          // next-auth puts this message in the sign-in page's ?error=… (our form shows it).
          throw new Error(err instanceof Error ? err.message : "sign-in failed");
        }
      },
    }),
  ];
  const oidc = oidcSettings();
  if (oidc) {
    list.push({
      id: "oidc",
      name: oidc.name,
      type: "oauth",
      wellKnown: `${oidc.issuer}/.well-known/openid-configuration`,
      clientId: oidc.clientId,
      clientSecret: oidc.clientSecret,
      authorization: { params: { scope: oidc.scope } },
      idToken: true,
      checks: ["pkce", "state"],
      profile(p: Record<string, unknown>) {
        return { id: String(p.sub), name: String(p.preferred_username ?? p.email ?? p.sub), email: typeof p.email === "string" ? p.email : null } satisfies User;
      },
    });
  }
  return list;
}

export function authOptions(): NextAuthOptions {
  const oidc = oidcSettings();
  return {
    secret: sessionSecret(),
    session: { strategy: "jwt", maxAge: sessionMaxAgeS() },
    useSecureCookies: secureCookies(),
    pages: { signIn: SIGN_IN_PATH, error: SIGN_IN_PATH },
    providers: providers(),
    events: {
      // Recorded by the service in the audit log ("auth.sign_out"); a failure here must not block signing out.
      async signOut({ token }) {
        const shared = sharedAuthSecret();
        if (!shared || !token?.uid || !token.username) return;
        const headers: Record<string, string> = { [IDENTITY_HEADER]: await signIdentityToken(shared, { sub: token.uid, name: token.username }) };
        const key = proxyApiKey(process.env);
        if (key) headers["x-api-key"] = key;
        await fetch(`${resolveInferenceUrl(process.env).replace(/\/+$/, "")}/api/auth/sign-out`, { method: "POST", headers, cache: "no-store" }).catch(() => undefined);
      },
    },
    callbacks: {
      // An OpenID Connect login becomes one of the service's users (created with the default role the first time).
      async signIn({ user, account, profile }) {
        if (account?.provider !== "oidc" || !oidc) return true;
        const p = (profile ?? {}) as Record<string, unknown>;
        try {
          const u = await askService("oidc", {
            issuer: String(p.iss ?? oidc.issuer),
            subject: String(account.providerAccountId),
            preferredUsername: String(p.preferred_username ?? p.email ?? account.providerAccountId),
            displayName: typeof p.name === "string" ? p.name : null,
          });
          Object.assign(user, { id: u.id, username: u.username, role: u.role, displayName: u.displayName });
          return true;
        } catch (err) {
          return `${SIGN_IN_PATH}?error=${encodeURIComponent(err instanceof Error ? err.message : "sign-in refused")}`;
        }
      },
      async jwt({ token, user }) {
        if (user) Object.assign(token, { uid: user.id, username: user.username, role: user.role, displayName: user.displayName ?? null });
        return token;
      },
      async session({ session, token }) {
        return { ...session, user: { id: token.uid, username: token.username, role: token.role, displayName: token.displayName ?? null } };
      },
    },
  };
}

/** The signed-in user of this request (server components and route handlers), or null. */
export async function currentUser(): Promise<SessionUser | null> {
  if (!sessionSecret()) return null; // sign-in not configured: nobody is signed in (the sign-in page says why)
  const s = await getServerSession(authOptions());
  const u = s?.user;
  return u?.id && u.username && u.role ? { id: u.id, username: u.username, role: u.role, displayName: u.displayName ?? null } : null;
}
