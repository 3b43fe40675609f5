// Everything a request handler needs, created once at start and passed explicitly (no module singletons).
import type { FastifyBaseLogger } from "fastify";
import type { Config } from "./config.ts";
import type { BackboneHolder } from "./runtime/backbone-state.ts";

export type DbHandle = Awaited<ReturnType<typeof import("@bdi/db").createDb>>;

export type ServiceContext = {
  config: Config;
  db: DbHandle;
  backbone: BackboneHolder;
  startedAt: number;
  /** the app's logger (absent in CLI runs that use the services without an HTTP app) */
  log?: FastifyBaseLogger;
};
