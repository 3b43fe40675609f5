// Compute process entry (started by ComputePool in pool.ts). Plain JavaScript, so that it runs before any
// TypeScript loader: it first lowers the priority of every thread this process already has (the main thread and
// V8's platform threads; on Linux niceness is per thread), so that the threads created later — libuv's and
// libvips' pools, onnxruntime's intra-op threads — inherit it. Then it loads the TypeScript worker.
import { readdirSync } from "node:fs";
import { setPriority } from "node:os";

const init = JSON.parse(process.env.BDI_COMPUTE_INIT ?? "{}");
if (init.name) process.title = init.name;
if (init.nice) {
  let tids = [0];
  try {
    tids = readdirSync("/proc/self/task").map(Number);
  } catch {
    /* not Linux: the whole process is one scheduling entity */
  }
  for (const tid of tids) {
    try {
      setPriority(tid, init.nice);
    } catch {
      /* not permitted or the thread is gone: run at normal priority */
    }
  }
}

// The service owns this process's lifetime: it exits when the service closes its IPC channel (worker.ts), so the
// SIGTERM / SIGINT a start script or a terminal sends the whole process group does not cut off requests in flight.
process.on("SIGTERM", () => {});
process.on("SIGINT", () => {});

// `--import tsx` is passed through by ComputePool when the service runs under tsx; register it otherwise.
if (!process.execArgv.some((a) => a.includes("tsx"))) {
  const { register } = await import("tsx/esm/api");
  register();
}
await import("./worker.ts");
