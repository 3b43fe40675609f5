// The dashboard's sign-in calls: it asks the service to check a password or to accept an OpenID Connect login, with
// a token of purpose "sign-in" signed with the shared key (no user yet), and reports sign-outs with the user's own
// token. The session itself (cookie) is the dashboard's (next-auth); these routes only decide and audit.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { IDENTITY_HEADER } from "@bdi/core/auth/identity-token";
import type { ServiceContext } from "../context.ts";
import { recordSignOut, resolveIdentity, signInWithOidc, signInWithPassword, verifySignInCaller, type SignInResult } from "../services/auth.ts";
import { headerValue } from "./guard.ts";

const PasswordBody = z.object({ username: z.string().max(256), password: z.string().max(1024), ip: z.string().max(128).default("unknown") });
const OidcBody = z.object({
  issuer: z.string().url().max(512),
  subject: z.string().min(1).max(256),
  preferredUsername: z.string().min(1).max(256),
  displayName: z.string().max(256).nullish(),
  ip: z.string().max(128).default("unknown"),
});

function refuse(reply: FastifyReply, status: number, error: string) {
  return reply.code(status).header("Cache-Control", "no-store").send({ error });
}

function answer(reply: FastifyReply, r: SignInResult) {
  if (r.ok) return reply.header("Cache-Control", "no-store").send({ user: r.user });
  if (r.retryAfterS) reply.header("Retry-After", String(r.retryAfterS));
  return refuse(reply, r.status, r.message);
}

async function signInCaller(ctx: ServiceContext, req: FastifyRequest, reply: FastifyReply): Promise<boolean> {
  const problem = await verifySignInCaller(ctx, headerValue(req, IDENTITY_HEADER));
  if (problem) refuse(reply, 401, problem);
  return !problem;
}

function parse<T>(schema: z.ZodType<T>, body: unknown, reply: FastifyReply): T | null {
  const r = schema.safeParse(body ?? {});
  if (!r.success) refuse(reply, 400, r.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; "));
  return r.success ? r.data : null;
}

export async function registerAuthApi(app: FastifyInstance, ctx: ServiceContext): Promise<void> {
  app.post("/api/auth/password", async (req, reply) => {
    if (!(await signInCaller(ctx, req, reply))) return reply;
    const body = parse(PasswordBody, req.body, reply);
    if (!body) return reply;
    return answer(reply, await signInWithPassword(ctx, { ...body, requestId: String(req.id) }));
  });

  app.post("/api/auth/oidc", async (req, reply) => {
    if (!(await signInCaller(ctx, req, reply))) return reply;
    const body = parse(OidcBody, req.body, reply);
    if (!body) return reply;
    return answer(reply, await signInWithOidc(ctx, { ...body, requestId: String(req.id) }));
  });

  app.post("/api/auth/sign-out", async (req, reply) => {
    const { identity, failure } = await resolveIdentity(ctx, headerValue(req, IDENTITY_HEADER), "POST /api/auth/sign-out", String(req.id));
    if (!identity) return refuse(reply, 401, failure ?? "Sign in first");
    await recordSignOut(ctx, identity, String(req.id));
    return reply.code(204).send();
  });
}
