// The import boundaries of ../../../shared/ARCHITECTURE.md, per workspace (globs are relative to the workspace):
//   packages/core   → nothing with I/O (only zod and its own files)
//   packages/db     → core, Prisma; never an app
//   apps/dashboard  → core and the *type* of the service's tRPC router; never db or the service's runtime code
//   apps/inference  front ends (legacy/, trpc/, api/) → the use cases (services/); never db or the engine at run time
//                   use cases (services/) → never a front end (no client wording or shapes in the use cases)
//                   engine/ → never the use cases, front ends or db
// Exceptions are separate, named entries below their rule, so deleting one makes `npm run lint` fail.
import { builtinModules } from "node:module";
import { restrictImports } from "./base.js";

const builtins = builtinModules.filter((m) => !m.startsWith("_")).map((m) => m.replace(/[/]/g, "\\/")).join("|");
const IO = {
  regex: `^(node:.*|(${builtins})(\\/.*)?|@bdi\\/(db|inference|models)(\\/.*)?|@prisma\\/.*|better-sqlite3|onnxruntime-node|sharp|fastify.*|@fastify\\/.*|@trpc\\/.*|next(\\/.*)?|react(-dom)?)$`,
  message: "packages/core is pure domain code: no I/O, no other workspace (ARCHITECTURE.md).",
};
const DB = { regex: "^@bdi\\/db(\\/.*)?$|^@prisma\\/|^better-sqlite3$", allowTypeImports: true };
const TESTS = ["**/*.test.ts", "**/*.test.tsx", "**/test-support.ts", "**/test-helpers.ts", "**/testing/**"];

export const coreBoundaries = [restrictImports("core has no I/O", ["src/**/*.ts"], [IO], TESTS)];

export const dbBoundaries = [
  restrictImports("db never imports an app", ["src/**/*.ts"], [{ regex: "^@bdi\\/(inference|dashboard)(\\/.*)?$", message: "packages/db is below the apps." }]),
];

export const dashboardBoundaries = [
  restrictImports("dashboard → core + the router's type only", ["**/*.{ts,tsx}"], [
    { ...DB, allowTypeImports: false, message: "The dashboard never touches the database: ask the service (tRPC)." },
    { regex: "^@bdi\\/inference(\\/.*)?$", allowTypeImports: true, message: "Only the *type* of the service's router may be imported (import type)." },
    { regex: "(^|\\/)inference\\/src\\/", allowTypeImports: true, message: "Only the *type* of the service's router may be imported (import type)." },
  ], ["e2e/**"]),
  // Exception: the end-to-end suite starts the real service and finds the dev data set with the service's own helper.
  restrictImports("dashboard e2e harness", ["e2e/**"], [{ ...DB, allowTypeImports: false, message: "The e2e suite drives the UI, not the database." }]),
];

const FRONT_ENDS = ["src/legacy/**/*.ts", "src/trpc/**/*.ts", "src/api/**/*.ts"];
const FRONT_END_DB = { ...DB, message: "Front ends call a use case in services/; every database access is in packages/db, reached through services/." };
const FRONT_END_ENGINE = { regex: "(^|\\/)engine\\/", allowTypeImports: true, message: "Front ends call a use case in services/, never the engine." };
const ERROR_MAPPERS = ["src/legacy/errors.ts", "src/trpc/errors.ts"];

export const inferenceBoundaries = [
  restrictImports("front ends → services only", FRONT_ENDS, [FRONT_END_DB, FRONT_END_ENGINE], TESTS),
  // Exception: the two error mappers word the typed errors of db and the engine for their client (instanceof needs
  // the classes at run time), and nothing else from those modules.
  restrictImports("error mappers may read error classes", ERROR_MAPPERS, [
    { ...FRONT_END_DB, regex: "^@bdi\\/db(?!\\/errors$)(\\/.*)?$|^@prisma\\/" },
    { ...FRONT_END_ENGINE, regex: "(^|\\/)engine\\/(?!errors\\.ts$)" },
  ]),
  restrictImports("use cases never import a front end", ["src/services/**/*.ts"], [
    { regex: "(^|\\/)(legacy|trpc|api)\\/", message: "services/ holds the use cases: no front end (client wording, request shapes) in here." },
  ], TESTS),
  restrictImports("engine is below the use cases", ["src/engine/**/*.ts"], [
    { ...DB, allowTypeImports: false, message: "The engine has no database." },
    { regex: "(^|\\/)(services|resources|legacy|trpc|api|compute|plugins)\\/", message: "The engine is below the use cases, their resources and the compute processes." },
  ], TESTS),
];
