// The engine's processes ask glibc's malloc to back its large blocks with transparent huge pages (GLIBC_TUNABLES
// glibc.malloc.hugetlb=1, glibc ≥ 2.35). A crop's features, the search's blocks and onnxruntime's arena are tens of
// MB each, allocated and freed per crop: with 4 KB pages every fresh block is thousands of page faults, which on a
// virtual machine that returns freed pages to its host cost ~15 µs each (this project's VM: 40 MB first touched in
// 150 ms; a positional fit of 32 bsdata crops took 670,000 faults and 18.5–21.6 s, with the tunable 26,000 and 13.0 s;
// README "Huge pages for the engine's memory"). glibc reads the tunable only at process start, so it is set in the
// environment of the processes the service forks (compute/pool.ts) and the CLIs start themselves again with it.
// Older glibc, other C libraries and other systems ignore it; a kernel with transparent huge pages "never" too.
import { spawnSync } from "node:child_process";
import { boolish } from "../config.ts";

export const HUGEPAGE_TUNABLE = "glibc.malloc.hugetlb=1";

/**
 * `env` with the huge-page tunable added to GLIBC_TUNABLES (kept as given when the operator set
 * `glibc.malloc.hugetlb` there, when `enabled` is false, or off Linux).
 */
export function withHugepageMalloc(env: NodeJS.ProcessEnv, enabled = true, platform: NodeJS.Platform = process.platform): NodeJS.ProcessEnv {
  if (!enabled || platform !== "linux") return env;
  const current = env.GLIBC_TUNABLES ?? "";
  if (/(^|:)glibc\.malloc\.hugetlb=/.test(current)) return env;
  return { ...env, GLIBC_TUNABLES: current ? `${current}:${HUGEPAGE_TUNABLE}` : HUGEPAGE_TUNABLE };
}

/** BDI_MALLOC_HUGEPAGES with config.ts's rule (default on), for the CLIs, which load no config. */
export function hugepagesWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  return boolish.parse(env.BDI_MALLOC_HUGEPAGES ?? "1");
}

/**
 * For a CLI that runs the engine in its own process (`npm run eval`, `npm run bench`): when this process started
 * without the tunable, run the same command again with it, wait, and exit with its status; otherwise return.
 */
export function relaunchWithHugepageMalloc(): void {
  const env = withHugepageMalloc(process.env, hugepagesWanted());
  if (env === process.env) return;
  const r = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: "inherit", env });
  if (r.error) throw r.error;
  process.exit(r.status ?? 1);
}
