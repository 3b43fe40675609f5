// Service side of a compute process (worker.ts): one lazily started child process per pool, requests run one
// at a time (or interleaved), progress forwarded, typed engine errors rebuilt so the REST/tRPC mappings still apply.
// A child process rather than a worker thread: its every thread (V8's GC helpers, libuv's and libvips' pools,
// onnxruntime's) runs at the pool's lower priority, so on a 2-core machine the HTTP event loop is never queued
// behind them (/health p99 under a fit: 33 ms with a worker thread, see README).
import { fork, type ChildProcess } from "node:child_process";
import type { Config } from "../config.ts";
import { EngineError, type EngineErrorCode } from "../engine/errors.ts";
import { ServiceError } from "../services/errors.ts";
import { withHugepageMalloc } from "./malloc-tunables.ts";
import type { ComputeInit, ComputeRequest, ComputeResponse } from "./protocol.ts";

const ENGINE_CODES = new Set(["bad_image", "image_too_large", "bad_shape", "bank_mismatch", "bank_invalid", "no_samples", "backbone_unavailable"]);

/** Node options the child needs to load TypeScript (tsx) — never process-level flags like --test. */
function workerExecArgv(): string[] {
  const out: string[] = [];
  const a = process.execArgv;
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    if (v === "--import" || v === "--require" || v === "-r" || v === "--loader" || v === "--experimental-loader" || v === "--conditions" || v === "-C") {
      if (a[i + 1] !== undefined) out.push(v, a[++i]!);
    } else if (/^--(import|require|loader|experimental-loader|conditions)=/.test(v)) out.push(v);
  }
  return out;
}

export function childEnv(init: ComputeInit): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...withHugepageMalloc(process.env, init.config.mallocHugepages), BDI_COMPUTE_INIT: JSON.stringify(init) };
  delete env.NODE_TEST_CONTEXT; // the child is not a test file of node --test
  return env;
}

export class ComputePool {
  private worker: ChildProcess | null = null;
  private nextId = 1;
  private pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void; progress?: (p: number, stage: string, message?: string) => void }>();
  private chain: Promise<unknown> = Promise.resolve();
  private closing = false;

  /** `serial`: one request at a time (fits); otherwise requests are sent at once (the child interleaves them). */
  constructor(private readonly config: Config, private readonly opts: { serial?: boolean; name?: string; nice?: number } = {}) {}

  private ensure(): ChildProcess {
    if (this.worker) return this.worker;
    const init: ComputeInit = { config: this.config, nice: this.opts.nice ?? 0, name: this.opts.name ?? "bdi-compute" };
    const w = fork(new URL("./worker-boot.mjs", import.meta.url), [], {
      execArgv: workerExecArgv(),
      serialization: "advanced", // typed arrays and Buffers cross as binary, not JSON
      env: childEnv(init),
      stdio: ["ignore", process.stderr, "inherit", "ipc"], // its stdout is never the service's (or a test runner's) stdout
    });
    w.on("message", (m: ComputeResponse) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      if (m.type === "progress") p.progress?.(m.p, m.stage, m.message);
      else {
        this.pending.delete(m.id);
        if (m.type === "done") p.resolve(m.result);
        else {
          const e = m.error;
          p.reject(e.code && ENGINE_CODES.has(e.code) ? new EngineError(e.code as EngineErrorCode, e.message, e.details) : Object.assign(new Error(e.message), { name: e.name, code: e.code }));
        }
      }
      if (this.pending.size === 0) this.idle(w);
    });
    const failAll = (err: unknown) => {
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
      if (this.worker === w) this.worker = null;
    };
    w.on("error", failAll);
    w.on("exit", (code, signal) => {
      if (this.pending.size)
        failAll(this.closing
          ? new ServiceError("not_ready", "the service is stopping: this request was cut off at the end of the shutdown grace period; retry")
          : new Error(`compute process exited with ${signal ?? `code ${code}`}`));
      if (this.worker === w) this.worker = null;
    });
    this.worker = w;
    this.idle(w);
    return w;
  }

  /** An idle child must not keep the service process alive (tests, CLI runs); a busy one must. */
  private idle(w: ChildProcess) {
    w.unref();
    w.channel?.unref();
  }
  private busy(w: ChildProcess) {
    w.ref();
    w.channel?.ref();
  }

  /**
   * Runs one request in the compute process (after the previous one finished, for a serial pool). `signal` cancels
   * it (a fit the user cancelled): not sent if aborted before its turn, else the child is killed — the only way to
   * stop onnxruntime mid-run — and the next request starts a fresh one. Serial pools only (a kill ends every
   * request in flight).
   */
  run<T>(req: ComputeRequest, progress?: (p: number, stage: string, message?: string) => void, signal?: AbortSignal): Promise<T> {
    const send = () =>
      new Promise<T>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        const id = this.nextId++;
        this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, progress });
        const w = this.ensure();
        this.busy(w);
        signal?.addEventListener("abort", () => this.cancelRequest(w, id, signal.reason), { once: true });
        w.send({ id, req }, (err) => {
          if (!err || !this.pending.has(id)) return;
          this.pending.delete(id);
          if (this.pending.size === 0) this.idle(w);
          reject(err);
        });
      });
    if (this.opts.serial === false) return send();
    const task = this.chain.catch(() => undefined).then(send);
    this.chain = task;
    return task;
  }

  private cancelRequest(w: ChildProcess, id: number, reason: unknown) {
    const p = this.pending.get(id);
    if (!p) return; // already answered
    this.pending.delete(id);
    p.reject(reason);
    if (this.worker === w) this.worker = null;
    w.kill("SIGKILL");
  }

  /** Starts the compute process and loads its backbone now (so the first real request does not pay for it). */
  warm(): Promise<void> {
    return this.run<void>({ op: "warm" }).catch(() => undefined);
  }

  /** Requests in flight (sent, not yet answered). */
  get inFlight(): number {
    return this.pending.size;
  }

  /**
   * Stops the child: its IPC channel is closed (the child exits on `disconnect`; it ignores the SIGTERM a start
   * script sends the whole process group, so requests in flight finish first), SIGKILL if it is still there after 5 s.
   */
  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    this.closing = true;
    if (!w || w.exitCode !== null || w.signalCode !== null) return;
    const exited = new Promise<void>((res) => w.once("exit", () => res()));
    if (w.connected) w.disconnect();
    else w.kill("SIGTERM");
    const t = setTimeout(() => w.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(t);
  }
}
