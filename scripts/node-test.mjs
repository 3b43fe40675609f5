#!/usr/bin/env node
// Runs node:test on every *.test.ts under the given folders (Node 20 has no glob support in --test).
// Usage: node ../../scripts/node-test.mjs src [more dirs or single test files…]   (extra node flags after "--")
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";

const args = process.argv.slice(2);
const sep = args.indexOf("--");
const dirs = sep === -1 ? args : args.slice(0, sep);
const extra = sep === -1 ? [] : args.slice(sep + 1);

function collect(dir, out) {
  for (const name of readdirSync(dir).sort()) {
    if (name === "node_modules" || name.startsWith(".")) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) collect(p, out);
    else if (name.endsWith(".test.ts")) out.push(p);
  }
  return out;
}

const files = dirs.flatMap((d) => (statSync(d).isFile() ? [d] : collect(d, [])));
if (files.length === 0) {
  console.error(`no *.test.ts files under ${dirs.join(", ")}`);
  process.exit(1);
}
const res = spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-concurrency=1", ...extra, ...files], { stdio: "inherit" });
process.exit(res.status ?? 1);
