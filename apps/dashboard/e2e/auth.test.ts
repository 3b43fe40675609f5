// Sign-in, roles and the audit actor end to end (issue 13), on the real stack in Debian's chromium. Users are created
// with the real CLI (`npm run users -- add`); people sign in through the sign-in page.
//   - signed out: every page sends the browser to /signin; every tRPC procedure (enumerated from the service's
//     router, so new ones are covered) and the /api routes answer 401, through /svc and directly at the service;
//   - a wrong password is refused on the page; an engineer signs in, fits, saves a threshold, and the audit log
//     shows the change under the engineer's name; sign-out ends the session;
//   - a reviewer sees no Start fit button, and fit.start called directly through /svc is refused (403, audited).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import type { Page } from "playwright-core";
import { appRouter } from "@bdi/inference/router";
import { IDENTITY_HEADER, signIdentityToken } from "@bdi/core/auth/identity-token";
import { launchBrowser, screenshot, type Browser } from "./helpers/browser.ts";
import { assertDashboardBuilt, startStack, type Stack } from "./helpers/stack.ts";
import { cookieHeader, signInWithForm, type Account } from "./helpers/auth.ts";
import { bsdataDir } from "../../inference/src/testing/dataset.ts";

const DATA = bsdataDir();
const OK_FILES = Array.from({ length: 10 }, (_, i) => path.join(DATA, "train", "good", `${String(i).padStart(3, "0")}.png`));
const NG_FILES = ["000", "001"].map((n) => path.join(DATA, "test", "pitting", `${n}.png`));
const REASON = "e2e: threshold set by the line engineer";
const id = (page: Page, testId: string) => page.getByTestId(testId);

type ProcDef = { type: "query" | "mutation" | "subscription" };
/** Every procedure of the service's router by dotted path (tRPC keeps a flat record of them). */
function procedures(): Array<[string, ProcDef]> {
  const isProc = (v: unknown): v is { _def: ProcDef } => typeof v === "function" || (typeof v === "object" && v !== null && "_def" in v);
  const flat: Record<string, unknown> = appRouter._def.procedures;
  return Object.entries(flat).flatMap(([p, proc]) => (isProc(proc) ? [[p, proc._def] as [string, ProcDef]] : []));
}

