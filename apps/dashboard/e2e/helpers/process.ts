// Child processes for the e2e stack: detached (own process group) so that stopping kills the whole tree (npm/next
// spawn children), output to a log file kept as a test artifact.
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort } from "@bdi/core/testing/free-port";

export type Server = {
  name: string;
  child: ChildProcess;
  logPath: string;
  /** Last lines of the log, for failure messages. */
  logTail: (lines?: number) => string;
  /** SIGTERM to the process group, SIGKILL after a grace period. Safe to call twice. */
  stop: () => Promise<void>;
};


export function startServer(opts: { name: string; command: string; args: string[]; cwd: string; env: NodeJS.ProcessEnv; logPath: string }): Server {
  const fd = openSync(opts.logPath, "w");
  const child = spawn(opts.command, opts.args, {
    cwd: opts.cwd,
    env: opts.env,
    detached: true,
    stdio: ["ignore", fd, fd],
  });
  closeSync(fd);
  let exited = false;
  child.on("exit", () => {
    exited = true;
  });
  const logTail = (lines = 40) => {
    try {
      return readFileSync(opts.logPath, "utf8").split("\n").slice(-lines).join("\n");
    } catch {
      return "(no log)";
    }
  };
  const signal = (sig: NodeJS.Signals) => {
    if (child.pid == null) return;
    try {
      process.kill(-child.pid, sig); // the whole group: next/npm children included
    } catch {
      // already gone
    }
  };
  const stop = async () => {
    if (exited || child.exitCode !== null || child.signalCode !== null) return;
    signal("SIGTERM");
    const deadline = Date.now() + 10_000;
    while (!exited && Date.now() < deadline) await sleep(100);
    if (!exited) signal("SIGKILL");
  };
  return { name: opts.name, child, logPath: opts.logPath, logTail, stop };
}

/**
 * Polls `check` until it returns a value (not undefined) or the deadline passes. Fails early, with the server's
 * log, when the server process exits.
 */
export async function waitFor<T>(what: string, server: Server, timeoutMs: number, check: () => Promise<T | undefined>, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  for (;;) {
    if (server.child.exitCode !== null || server.child.signalCode !== null) {
      throw new Error(`${server.name} exited (${server.child.exitCode ?? server.child.signalCode}) while waiting for ${what}.\n--- ${server.logPath} ---\n${server.logTail()}`);
    }
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      if (err instanceof FatalWaitError) throw err;
      last = err;
    }
    if (Date.now() > deadline) {
      const why = last instanceof Error ? last.message : last == null ? "" : String(last);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why ? ` (last: ${why})` : ""}.\n--- ${server.logPath} ---\n${server.logTail()}`);
    }
    await sleep(intervalMs);
  }
}

/** Thrown from a waitFor check to stop waiting at once (e.g. the service reports a permanent error). */
export class FatalWaitError extends Error {}
