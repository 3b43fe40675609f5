// npm run users -- <command> …   (the dashboard's accounts; run on the machine that holds the data root)
//   add NAME --role viewer|reviewer|engineer|admin [--display-name TEXT] [--password-stdin]
//            [--oidc-issuer URL --oidc-subject SUB]   (an OpenID Connect account: no password)
//   set-role NAME ROLE | set-password NAME [--password-stdin] | disable NAME | enable NAME | list [--json]
// The password is asked twice without echo on a terminal, or read from the first line of stdin with
// --password-stdin (scripts, tests). There is no default password and no way to pass one as an argument (it would
// end up in the shell history and the process list). Changes are audited with actor "cli:<OS user>".
import { userInfo } from "node:os";
import path from "node:path";
import { loadConfig } from "../config.ts";
import { ensureAuthSecretFile } from "../auth-secret.ts";
import { createDb } from "@bdi/db";
import { ROLE_DESCRIPTIONS, ROLES } from "@bdi/core/auth/roles";
import { addUser, allUsers, setUserDisabled, setUserPassword, setUserRole } from "../services/users.ts";
import { ServiceError } from "../services/errors.ts";
import { flag, hasFlag } from "./args.ts";

const USAGE = `usage: npm run users -- <command>
  add NAME --role ROLE [--display-name TEXT] [--password-stdin] [--oidc-issuer URL --oidc-subject SUB]
  set-role NAME ROLE
  set-password NAME [--password-stdin]
  disable NAME | enable NAME
  list [--json]
roles (each includes the ones before it):
${ROLES.map((r) => `  ${r.padEnd(9)} ${ROLE_DESCRIPTIONS[r]}`).join("\n")}`;

async function readStdinLine(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8").split(/\r?\n/)[0] ?? "";
}

/** Reads a line from the terminal without echoing it. */
function promptHidden(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stdout.write(question);
    stdin.setRawMode(true);
    stdin.resume();
    let value = "";
    const onData = (buf: Buffer) => {
      for (const ch of buf.toString("utf8")) {
        if (ch === "\r" || ch === "\n") {
          stdin.setRawMode(false);
          stdin.pause();
          stdin.off("data", onData);
          process.stdout.write("\n");
          return resolve(value);
        }
        if (ch === "\u0003") {
          stdin.setRawMode(false);
          return reject(new Error("cancelled"));
        }
        if (ch === "\u007f" || ch === "\b") value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on("data", onData);
  });
}

async function readPassword(): Promise<string> {
  if (hasFlag("--password-stdin")) return readStdinLine();
  if (!process.stdin.isTTY) throw new ServiceError("validation", "no terminal to ask for the password: pipe it in with --password-stdin");
  const first = await promptHidden("Password (at least 10 characters): ");
  const again = await promptHidden("Repeat the password: ");
  if (first !== again) throw new ServiceError("validation", "the two passwords differ");
  return first;
}

/** The data root `npm start` uses: the repository's ./data unless BDI_DATA_ROOT says otherwise (a relative one is
 * meant from where npm was started, not from this workspace, which is where npm runs the script). */
function cliEnv(): NodeJS.ProcessEnv {
  const given = process.env.BDI_DATA_ROOT?.trim() || process.env.BACKEND_DATA_ROOT?.trim();
  const repoData = path.resolve(import.meta.dirname, "..", "..", "..", "..", "data");
  return { ...process.env, BDI_DATA_ROOT: given ? path.resolve(process.env.INIT_CWD ?? process.cwd(), given) : repoData };
}

/** Flags that take a value: their value is not a positional argument. */
const VALUE_FLAGS = new Set(["--role", "--display-name", "--oidc-issuer", "--oidc-subject"]);

function positionals(argv: string[]): string[] {
  return argv.filter((a, i) => !a.startsWith("--") && !(i > 0 && VALUE_FLAGS.has(argv[i - 1]!)));
}

async function main(): Promise<number> {
  const [cmd, name, third] = positionals(process.argv.slice(2));
  if (!cmd || cmd === "help" || hasFlag("--help")) {
    console.log(USAGE);
    return cmd ? 0 : 2;
  }
  const config = loadConfig(cliEnv());
  // The key dashboard and service share: created with the first user, so `npm start` afterwards finds it.
  ensureAuthSecretFile(config.dataRoot);
  const db = await createDb({ dataRoot: config.dataRoot, migrate: true });
  const who = { actor: `cli:${userInfo().username}`, requestId: null, reason: null };
  const ctx = { db };
  try {
    const need = (v: string | undefined, what: string) => {
      if (!v) throw new ServiceError("validation", `${cmd} needs ${what}\n${USAGE}`);
      return v;
    };
    switch (cmd) {
      case "add": {
        const issuer = flag("--oidc-issuer");
        const subject = flag("--oidc-subject");
        if (!!issuer !== !!subject) throw new ServiceError("validation", "--oidc-issuer and --oidc-subject go together");
        const username = need(name, "a user name");
        const role = need(flag("--role"), `--role (${ROLES.join(", ")})`);
        const password = issuer ? null : await readPassword();
        const u = await addUser(ctx, { username, role, password, displayName: flag("--display-name") ?? null, oidc: issuer ? { issuer, subject: subject! } : null }, who);
        console.log(`added ${u.username} (${u.role})${issuer ? `, signs in with OpenID Connect at ${issuer}` : ""} in ${config.dataRoot}`);
        break;
      }
      case "set-role": {
        const u = await setUserRole(ctx, need(name, "a user name"), need(third, "a role"), who);
        console.log(`${u.username} is now ${u.role}`);
        break;
      }
      case "set-password": {
        const username = need(name, "a user name");
        await setUserPassword(ctx, username, await readPassword(), who);
        console.log(`password of ${username} changed`);
        break;
      }
      case "disable":
      case "enable": {
        const u = await setUserDisabled(ctx, need(name, "a user name"), cmd === "disable", who);
        console.log(`${u.username} ${u.disabled ? "disabled" : "enabled"}`);
        break;
      }
      case "list": {
        const users = await allUsers(ctx);
        if (hasFlag("--json")) console.log(JSON.stringify(users, null, 2));
        else if (!users.length) console.log("no users yet: npm run users -- add NAME --role admin");
        else for (const u of users) console.log(`${u.username.padEnd(24)} ${u.role.padEnd(9)} ${u.disabled ? "disabled" : "active  "} ${u.oidcIssuer ? `oidc ${u.oidcIssuer}` : "password"}  last sign-in ${u.lastSignInAt?.toISOString() ?? "never"}`);
        break;
      }
      default:
        console.error(`unknown command '${cmd}'\n${USAGE}`);
        return 2;
    }
    return 0;
  } finally {
    await db.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    // Bad input, an existing name, the last admin: one readable line, exit 1 (no stack trace for a user's mistake).
    const known = err instanceof ServiceError || (err instanceof Error && /already exists|not found/.test(err.message));
    console.error(known ? `error: ${(err as Error).message}` : err);
    process.exit(1);
  },
);
