// Test support for signed-in calls: a user created through the real repository, and identity tokens signed with the
// test context's key exactly as the dashboard's /svc proxy signs them.
import { createUser, findUserByUsername } from "@bdi/db";
import { IDENTITY_HEADER, signIdentityToken } from "@bdi/core/auth/identity-token";
import type { Role } from "@bdi/core/auth/roles";
import type { ServiceContext } from "../context.ts";
import { hashPassword } from "../services/passwords.ts";

/** The shared key of test service contexts (BDI_AUTH_SECRET). */
export const TEST_AUTH_SECRET = "test-only-auth-secret-0123456789abcdef";

/** Creates the user when missing (password optional) and returns a function giving fresh identity headers. */
export async function signedInAs(
  ctx: Pick<ServiceContext, "db" | "config">,
  username: string,
  role: Role,
  password?: string,
): Promise<() => Promise<Record<string, string>>> {
  const secret = ctx.config.authSecret;
  if (!secret) throw new Error("the test context has no auth secret (BDI_AUTH_SECRET)");
  const user =
    (await findUserByUsername(ctx.db.prisma, username)) ??
    (await createUser(ctx.db.prisma, { username, role, passwordHash: password ? await hashPassword(password) : null }, { actor: "test" }));
  return async () => ({ [IDENTITY_HEADER]: await signIdentityToken(secret, { sub: user.id, name: user.username }) });
}