function callProcedure(base: string, p: string, def: ProcDef, headers: Record<string, string> = {}): Promise<Response> {
  if (def.type === "mutation") return fetch(`${base}/${p}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: "{}" });
  const accept: Record<string, string> = def.type === "subscription" ? { accept: "text/event-stream" } : {};
  return fetch(`${base}/${p}?input=${encodeURIComponent("{}")}`, { headers: { ...accept, ...headers } });
}

describe("sign-in, roles and the audit actor", () => {
  let stack: Stack;
  let browser: Browser;
  let engineer: Account;
  let reviewer: Account;
  let roiId = "";

  before(async () => {
    assertDashboardBuilt();
    stack = await startStack({ env: { BDI_INPUT_SIZE: "256", BDI_LOG_LEVEL: "warn" } as Partial<NodeJS.ProcessEnv> as NodeJS.ProcessEnv });
    engineer = stack.addUser("emil.engineer", "engineer");
    reviewer = stack.addUser("rita.reviewer", "reviewer");
    browser = await launchBrowser({ signedIn: false });
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it("signed out: pages go to /signin; every procedure and /api route answers 401 through /svc and directly", async () => {
    const page = await browser.newPage();
    await page.goto(`${stack.dashboard.url}/fit`);
    await page.waitForURL(/\/signin\?callbackUrl=%2Ffit$/);
    await id(page, "sign-in-form").waitFor();
    assert.equal(await id(page, "main-nav").count(), 0, "no navigation before sign-in");
    await screenshot(page, "auth-sign-in-page");
    await page.close();

    const all = procedures();
    assert.ok(all.length >= 30, `${all.length} procedures`);
    for (const [p, def] of all) {
      const viaProxy = await callProcedure(`${stack.dashboard.url}/svc/trpc`, p, def);
      assert.equal(viaProxy.status, 401, `/svc/trpc/${p}`);
      assert.equal(((await viaProxy.json()) as { error: { data: { code: string } } }).error.data.code, "UNAUTHORIZED", p);
      const direct = await callProcedure(`${stack.inference.url}/trpc`, p, def);
      assert.equal(direct.status, 401, `/trpc/${p}`);
    }
    for (const p of ["/api/audit.csv", "/api/samples/abc/image", "/api/samples/abc/thumb", "/api/inspections/abc/image", "/api/inspections/abc/heatmap", "/api/no-such-route"]) {
      assert.equal((await fetch(`${stack.dashboard.url}/svc${p}`)).status, 401, `/svc${p}`);
      assert.equal((await fetch(`${stack.inference.url}${p}`)).status, 401, p);
    }
    // A token signed with another key, straight at the service, is refused too.
    const forged = await signIdentityToken("not-the-stack-key-0000000000000000000000", { sub: "x", name: stack.admin.username });
    const r = await fetch(`${stack.inference.url}/trpc/overview`, { headers: { [IDENTITY_HEADER]: forged } });
    assert.equal(r.status, 401);
    assert.match(await r.text(), /signature does not verify/);
  });

  it("a wrong password is refused on the sign-in page", async () => {
    const page = await browser.newPage();
    await page.goto(`${stack.dashboard.url}/signin`);
    await id(page, "sign-in-username").fill(engineer.username);
    await id(page, "sign-in-password").fill("not-the-password");
    await id(page, "sign-in-submit").click();
    await id(page, "sign-in-error").getByText("Wrong user name or password").waitFor();
    assert.equal(await id(page, "user-menu").count(), 0);
    await page.close();
  });

  it("an engineer signs in, fits, saves a threshold: the audit log names the engineer; sign-out ends the session", async () => {
    const page = await browser.newPage();
    await signInWithForm(page, stack.dashboard.url, engineer);
    assert.equal(await id(page, "user-name").textContent(), engineer.username);
    assert.equal(await id(page, "user-role").textContent(), "engineer");
    await page.goto(`${stack.dashboard.url}/datasets`);
    await id(page, "new-recipe").fill("disc-auth");
    await id(page, "new-role").fill("master");
    await id(page, "new-roi").fill("hub");
    await id(page, "upload-drop").locator('input[type="file"]').setInputFiles(OK_FILES);
    await page.waitForURL(/roi=/);
    roiId = new URL(page.url()).searchParams.get("roi")!;
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="grid-item"]').length === 10);
    await id(page, "upload-label").getByRole("radio", { name: "NG" }).click();
    await id(page, "upload-drop").locator('input[type="file"]').setInputFiles(NG_FILES);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="grid-item"]').length === 12);

    await page.goto(`${stack.dashboard.url}/fit?roi=${roiId}`);
    await id(page, "fit-start").click();
    await id(page, "fit-done").waitFor({ timeout: 180_000 });
    await id(page, "calibration-histogram").waitFor({ timeout: 60_000 });
    const range = id(page, "threshold-range");
    await id(page, "use-rule").click();
    await range.fill(String(Number(await range.inputValue()) * 0.97));
    await id(page, "threshold-save").click();
    const dialog = id(page, "reason-dialog").and(page.locator("[open]"));
    await dialog.getByTestId("reason-input").fill(REASON);
    await dialog.getByTestId("reason-confirm").click();
    await id(page, "threshold-saved").waitFor();

    await page.goto(`${stack.dashboard.url}/audit`);
    await id(page, "audit-action-filter").selectOption("calibration.create");
    const rows = id(page, "audit-table").locator("tr", { hasText: REASON });
    await rows.first().waitFor();
    for (const text of await rows.allTextContents()) assert.ok(text.includes(engineer.username), `the threshold change is under the engineer's name: ${text}`);
    await screenshot(page, "auth-audit-engineer-threshold");

    await id(page, "sign-out").click();
    await page.waitForURL(/\/signin/);
    await page.goto(`${stack.dashboard.url}/audit`);
    await page.waitForURL(/\/signin\?callbackUrl=%2Faudit$/);
    const status = await page.evaluate(async () => (await fetch("/svc/trpc/overview")).status);
    assert.equal(status, 401, "the session is gone: the proxy refuses");
    await page.close();
    // Sign-in and sign-out are in the audit log under the engineer's name (read as the admin).
    const input = encodeURIComponent(JSON.stringify({ actor: engineer.username, actionPrefix: "auth." }));
    const res = await fetch(`${stack.dashboard.url}/svc/trpc/audit.list?input=${input}`, { headers: cookieHeader(stack.adminSession) });
    const actions = ((await res.json()) as { result: { data: { items: Array<{ action: string }> } } }).result.data.items.map((e) => e.action);
    assert.ok(actions.includes("auth.sign_in") && actions.includes("auth.sign_out"), actions.join(", "));
  });

  it("a reviewer sees no Start fit button, and fit.start called directly is refused (403, audited)", async () => {
    await browser.context.clearCookies();
    const page = await browser.newPage();
    await signInWithForm(page, stack.dashboard.url, reviewer);
    await page.goto(`${stack.dashboard.url}/fit?roi=${roiId}`);
    await id(page, "fit-needs-engineer").waitFor();
    assert.equal(await id(page, "fit-start").count(), 0, "no Start fit button for a reviewer");
    await screenshot(page, "auth-reviewer-fit");
    const answer = await page.evaluate(async (roi) => {
      const r = await fetch("/svc/trpc/fit.start", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ roiId: roi }) });
      return { status: r.status, body: (await r.json()) as { error: { message: string; data: { code: string } } } };
    }, roiId);
    assert.equal(answer.status, 403);
    assert.equal(answer.body.error.data.code, "FORBIDDEN");
    assert.match(answer.body.error.message, /needs the engineer role/);
    // The refusal is in the audit log under the reviewer's name (a reviewer may read the log).
    await page.goto(`${stack.dashboard.url}/audit`);
    await id(page, "audit-action-filter").selectOption("auth.forbidden");
    const row = id(page, "audit-table").locator("tr", { hasText: reviewer.username });
    await row.first().waitFor();
    await page.close();
  });
});
