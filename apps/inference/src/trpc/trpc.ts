// tRPC initialisation: the request context carries the service context, the request id and the signed-in user.
// Every procedure is built from one of the four role builders below (viewerProcedure … adminProcedure): each refuses
// an anonymous call (UNAUTHORIZED) and a user whose role is below it (FORBIDDEN, audited), and maps typed service
// errors once (./errors.ts). There is deliberately no unauthenticated builder: a new procedure must pick a role.
import { initTRPC, TRPCError } from "@trpc/server";
import type { Role } from "@bdi/core/auth/roles";
import type { ServiceContext } from "../context.ts";
import { authorize, type Identity } from "../services/auth.ts";
import { toTrpcError } from "./errors.ts";

export type { Identity };

export type TrpcContext = {
  svc: ServiceContext;
  requestId: string;
  /** the audit actor: the signed-in user's name (set from `identity` by the role middleware) */
  actor: string;
  /** the user the dashboard's identity token names, with the role from the database; null = anonymous */
  identity: Identity | null;
  /** why there is no identity (missing, tampered or expired token, unknown or disabled user), for the 401 message */
  authFailure?: string;
};

/** Procedure metadata: the least role that may call it (read by the role middleware and by the tests that walk the
 * router to check every procedure is guarded). */
export type ProcedureMeta = { role: Role };

type Issue = { path?: PropertyKey[]; message: string };

function inputIssues(cause: unknown): Issue[] | null {
  // zod (and any Standard Schema) validation failures: tRPC wraps them as BAD_REQUEST with the issues as cause.
  const issues = (cause as { issues?: unknown } | undefined)?.issues;
  return Array.isArray(issues) ? (issues as Issue[]) : null;
}

/** "field.path: message; …" */
function issuesText(issues: Issue[]): string {
  return issues.map((i) => `${i.path && i.path.length ? i.path.map(String).join(".") + ": " : ""}${i.message}`).join("; ");
}

const t = initTRPC.context<TrpcContext>().meta<ProcedureMeta>().create({
  // Input validation errors also carry their issues as data ({ path, message }[]) for forms.
  errorFormatter({ shape, error }) {
    const issues = error.code === "BAD_REQUEST" ? inputIssues(error.cause) : null;
    if (!issues) return shape;
    return { ...shape, data: { ...shape.data, issues: issues.map((i) => ({ path: (i.path ?? []).map(String), message: i.message })) } };
  },
});

const mapErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) {
    const issues = result.error.code === "BAD_REQUEST" ? inputIssues(result.error.cause) : null;
    if (issues) throw new TRPCError({ code: "BAD_REQUEST", message: `Invalid input: ${issuesText(issues)}`, cause: result.error.cause });
    throw toTrpcError(result.error);
  }
  return result;
});

/** Signed in, and with at least the procedure's role. A refusal of a signed-in user is audited (services/auth.ts). */
const requireRole = t.middleware(async ({ ctx, meta, path, type, next }) => {
  const needed = meta?.role;
  if (!needed) throw new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: `procedure ${path} has no role` });
  const decision = await authorize(ctx.svc, ctx.identity, needed, { what: `trpc ${type} ${path}`, requestId: ctx.requestId, authFailure: ctx.authFailure });
  if (!decision.ok) throw new TRPCError({ code: decision.status === 401 ? "UNAUTHORIZED" : "FORBIDDEN", message: decision.message });
  return next({ ctx: { ...ctx, actor: decision.identity.username, identity: decision.identity } });
});

function roleProcedure(role: Role) {
  return t.procedure.meta({ role }).use(mapErrors).use(requireRole);
}

export const router = t.router;
/** Reads: overview, datasets, models, inspections, audit log. */
export const viewerProcedure = roleProcedure("viewer");
/** Review verdicts, notes, labels. */
export const reviewerProcedure = roleProcedure("reviewer");
/** Dataset changes, fits, calibrations, activation and rollback. */
export const engineerProcedure = roleProcedure("engineer");
/** Users, retention, keys. */
export const adminProcedure = roleProcedure("admin");
export const createCallerFactory = t.createCallerFactory;
