// Test helper: a throwaway PostgreSQL cluster from the machine's PostgreSQL binaries (Debian's `postgresql`
// package), started with initdb + pg_ctl in a temp directory on a free loopback port, as an unprivileged user
// (`postgres` when the tests run as root: PostgreSQL refuses to run as root). One cluster serves a whole test run;
// each test gets its own database.
import { spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "@bdi/core/testing/free-port";

export interface TestPostgres {
  /** URL of the `postgres` maintenance database (superuser `postgres`, trust auth, loopback only) */
  adminUrl: string;
  /** URL of database `name` in this cluster */
  urlOf(name: string): string;
  /** stops the server and removes its directory */
  stop(): void;
}

/** Directory holding initdb and pg_ctl: $BDI_PG_BIN, the newest /usr/lib/postgresql/<v>/bin, else null. */
export function findPostgresBin(env = process.env): string | null {
  const has = (d: string) => existsSync(join(d, "initdb")) && existsSync(join(d, "pg_ctl"));
  if (env.BDI_PG_BIN) return has(env.BDI_PG_BIN) ? env.BDI_PG_BIN : null;
  const base = "/usr/lib/postgresql";
  if (!existsSync(base)) return null;
  const versions = readdirSync(base).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
  return versions.map((v) => join(base, v, "bin")).find(has) ?? null;
}

/** Why PostgreSQL tests cannot run here (null when they can). */
export function postgresUnavailableReason(env = process.env): string | null {
  if (!findPostgresBin(env)) {
    return "PostgreSQL binaries (initdb, pg_ctl) not found: install Debian's postgresql package (apt-get install -y postgresql) or set BDI_PG_BIN";
  }
  if (process.getuid?.() === 0 && !uidOf("postgres")) return "running as root and there is no unprivileged `postgres` user to run the server";
  return null;
}

function uidOf(user: string): { uid: number; gid: number } | null {
  const r = spawnSync("id", ["-u", user], { encoding: "utf8" });
  const g = spawnSync("id", ["-g", user], { encoding: "utf8" });
  return r.status === 0 && g.status === 0 ? { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) } : null;
}


export async function startPostgres(): Promise<TestPostgres> {
  const reason = postgresUnavailableReason();
  if (reason) throw new Error(reason);
  const bin = findPostgresBin()!;
  const dir = mkdtempSync(join(tmpdir(), "bdi-pg-"));
  const data = join(dir, "data");
  // As root, hand the directory to `postgres` and run the binaries as that user.
  const owner = process.getuid?.() === 0 ? uidOf("postgres") : null;
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const run = (cmd: string, args: string[]) => {
    const [file, argv] = owner ? ["runuser", ["-u", "postgres", "--", join(bin, cmd), ...args]] : [join(bin, cmd), args];
    const r = spawnSync(file, argv, { encoding: "utf8", cwd: dir });
    if (r.status !== 0) throw new Error(`${cmd} failed (${r.status}): ${r.stderr || r.stdout}`);
  };
  let started = false;
  const stop = () => {
    if (started) {
      started = false;
      try {
        run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
      } catch {
        // the directory goes anyway
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // C locale: byte order like SQLite's; fsync off: a test cluster never needs to survive a crash.
    run("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync"]);
    const port = await freePort();
    const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
    run("pg_ctl", ["-D", data, "-o", opts, "-l", join(dir, "server.log"), "-w", "start"]);
    started = true;
    const urlOf = (name: string) => `postgresql://postgres@127.0.0.1:${port}/${name}`;
    return { adminUrl: urlOf("postgres"), urlOf, stop };
  } catch (err) {
    stop();
    throw err;
  }
}

/** The schema of database `url` as pg_dump prints it (no data, no owners), without the migrations bookkeeping table. */
export function dumpSchema(url: string): string {
  const r = spawnSync(join(findPostgresBin()!, "pg_dump"), ["--schema-only", "--no-owner", "--exclude-table=_prisma_migrations", url], {
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`pg_dump failed: ${r.stderr}`);
  // Session settings, comments and psql meta-commands (\restrict with a random key) only; the DDL stays.
  return r.stdout.split("\n").filter((l) => l && !l.startsWith("--") && !l.startsWith("SET ") && !l.startsWith("SELECT pg_catalog") && !l.startsWith("\\")).join("\n");
}
