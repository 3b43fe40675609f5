// The cluster's processes: each in its own process group (detached) so that stopping — or a `kill -9` of a replica —
// takes its children too (the edge's app, the compute workers), output to a log file. Every group still running
// when this process exits (a failed test, Ctrl-C) is killed, so no run leaves a replica or a balancer behind.
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort } from "@bdi/core/testing/free-port";

export type Proc = {
  name: string;
  child: ChildProcess;
  logPath: string;
  /** the last lines of its log, for failure messages */
  logTail(lines?: number): string;
  exited(): boolean;
  /** SIGTERM to the group, SIGKILL after `graceMs`; safe to call twice */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL to the whole group at once: a crash, a power cut */
  kill9(): Promise<void>;
};

const live = new Set<Proc>();
function killAllNow() {
  for (const p of live) {
    try {
      process.kill(-p.child.pid!, "SIGKILL");
    } catch {
      // gone already
    }
  }
}
process.once("exit", killAllNow);
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.once(sig, () => {
    killAllNow();
    process.exit(130);
  });
}


export function startProc(opts: { name: string; command: string; args: string[]; cwd: string; env: NodeJS.ProcessEnv; logPath: string }): Proc {
  const fd = openSync(opts.logPath, "a");
  const child = spawn(opts.command, opts.args, { cwd: opts.cwd, env: opts.env, detached: true, stdio: ["ignore", fd, fd] });
  closeSync(fd);
  const done = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, sig);
    } catch {
      // gone already
    }
  };
  const p: Proc = {
    name: opts.name,
    child,
    logPath: opts.logPath,
    logTail(lines = 40) {
      try {
        return readFileSync(opts.logPath, "utf8").split("\n").slice(-lines).join("\n");
      } catch {
        return "(no log)";
      }
    },
    exited,
    async stop(graceMs = 10_000) {
      if (!exited()) {
        signal("SIGTERM");
        await Promise.race([done, sleep(graceMs)]);
      }
      // the group: children that outlived their parent too
      signal("SIGKILL");
      live.delete(p);
    },
    async kill9() {
      signal("SIGKILL");
      await done;
      live.delete(p);
    },
  };
  live.add(p);
  return p;
}

/** Polls `check` until it returns a value (not undefined); fails early, with the log, when `proc` exits. */
export async function waitFor<T>(what: string, proc: Proc | null, timeoutMs: number, check: () => Promise<T | undefined>, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  for (;;) {
    if (proc?.exited()) throw new Error(`${proc.name} exited (${proc.child.exitCode ?? proc.child.signalCode}) while waiting for ${what}\n--- ${proc.logPath} ---\n${proc.logTail()}`);
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      const why = last instanceof Error ? last.message : last == null ? "" : String(last);
      const log = proc ? `\n--- ${proc.logPath} ---\n${proc.logTail()}` : "";
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why ? ` (last: ${why})` : ""}${log}`);
    }
    await sleep(intervalMs);
  }
}
