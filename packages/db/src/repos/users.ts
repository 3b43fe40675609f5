// Users of the dashboard. Every change is audited (entityType "user"); the password hash never enters an audit
// event. Users are disabled, not deleted, so the names in the audit log keep pointing at someone.
import type { User } from "../generated/prisma/client.ts";
import { ROLES, type Role } from "@bdi/core/auth/roles";
import { ConflictError, NotFoundError } from "../errors.ts";
import { assertOneOf } from "../enums.ts";
import { appendAudit } from "./audit.ts";
import { inTx, type AuditCtx, type Queryable } from "./common.ts";

/** What audit events and listings show of a user (no password hash). */
export type UserView = Pick<User, "id" | "username" | "displayName" | "role" | "disabled" | "oidcIssuer" | "createdAt" | "lastSignInAt"> & {
  hasPassword: boolean;
};

export function userView(u: User): UserView {
  return {
    id: u.id, username: u.username, displayName: u.displayName, role: u.role, disabled: u.disabled,
    oidcIssuer: u.oidcIssuer, createdAt: u.createdAt, lastSignInAt: u.lastSignInAt, hasPassword: u.passwordHash !== null,
  };
}

const auditable = (u: User) => ({ username: u.username, role: u.role, disabled: u.disabled, oidcIssuer: u.oidcIssuer, hasPassword: u.passwordHash !== null });

export interface CreateUserInput {
  username: string;
  role: Role;
  displayName?: string | null;
  passwordHash?: string | null;
  oidc?: { issuer: string; subject: string } | null;
}

export async function createUser(db: Queryable, input: CreateUserInput, ctx: AuditCtx): Promise<User> {
  assertOneOf("role", ROLES, input.role);
  return inTx(db, async (tx) => {
    if (await tx.user.findUnique({ where: { username: input.username } })) throw new ConflictError(`user '${input.username}' already exists`);
    const u = await tx.user.create({
      data: {
        username: input.username, role: input.role, displayName: input.displayName ?? null, passwordHash: input.passwordHash ?? null,
        oidcIssuer: input.oidc?.issuer ?? null, oidcSubject: input.oidc?.subject ?? null,
      },
    });
    await appendAudit(tx, { action: "user.create", entityType: "user", entityId: u.id, after: auditable(u) }, ctx);
    return u;
  });
}

export async function findUserById(db: Queryable, id: string): Promise<User | null> {
  return db.user.findUnique({ where: { id } });
}

export async function findUserByUsername(db: Queryable, username: string): Promise<User | null> {
  return db.user.findUnique({ where: { username } });
}

export async function findUserByOidc(db: Queryable, issuer: string, subject: string): Promise<User | null> {
  return db.user.findUnique({ where: { oidcIssuer_oidcSubject: { oidcIssuer: issuer, oidcSubject: subject } } });
}

export async function getUserByUsername(db: Queryable, username: string): Promise<User> {
  const u = await findUserByUsername(db, username);
  if (!u) throw new NotFoundError("user", username);
  return u;
}

/** Oldest first. */
export async function listUsers(db: Queryable): Promise<User[]> {
  return db.user.findMany({ orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
}

export async function countUsers(db: Queryable): Promise<number> {
  return db.user.count();
}

export async function countActiveAdmins(db: Queryable): Promise<number> {
  return db.user.count({ where: { role: "admin", disabled: false } });
}

export interface UpdateUserInput {
  role?: Role;
  disabled?: boolean;
  passwordHash?: string;
  displayName?: string | null;
}

/** Changes role, disabled flag, password or display name; one audit event with what changed ("user.update"). */
export async function updateUser(db: Queryable, username: string, input: UpdateUserInput, ctx: AuditCtx): Promise<User> {
  if (input.role !== undefined) assertOneOf("role", ROLES, input.role);
  return inTx(db, async (tx) => {
    const before = await getUserByUsername(tx, username);
    const after = await tx.user.update({
      where: { id: before.id },
      data: { role: input.role, disabled: input.disabled, passwordHash: input.passwordHash, displayName: input.displayName },
    });
    const action = input.passwordHash !== undefined && input.role === undefined && input.disabled === undefined ? "user.set_password" : "user.update";
    await appendAudit(tx, { action, entityType: "user", entityId: after.id, before: auditable(before), after: auditable(after) }, ctx);
    return after;
  });
}

/** Not audited as a change of the user: the sign-in itself is audited by the caller ("auth.sign_in"). */
export async function touchUserSignIn(db: Queryable, id: string, at = new Date()): Promise<void> {
  await db.user.update({ where: { id }, data: { lastSignInAt: at } });
}
