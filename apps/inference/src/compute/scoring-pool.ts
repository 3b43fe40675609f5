// The scoring processes: BDI_SCORING_WORKERS compute children (compute/pool.ts) that score crops side by side, so
// concurrent /infer requests use the machine's cores instead of queueing behind one process. A request goes to the
// child with the fewest requests in flight; a bank preload (`prepare`) and the warm-up go to every child, since each
// keeps its own bank cache. With several children each gets its share of the cores as onnxruntime threads.
import { availableParallelism } from "node:os";
import type { Config } from "../config.ts";
import { ComputePool } from "./pool.ts";
import type { ComputeRequest } from "./protocol.ts";

export class ScoringPool {
  private readonly children: ComputePool[];
  private next = 0;

  constructor(config: Config, opts: { workers: number; name: string; nice: number }) {
    const n = Math.max(1, opts.workers);
    // BDI_THREADS=0 (onnxruntime's choice: every core) in each of N children oversubscribes the cores N times: with 2
    // children × 2 threads on 2 cores, 8 clients got 0.36 /infer per s (p50 18 s) against 1.59 (p50 5 s) split.
    const threads = n > 1 && config.threads === 0 ? Math.max(1, Math.floor(availableParallelism() / n)) : config.threads;
    this.children = Array.from({ length: n }, (_, i) =>
      new ComputePool({ ...config, threads }, { serial: false, name: n > 1 ? `${opts.name}-${i + 1}` : opts.name, nice: opts.nice }));
  }

  /** The child with the fewest requests in flight (round robin among equals). */
  private pick(): ComputePool {
    let best: ComputePool | null = null;
    for (let k = 0; k < this.children.length; k++) {
      const c = this.children[(this.next + k) % this.children.length]!;
      if (!best || c.inFlight < best.inFlight) best = c;
    }
    this.next = (this.next + 1) % this.children.length;
    return best!;
  }

  run<T>(req: ComputeRequest): Promise<T> {
    if (req.op === "prepare") return Promise.all(this.children.map((c) => c.run<T>(req))).then((r) => r[0]!);
    return this.pick().run<T>(req);
  }

  /** Starts every child and loads its backbone now (so the first real requests do not pay for it). */
  async warm(): Promise<void> {
    await Promise.all(this.children.map((c) => c.warm()));
  }

  async close(): Promise<void> {
    await Promise.all(this.children.map((c) => c.close()));
  }
}
