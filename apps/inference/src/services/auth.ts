// Who is calling, and may they: the use cases behind sign-in and every authorisation decision of /trpc and /api.
// - resolveIdentity: the dashboard's identity token (signed with the shared key) → the user, with the role the
//   database holds now (a role change or a disabled account counts from the next request, not the next sign-in);
// - authorize: role check; a signed-in user refused is audited ("auth.forbidden"), so is a tampered token;
// - signInWithPassword / signInWithOidc: what the dashboard's sign-in asks (rate-limited, every failure audited).
import { appendAudit, countUsers, createUser, findUserById, findUserByOidc, findUserByUsername, touchUserSignIn, type User } from "@bdi/db";
import { roleAtLeast, RoleSchema, UsernameSchema, type Role } from "@bdi/core/auth/roles";
import { verifyIdentityToken } from "@bdi/core/auth/identity-token";
import type { ServiceContext } from "../context.ts";
import { dummyHash, verifyPassword } from "./passwords.ts";
import { SignInLimiter } from "./sign-in-limiter.ts";

export type Identity = { userId: string; username: string; role: Role };
type AuthCtx = Pick<ServiceContext, "db" | "config" | "log">;

/** Actor of audit events about requests that name no (valid) user. */
export const ANONYMOUS_ACTOR = "anonymous";
/** `sub` of the dashboard's own sign-in calls (purpose "sign-in"). */
export const DASHBOARD_SUBJECT = "dashboard";

export type IdentityResult = { identity: Identity | null; failure?: string };

const NOT_CONFIGURED = "sign-in is not configured on the service (no BDI_AUTH_SECRET and no auth-secret file under the data root)";

async function audit(ctx: AuthCtx, actor: string, action: string, entityType: string, entityId: string, after: unknown, requestId?: string) {
  try {
    await appendAudit(ctx.db.prisma, { action, entityType, entityId: entityId.slice(0, 200), after }, { actor, requestId: requestId ?? null });
  } catch (err) {
    // An audit write failing must not turn a refusal into a 500: the refusal stands, the log says why.
    ctx.log?.error?.({ err, action }, "audit write failed");
  }
}

/** The user an identity token names, or why there is none. `what` names the request in the audit of a bad token. */
export async function resolveIdentity(ctx: AuthCtx, token: string | undefined, what: string, requestId?: string): Promise<IdentityResult> {
  if (!token) return { identity: null, failure: "Sign in first: this request carries no identity" };
  const secret = ctx.config.authSecret;
  if (!secret) return { identity: null, failure: NOT_CONFIGURED };
  const v = await verifyIdentityToken(secret, token);
  if (!v.ok || v.claims.purpose !== "user") {
    const reason = v.ok ? "identity token is not a user token" : v.reason;
    // Expiry is ordinary (a slow retry); anything else means a forged or damaged token: worth an audit line.
    if (reason !== "identity token expired") await audit(ctx, ANONYMOUS_ACTOR, "auth.token_refused", "request", what, { reason }, requestId);
    return { identity: null, failure: `Sign in again: ${reason}` };
  }
  const user = await findUserById(ctx.db.prisma, v.claims.sub);
  if (!user || user.username !== v.claims.name) return { identity: null, failure: "Sign in again: this user no longer exists" };
  if (user.disabled) return { identity: null, failure: `Sign in again: the account '${user.username}' is disabled` };
  return { identity: { userId: user.id, username: user.username, role: RoleSchema.parse(user.role) } };
}

export type AuthDecision = { ok: true; identity: Identity } | { ok: false; status: 401 | 403; message: string };

/** Signed in with at least `needed`? A signed-in user refused is audited ("auth.forbidden", actor = that user). */
export async function authorize(
  ctx: AuthCtx,
  identity: Identity | null,
  needed: Role,
  req: { what: string; requestId?: string; authFailure?: string },
): Promise<AuthDecision> {
  if (!identity) return { ok: false, status: 401, message: req.authFailure ?? "Sign in first: this request carries no identity" };
  if (roleAtLeast(identity.role, needed)) return { ok: true, identity };
  await audit(ctx, identity.username, "auth.forbidden", "request", req.what, { role: identity.role, needed }, req.requestId);
  return { ok: false, status: 403, message: `${req.what} needs the ${needed} role; ${identity.username} is a ${identity.role}` };
}

/** The dashboard's own sign-in calls carry a token with purpose "sign-in": only the holder of the key can ask. */
export async function verifySignInCaller(ctx: AuthCtx, token: string | undefined): Promise<string | null> {
  if (!token) return "this route is for the dashboard's sign-in only";
  if (!ctx.config.authSecret) return NOT_CONFIGURED;
  const v = await verifyIdentityToken(ctx.config.authSecret, token);
  if (!v.ok) return v.reason;
  if (v.claims.purpose !== "sign-in" || v.claims.sub !== DASHBOARD_SUBJECT) return "this route is for the dashboard's sign-in only";
  return null;
}

export type SignInResult =
  | { ok: true; user: { id: string; username: string; displayName: string | null; role: Role } }
  | { ok: false; status: 401 | 403 | 429; message: string; retryAfterS?: number };

const limiters = new WeakMap<object, SignInLimiter>();
function limiterFor(ctx: AuthCtx): SignInLimiter {
  let l = limiters.get(ctx.db);
  if (!l) limiters.set(ctx.db, (l = new SignInLimiter()));
  return l;
}

