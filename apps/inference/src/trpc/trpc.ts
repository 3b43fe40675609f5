// tRPC initialisation: the request context carries the service context, the request id and the actor.
// Every procedure is built from `publicProcedure`, whose middleware maps typed service errors once (./errors.ts).
import { initTRPC, TRPCError } from "@trpc/server";
import type { ServiceContext } from "../context.ts";
import { toTrpcError } from "./errors.ts";

export type TrpcContext = { svc: ServiceContext; requestId: string; actor: string };

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

const t = initTRPC.context<TrpcContext>().create({
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

export const router = t.router;
export const publicProcedure = t.procedure.use(mapErrors);
export const createCallerFactory = t.createCallerFactory;
