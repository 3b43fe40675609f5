// HAProxy from Debian's package, running the repository's production config (deploy/haproxy.cfg) on loopback: only
// the `bind` address and the `server` lines between the replica markers are replaced; everything else (timeouts,
// health checks, retries, balance) is what a plant runs. An admin socket is added so the bench can take a replica out
// of rotation and back (HAProxy's runtime API) without restarting it.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { startProc, waitFor, type Proc } from "./procs.ts";
import { freePort } from "@bdi/core/testing/free-port";
import { REPO_ROOT } from "./paths.ts";

export const HAPROXY_CONFIG = path.join(REPO_ROOT, "deploy", "haproxy.cfg");

/** The haproxy binary, or null when Debian's haproxy is not installed. */
export function findHaproxy(): string | null {
  for (const p of [process.env.BDI_HAPROXY_BIN, "/usr/sbin/haproxy", "/usr/bin/haproxy"]) if (p && existsSync(p)) return p;
  return null;
}

/** deploy/haproxy.cfg with `bind` on 127.0.0.1:port, one `server` line per replica address and an admin socket. */
export function renderConfig(port: number, replicas: Array<{ name: string; port: number }>, socket: string): string {
  const src = readFileSync(HAPROXY_CONFIG, "utf8");
  const begin = src.indexOf("# replicas: begin\n");
  const end = src.indexOf("    # replicas: end");
  if (begin < 0 || end < 0 || !/^ {4}bind :8000$/m.test(src)) throw new Error(`${HAPROXY_CONFIG}: the bind line or the replica markers moved`);
  const servers = replicas.map((r) => `    server ${r.name} 127.0.0.1:${r.port} check\n`).join("");
  return (src.slice(0, begin) + "# replicas: begin\n" + servers + src.slice(end))
    .replace(/^ {4}bind :8000$/m, `    bind 127.0.0.1:${port}`)
    .replace(/^global$/m, `global\n    stats socket ${socket} mode 600 level admin`);
}

export type Balancer = {
  url: string;
  port: number;
  proc: Proc;
  /** one command of HAProxy's runtime API (e.g. `disable server inference/replica2`); resolves with its answer */
  command(cmd: string): Promise<string>;
  stop(): Promise<void>;
};

export async function startBalancer(dir: string, replicas: Array<{ name: string; port: number }>): Promise<Balancer> {
  const bin = findHaproxy();
  if (!bin) throw new Error("haproxy not found: apt-get install -y haproxy (.ci/run installs it)");
  const port = await freePort();
  const cfg = path.join(dir, "haproxy.cfg");
  const socket = path.join(dir, "haproxy.sock");
  writeFileSync(cfg, renderConfig(port, replicas, socket));
  // -db: foreground, no daemon, logs to stdout (the config logs to stdout); unprivileged on a high port
  const proc = startProc({ name: "haproxy", command: bin, args: ["-db", "-f", cfg], cwd: dir, env: process.env, logPath: path.join(dir, "haproxy.log") });
  const url = `http://127.0.0.1:${port}`;
  await waitFor("haproxy to accept connections", proc, 10_000, async () => ((await fetch(`${url}/health`)).status > 0 ? true : undefined));
  const command = (cmd: string) =>
    new Promise<string>((resolve, reject) => {
      let out = "";
      const conn = net.connect(socket, () => conn.end(`${cmd}\n`));
      conn.on("data", (d) => (out += d));
      conn.on("end", () => resolve(out.trim()));
      conn.on("error", reject);
    });
  return { url, port, proc, command, stop: () => proc.stop(5_000) };
}
