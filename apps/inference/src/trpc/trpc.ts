// tRPC initialisation: the request context carries the service context plus the request id.
import { initTRPC } from "@trpc/server";
import type { ServiceContext } from "../context.ts";

export type TrpcContext = { svc: ServiceContext; requestId: string; actor: string };

const t = initTRPC.context<TrpcContext>().create();

export const router = t.router;
export const publicProcedure = t.procedure;
export const createCallerFactory = t.createCallerFactory;
