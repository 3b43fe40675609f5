import { adminProcedure } from "../../trpc.ts";
import { allUsers } from "../../../services/users.ts";

/** The dashboard's accounts (admins only): name, role, disabled, sign-in method, last sign-in. No password hashes. */
export const list = adminProcedure.query(async ({ ctx }) => {
  const users = await allUsers(ctx.svc);
  return users.map((u) => ({
    id: u.id,
    username: u.username,
    displayName: u.displayName,
    role: u.role,
    disabled: u.disabled,
    signIn: u.oidcIssuer ? ("oidc" as const) : ("password" as const),
    createdAt: u.createdAt.toISOString(),
    lastSignInAt: u.lastSignInAt?.toISOString() ?? null,
  }));
});
