// Signing in for end-to-end tests, through the real parts only: users are created with the real CLI
// (`npm run users -- add … --password-stdin`, on the stack's data root), and sessions come from the dashboard's own
// sign-in (next-auth's csrf + credentials endpoints, which ask the service) or from its sign-in page in the browser.
// The browser a test launches after starting a stack is signed in to it as the stack's admin (./browser.ts reads
// `latestSession`), so suites that are not about sign-in need no extra step.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import type { BrowserContext, Page } from "playwright-core";
import { REPO_ROOT } from "./paths.ts";

export type Account = { username: string; password: string; role: "viewer" | "reviewer" | "engineer" | "admin" };
export type SessionCookie = { name: string; value: string; url: string };

/** A fresh shared key for one stack's dashboard and service (BDI_AUTH_SECRET). */
export function newAuthSecret(): string {
  return randomBytes(32).toString("hex");
}

/** `npm run users -- add NAME --role ROLE --password-stdin` against `dataRoot` (the real CLI, the real repository). */
export function createUserWithCli(dataRoot: string, account: Account, env: Record<string, string> = {}): void {
  const r = spawnSync(process.execPath, ["--import", "tsx", "apps/inference/src/cli/users.ts", "add", account.username, "--role", account.role, "--password-stdin"], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env, BDI_DATA_ROOT: dataRoot, CHECKPOINT_DISABLE: "1" },
    input: `${account.password}\n`,
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`users add ${account.username} failed (${r.status}): ${r.stderr || r.stdout}`);
}

/** A new account with a random password. */
export function account(username: string, role: Account["role"]): Account {
  return { username, role, password: `pw-${randomBytes(9).toString("base64url")}` };
}

/** Signs in over HTTP exactly as the sign-in form does (csrf token, then the credentials callback). */
export async function sessionCookie(dashboardUrl: string, a: Account): Promise<SessionCookie> {
  const csrfRes = await fetch(`${dashboardUrl}/api/auth/csrf`);
  const csrfCookies = csrfRes.headers.getSetCookie().map((c) => c.split(";")[0]!).join("; ");
  const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
  const res = await fetch(`${dashboardUrl}/api/auth/callback/credentials`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: csrfCookies },
    body: new URLSearchParams({ csrfToken, username: a.username, password: a.password, json: "true" }),
    redirect: "manual",
  });
  const session = res.headers.getSetCookie().find((c) => /^(__Secure-)?next-auth\.session-token=/.test(c));
  if (!session) throw new Error(`sign-in of ${a.username} failed: ${res.status} ${await res.text()}`);
  const [pair] = session.split(";");
  const eq = pair!.indexOf("=");
  return { name: pair!.slice(0, eq), value: pair!.slice(eq + 1), url: dashboardUrl };
}

/** The session the next launched browser gets (set by startStack; null = launch signed out). */
export let latestSession: SessionCookie | null = null;
export function rememberSession(s: SessionCookie | null): void {
  latestSession = s;
}

export async function addSession(context: BrowserContext, s: SessionCookie): Promise<void> {
  await context.addCookies([{ name: s.name, value: s.value, url: s.url, httpOnly: true, sameSite: "Lax" }]);
}

/** Signs in through the sign-in page, as a person would; resolves once the header names the user. */
export async function signInWithForm(page: Page, dashboardUrl: string, a: Account): Promise<void> {
  await page.goto(`${dashboardUrl}/signin`);
  await page.getByTestId("sign-in-username").fill(a.username);
  await page.getByTestId("sign-in-password").fill(a.password);
  await page.getByTestId("sign-in-submit").click();
  await page.getByTestId("user-menu").waitFor();
}

/** The Cookie header of a session, for calls to the dashboard from the test process itself. */
export function cookieHeader(s: SessionCookie): { cookie: string } {
  return { cookie: `${s.name}=${s.value}` };
}
