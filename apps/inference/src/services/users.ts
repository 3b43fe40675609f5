// Managing users (the `npm run users` CLI today; an admin page can call the same functions): add, change role,
// set password, disable/enable, list. Rules kept here once: a role is one of core's ROLES, a local password is
// checked against core's PasswordSchema and stored only as a scrypt hash, and the last active admin can be neither
// demoted nor disabled (a plant must never lock itself out).
import {
  countActiveAdmins, createUser, getUserByUsername, listUsers, updateUser, userView, type UserView,
} from "@bdi/db";
import { PasswordSchema, RoleSchema, UsernameSchema, type Role } from "@bdi/core/auth/roles";
import type { ServiceContext } from "../context.ts";
import { ServiceError } from "./errors.ts";
import { hashPassword } from "./passwords.ts";
import type { Actor } from "./index.ts";

type UsersCtx = Pick<ServiceContext, "db">;

function parsed<T>(what: string, r: { success: true; data: T } | { success: false; error: { issues: Array<{ message: string }> } }): T {
  if (!r.success) throw new ServiceError("validation", `${what}: ${r.error.issues.map((i) => i.message).join("; ")}`);
  return r.data;
}

export async function addUser(
  ctx: UsersCtx,
  input: { username: string; role: string; password?: string | null; displayName?: string | null; oidc?: { issuer: string; subject: string } | null },
  who: Actor,
): Promise<UserView> {
  const username = parsed("user name", UsernameSchema.safeParse(input.username));
  const role = parsed("role", RoleSchema.safeParse(input.role));
  if (!input.password && !input.oidc) throw new ServiceError("validation", "a user needs a password or an OpenID Connect subject");
  const passwordHash = input.password ? await hashPassword(parsed("password", PasswordSchema.safeParse(input.password))) : null;
  const u = await createUser(ctx.db.prisma, { username, role, passwordHash, displayName: input.displayName ?? null, oidc: input.oidc ?? null }, who);
  return userView(u);
}

async function assertNotLastAdmin(ctx: UsersCtx, username: string, change: string): Promise<void> {
  const u = await getUserByUsername(ctx.db.prisma, username);
  if (u.role === "admin" && !u.disabled && (await countActiveAdmins(ctx.db.prisma)) <= 1) {
    throw new ServiceError("conflict", `'${username}' is the last active admin: add another admin before you ${change}`);
  }
}

export async function setUserRole(ctx: UsersCtx, username: string, role: string, who: Actor): Promise<UserView> {
  const r: Role = parsed("role", RoleSchema.safeParse(role));
  if (r !== "admin") await assertNotLastAdmin(ctx, username, "demote it");
  return userView(await updateUser(ctx.db.prisma, username, { role: r }, who));
}

export async function setUserPassword(ctx: UsersCtx, username: string, password: string, who: Actor): Promise<UserView> {
  const passwordHash = await hashPassword(parsed("password", PasswordSchema.safeParse(password)));
  return userView(await updateUser(ctx.db.prisma, username, { passwordHash }, who));
}

export async function setUserDisabled(ctx: UsersCtx, username: string, disabled: boolean, who: Actor): Promise<UserView> {
  if (disabled) await assertNotLastAdmin(ctx, username, "disable it");
  return userView(await updateUser(ctx.db.prisma, username, { disabled }, who));
}

export async function allUsers(ctx: UsersCtx): Promise<UserView[]> {
  return (await listUsers(ctx.db.prisma)).map(userView);
}