const publicUser = (u: User) => ({ id: u.id, username: u.username, displayName: u.displayName, role: RoleSchema.parse(u.role) });
const BAD_CREDENTIALS = "Wrong user name or password";

/**
 * Checks a local password. Same answer (and about the same time) for an unknown user and a wrong password; an
 * account or address with too many recent failures is refused for a while even with the right password (429).
 */
export async function signInWithPassword(
  ctx: AuthCtx,
  input: { username: string; password: string; ip: string; requestId?: string },
): Promise<SignInResult> {
  const name = input.username.trim().slice(0, 64);
  const limiter = limiterFor(ctx);
  const blocked = limiter.blockedFor(name, input.ip);
  if (blocked > 0) {
    await audit(ctx, ANONYMOUS_ACTOR, "auth.sign_in_failed", "user", name, { ip: input.ip, reason: "rate_limited" }, input.requestId);
    return { ok: false, status: 429, message: `Too many failed sign-ins: try again in ${Math.ceil(blocked / 60)} min`, retryAfterS: blocked };
  }
  const user = UsernameSchema.safeParse(name).success ? await findUserByUsername(ctx.db.prisma, name) : null;
  const passwordOk = await verifyPassword(input.password, user?.passwordHash ?? (await dummyHash()));
  const reason = !user ? "unknown_user" : !user.passwordHash ? "no_local_password" : !passwordOk ? "wrong_password" : user.disabled ? "disabled" : null;
  if (reason) {
    if (reason !== "disabled") limiter.fail(name, input.ip);
    await audit(ctx, ANONYMOUS_ACTOR, "auth.sign_in_failed", "user", user?.id ?? name, { username: name, ip: input.ip, reason }, input.requestId);
    return reason === "disabled"
      ? { ok: false, status: 403, message: `The account '${name}' is disabled` }
      : { ok: false, status: 401, message: BAD_CREDENTIALS };
  }
  limiter.succeed(name);
  await touchUserSignIn(ctx.db.prisma, user!.id);
  await audit(ctx, user!.username, "auth.sign_in", "user", user!.id, { method: "password", ip: input.ip }, input.requestId);
  return { ok: true, user: publicUser(user!) };
}

/**
 * An OpenID Connect sign-in the dashboard completed: the user with this issuer + subject, created on first sign-in
 * with BDI_OIDC_DEFAULT_ROLE (viewer unless configured; "none" = only users an admin created with `users add
 * --oidc-subject`). A local account's name is never taken over by an OIDC login.
 */
export async function signInWithOidc(
  ctx: AuthCtx,
  input: { issuer: string; subject: string; preferredUsername: string; displayName?: string | null; ip: string; requestId?: string },
): Promise<SignInResult> {
  let user = await findUserByOidc(ctx.db.prisma, input.issuer, input.subject);
  if (!user) {
    const role = ctx.config.oidcDefaultRole;
    const name = UsernameSchema.safeParse(input.preferredUsername.replace(/[^A-Za-z0-9._@-]/g, "_").slice(0, 64));
    const taken = name.success ? await findUserByUsername(ctx.db.prisma, name.data) : null;
    const refusal = role === "none" ? "no_account" : !name.success ? "invalid_username" : taken ? "username_taken" : null;
    if (refusal) {
      await audit(ctx, ANONYMOUS_ACTOR, "auth.sign_in_failed", "user", input.preferredUsername, { issuer: input.issuer, subject: input.subject, ip: input.ip, reason: refusal }, input.requestId);
      return { ok: false, status: 403, message: refusal === "username_taken" ? `The user name '${input.preferredUsername}' belongs to another account: ask an admin to link it` : "No account for this identity: ask an admin to create one" };
    }
    user = await createUser(ctx.db.prisma, { username: name.data!, role: role as Role, displayName: input.displayName ?? null, oidc: { issuer: input.issuer, subject: input.subject } }, { actor: name.data!, requestId: input.requestId ?? null, reason: "first OpenID Connect sign-in" });
  }
  if (user.disabled) {
    await audit(ctx, ANONYMOUS_ACTOR, "auth.sign_in_failed", "user", user.id, { username: user.username, ip: input.ip, reason: "disabled" }, input.requestId);
    return { ok: false, status: 403, message: `The account '${user.username}' is disabled` };
  }
  await touchUserSignIn(ctx.db.prisma, user.id);
  await audit(ctx, user.username, "auth.sign_in", "user", user.id, { method: "oidc", issuer: input.issuer, ip: input.ip }, input.requestId);
  return { ok: true, user: publicUser(user) };
}

/** What to tell an operator at start when nobody can sign in yet (null when there is an active admin… or anyone). */
export async function firstRunHint(ctx: AuthCtx): Promise<string | null> {
  if (!ctx.config.authSecret) return "dashboard sign-in is not configured: set BDI_AUTH_SECRET or start with `npm start` (it creates the data root's auth-secret)";
  if ((await countUsers(ctx.db.prisma)) > 0) return null;
  return "no users yet: create the first admin with `npm run users -- add NAME --role admin`, then sign in to the dashboard";
}

/** Sign-out, as the dashboard reports it (the session cookie is the dashboard's; this only records it). */
export async function recordSignOut(ctx: AuthCtx, identity: Identity, requestId?: string): Promise<void> {
  await audit(ctx, identity.username, "auth.sign_out", "user", identity.userId, {}, requestId);
}
