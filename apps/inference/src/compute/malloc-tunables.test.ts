import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../config.ts";
import { childEnv } from "./pool.ts";
import { HUGEPAGE_TUNABLE, hugepagesWanted, withHugepageMalloc } from "./malloc-tunables.ts";

test("withHugepageMalloc adds the tunable, appends it to the operator's others, keeps theirs, and can be switched off", () => {
  assert.equal(withHugepageMalloc({}, true, "linux").GLIBC_TUNABLES, HUGEPAGE_TUNABLE);
  assert.equal(withHugepageMalloc({ GLIBC_TUNABLES: "glibc.malloc.arena_max=2" }, true, "linux").GLIBC_TUNABLES, `glibc.malloc.arena_max=2:${HUGEPAGE_TUNABLE}`);
  const theirs = { GLIBC_TUNABLES: "glibc.malloc.hugetlb=0" };
  assert.equal(withHugepageMalloc(theirs, true, "linux"), theirs, "an operator's own hugetlb setting wins");
  const env = { PATH: "/bin" };
  assert.equal(withHugepageMalloc(env, false, "linux"), env);
  assert.equal(withHugepageMalloc(env, true, "win32"), env);
  assert.equal(withHugepageMalloc(env, true, "darwin"), env);
  assert.deepEqual([hugepagesWanted({}), hugepagesWanted({ BDI_MALLOC_HUGEPAGES: "0" }), hugepagesWanted({ BDI_MALLOC_HUGEPAGES: "off" }), hugepagesWanted({ BDI_MALLOC_HUGEPAGES: "TRUE" })], [true, false, false, true]);
});

test("the compute processes' environment carries the tunable unless BDI_MALLOC_HUGEPAGES=0", { skip: process.platform !== "linux" && "Linux only" }, () => {
  const root = mkdtempSync(join(tmpdir(), "bdi-malloc-"));
  try {
    const base = { BDI_DATA_ROOT: root, BDI_AUTH_SECRET: "x".repeat(40) };
    const on = childEnv({ config: loadConfig(base), nice: 0, name: "t" });
    assert.ok((on.GLIBC_TUNABLES ?? "").split(":").includes(HUGEPAGE_TUNABLE));
    assert.ok(on.BDI_COMPUTE_INIT, "the init message is still there");
    const off = childEnv({ config: loadConfig({ ...base, BDI_MALLOC_HUGEPAGES: "0" }), nice: 0, name: "t" });
    assert.equal(off.GLIBC_TUNABLES, process.env.GLIBC_TUNABLES);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("a CLI started without the tunable runs again with it and exits with that run's status", { skip: process.platform !== "linux" && "Linux only" }, () => {
  const dir = mkdtempSync(join(tmpdir(), "bdi-relaunch-"));
  try {
    const script = join(dir, "cli.mts");
    const module = fileURLToPath(new URL("./malloc-tunables.ts", import.meta.url));
    writeFileSync(script, `import { relaunchWithHugepageMalloc } from ${JSON.stringify(module)};\nrelaunchWithHugepageMalloc();\nconsole.log("ran with", process.env.GLIBC_TUNABLES);\nprocess.exit(3);\n`);
    const env = { ...process.env, GLIBC_TUNABLES: "", BDI_MALLOC_HUGEPAGES: "1" };
    const r = spawnSync(process.execPath, ["--import", "tsx", script], { env, encoding: "utf8" });
    assert.equal(r.status, 3, r.stderr);
    assert.deepEqual(r.stdout.trim().split("\n"), [`ran with ${HUGEPAGE_TUNABLE}`], "the body ran once, in the relaunched process");
    const off = spawnSync(process.execPath, ["--import", "tsx", script], { env: { ...env, BDI_MALLOC_HUGEPAGES: "0" }, encoding: "utf8" });
    assert.deepEqual([off.status, off.stdout.trim()], [3, "ran with"], "switched off: no second run");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
