// Loads Prisma's schema engine compiled to wasm (@prisma/schema-engine-wasm): offline Prisma Migrate.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);
let engine;

// Node 20 cannot import wasm ES modules: instantiate the engine with its wasm-bindgen glue by hand (once).
export async function loadEngine() {
  if (engine) return engine;
  const glue = await import("@prisma/schema-engine-wasm/schema_engine_bg");
  const wasmFile = join(dirname(require.resolve("@prisma/schema-engine-wasm")), "schema_engine_bg.wasm");
  const { instance } = await WebAssembly.instantiate(readFileSync(wasmFile), { "./schema_engine_bg.js": glue });
  glue.__wbg_set_wasm(instance.exports);
  instance.exports.__wbindgen_start();
  engine = glue.SchemaEngine;
  return engine;
}
