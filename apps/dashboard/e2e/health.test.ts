// The dashboard against the real stack: inference service on a temp data root + built dashboard, in Debian's
// chromium. Run with `npm run e2e -w @bdi/dashboard` after `npm run build -w @bdi/dashboard`.
import { after, before, describe, it, test } from "node:test";
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { collectPageErrors, launchBrowser, screenshot, type Browser } from "./helpers/browser.ts";
import { freePort } from "@bdi/core/testing/free-port";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { account, cookieHeader, createUserWithCli, newAuthSecret, rememberSession, sessionCookie, type SessionCookie } from "./helpers/auth.ts";
import {
  assertDashboardBuilt,
  startDashboard,
  startInference,
  startStack,
  type Dashboard,
  type Inference,
  type Stack,
} from "./helpers/stack.ts";

type TrpcHealth = {
  status: "ok" | "starting" | "error";
  ready: boolean;
  device: string;
  backbone: string | null;
  model: string;
  version: string;
  uptimeS: number;
};

/** The service's own answer to tRPC `health` (through the dashboard's proxy, signed in), to compare with the page. */
async function serviceHealth(dashboardUrl: string, session: SessionCookie): Promise<TrpcHealth> {
  const res = await fetch(`${dashboardUrl}/svc/trpc/health`, { headers: cookieHeader(session) });
  assert.equal(res.status, 200, `GET /svc/trpc/health answered ${res.status}`);
  const body = (await res.json()) as { result: { data: TrpcHealth } };
  return body.result.data;
}

const testId = (page: Page, id: string) => page.getByTestId(id);

// Reported as a failed test (not only as cancelled suites) when `npm run build -w @bdi/dashboard` was not run.
test("the dashboard has a production build to start", () => {
  assertDashboardBuilt();
});

describe("dashboard against the running service", () => {
  let stack: Stack;
  let browser: Browser;

  before(async () => {
    assertDashboardBuilt();
    stack = await startStack();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it("Overview shows the service's health fetched by the browser through tRPC", async () => {
    const page = await browser.newPage();
    const errors = collectPageErrors(page);
    const trpcCalls: string[] = [];
    const direct: string[] = [];
    page.on("request", (r) => {
      if (r.url().startsWith(`${stack.dashboard.url}/svc/trpc/`)) trpcCalls.push(r.url());
      if (r.url().startsWith(stack.inference.url)) direct.push(r.url());
    });

    await page.goto(stack.dashboard.url);
    await testId(page, "health-status").and(page.locator('[data-status="ok"]')).waitFor();
    const expected = await serviceHealth(stack.dashboard.url, stack.adminSession);
    assert.equal(expected.status, "ok");
    assert.equal(expected.ready, true);
    assert.ok(expected.backbone, "the service reports a loaded backbone");

    assert.equal(await testId(page, "page-title").textContent(), "Overview");
    assert.equal(await testId(page, "health-status").textContent(), "OK");
    assert.equal(await testId(page, "health-backbone").textContent(), expected.backbone);
    assert.equal(await testId(page, "health-device").textContent(), expected.device);
    assert.equal(await testId(page, "health-model").textContent(), expected.model);
    assert.equal(await testId(page, "health-version").textContent(), expected.version);
    assert.equal(await testId(page, "health-ready").textContent(), "Ready for inference");
    assert.equal(await testId(page, "health-data-root").textContent(), stack.inference.dataRoot);
    assert.equal(await testId(page, "service-url").textContent(), `${stack.inference.url}/trpc`);
    assert.equal(await testId(page, "health-error").count(), 0, "no error banner while the service is up");

    // The header indicator reads the same query.
    await testId(page, "service-indicator").and(page.locator('[data-status="ok"]')).waitFor();
    assert.match((await testId(page, "service-indicator").textContent()) ?? "", new RegExp(`Service ready · ${expected.device}`));

    // The data came from the browser's own tRPC request to the dashboard's same-origin /svc proxy, not from a server
    // render (batched with the page's other queries: /svc/trpc/health,overview?batch=1…); never from the service itself.
    const procedures = trpcCalls.flatMap((u) => decodeURIComponent(new URL(u).pathname.slice("/svc/trpc/".length)).split(","));
    assert.ok(procedures.includes("health"), `browser called tRPC health: ${trpcCalls.join(", ")}`);
    assert.deepEqual(direct, [], "the browser never calls the service directly");
    assert.equal(await testId(page, "service-proxy-url").textContent(), "/svc/trpc");
    await screenshot(page, "overview-health-1280");
    assert.deepEqual(errors, [], "no console or HTTP errors");
    await page.close();
  });

  it("every section of the top nav opens and, on an empty data root, says what to do next", async () => {
    const page = await browser.newPage();
    const errors = collectPageErrors(page);
    await page.goto(stack.dashboard.url);
    const sections = [
      { link: "Datasets", path: "/datasets", title: "Datasets", empty: "datasets-empty", says: /upload/i },
      { link: "Fit & calibrate", path: "/fit", title: "Fit & calibrate", empty: "no-roi", says: /Datasets/ },
      { link: "Review", path: "/review", title: "Review", empty: "inspections-empty", says: /test upload/ },
      { link: "Models", path: "/models", title: "Models", empty: "no-roi", says: /upload/ },
      { link: "Shift report", path: "/report", title: "Shift report", empty: "no-roi", says: /Datasets/ },
      // Not empty: creating the first admin and signing in are the first audit events.
      { link: "Audit", path: "/audit", title: "Audit", empty: "audit-table", says: /e2e-admin/, rows: true },
      { link: "Overview", path: "/", title: "Overview", empty: "overview-empty", says: /Datasets/ },
    ];
    for (const s of sections) {
      await testId(page, "main-nav").getByRole("link", { name: s.link, exact: true }).click();
      await page.waitForURL(`${stack.dashboard.url}${s.path}`);
      await testId(page, "page-title").getByText(s.title, { exact: true }).waitFor();
      const current = testId(page, "main-nav").locator('[aria-current="page"]');
      assert.equal(await current.textContent(), s.link, `${s.link} is highlighted`);
      await testId(page, s.empty).waitFor();
      if ("rows" in s) await testId(page, "data-row").first().waitFor();
      assert.match((await testId(page, s.empty).textContent()) ?? "", s.says);
      assert.equal(await testId(page, "requires").count(), 0, "no page waits for a missing procedure");
      if (!("rows" in s)) assert.equal(await testId(page, "data-row").count(), 0, "no invented rows");
      assert.equal(await testId(page, "grid-item").count(), 0, "no invented samples");
      await screenshot(page, `nav-${s.path === "/" ? "overview" : s.path.slice(1)}`);
    }
    assert.deepEqual(errors, [], "no console or HTTP errors");
    const missing = await page.goto(`${stack.dashboard.url}/no-such-page`);
    assert.equal(missing?.status(), 404);
    await testId(page, "not-found").waitFor();
    await page.close();
  });

  it("works on a tablet viewport", async () => {
    const page = await browser.newPage();
    await page.setViewportSize({ width: 768, height: 1024 });
    await page.goto(stack.dashboard.url);
    await testId(page, "health-status").and(page.locator('[data-status="ok"]')).waitFor();
    const panel = await testId(page, "health-panel").boundingBox();
    assert.ok(panel && panel.width <= 768, `health panel fits the viewport (${panel?.width})`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.equal(overflow, 0, "no horizontal page scroll");
    await screenshot(page, "overview-health-tablet");
    await page.close();
  });

  it("the header names the signed-in user and role (no free-text operator box)", async () => {
    const page = await browser.newPage();
    await page.goto(stack.dashboard.url);
    assert.equal(await testId(page, "user-name").textContent(), stack.admin.username);
    assert.equal(await testId(page, "user-role").textContent(), "admin");
    assert.equal(await testId(page, "operator-button").count(), 0);
    const req = page.waitForRequest((r) => r.url().startsWith(`${stack.dashboard.url}/svc/trpc/`));
    await page.reload();
    const headers = (await req).headers();
    assert.equal(headers["x-actor"], undefined, "the browser sends no actor: the proxy forwards the session's identity");
    assert.equal(headers["x-bdi-identity"], undefined, "the identity token never reaches the browser");
    await page.close();
  });
});

describe("dashboard without a reachable service", () => {
  let dashboard: Dashboard;
  let browser: Browser;
  let deadPort: number;
  let deadUrl: string;
  let late: Inference | undefined;
  let dataRoot: string;
  let session: SessionCookie;
  const secret = newAuthSecret();
  const authEnv = { BDI_AUTH_SECRET: secret } as Partial<NodeJS.ProcessEnv> as NodeJS.ProcessEnv;

  before(async () => {
    assertDashboardBuilt();
    // A port nobody listens on: the same build, pointed elsewhere at run time.
    deadPort = await freePort();
    deadUrl = `http://127.0.0.1:${deadPort}`;
    dataRoot = mkdtempSync(path.join(os.tmpdir(), "bdi-e2e-data-"));
    const admin = account("e2e-admin", "admin");
    createUserWithCli(dataRoot, admin, { BDI_AUTH_SECRET: secret });
    dashboard = await startDashboard({ inferenceUrl: deadUrl, tag: "dashboard-unreachable", env: authEnv });
    // Signing in asks the service: sign in while one answers on that port, then stop it (the session outlives it).
    const early = await startInference({ port: deadPort, dataRoot, env: authEnv, waitReady: false, tag: "inference-sign-in" });
    try {
      for (let i = 0; ; i++) {
        try {
          session = await sessionCookie(dashboard.url, admin);
          break;
        } catch (err) {
          if (i >= 120) throw err;
          await sleep(500);
        }
      }
    } finally {
      await early.stop();
    }
    rememberSession(session);
    browser = await launchBrowser();
  });

  after(async () => {
    rememberSession(null);
    await browser?.close();
    await dashboard?.stop();
    await late?.stop();
    rmSync(dataRoot, { recursive: true, force: true });
  });

  it("shows a clear error banner naming the service URL", async () => {
    const page = await browser.newPage();
    await page.goto(dashboard.url);
    const banner = testId(page, "health-error");
    await banner.waitFor();
    const text = (await banner.textContent()) ?? "";
    assert.match(text, /Cannot reach the inference service/);
    assert.ok(text.includes(deadUrl), `banner names ${deadUrl}: ${text}`);
    assert.equal(await testId(page, "service-url").textContent(), `${deadUrl}/trpc`);
    await testId(page, "service-indicator").and(page.locator('[data-status="unreachable"]')).waitFor();
    assert.equal(await testId(page, "health-status").count(), 0, "no status badge without an answer");
    await screenshot(page, "overview-service-unreachable");
    await page.close();
  });

  it("recovers when the service comes up, after Retry", async () => {
    const page = await browser.newPage();
    await page.goto(dashboard.url);
    await testId(page, "health-error").waitFor();
    late = await startInference({ port: deadPort, dataRoot, env: authEnv, tag: "inference-late" });
    // The 10 s background refetch may beat the click; either way the panel must recover.
    await testId(page, "health-error").getByRole("button", { name: "Retry" }).click({ timeout: 3_000 }).catch(() => undefined);
    await testId(page, "health-status").and(page.locator('[data-status="ok"]')).waitFor();
    assert.equal(await testId(page, "health-error").count(), 0, "banner gone once the service answers");
    const expected = await serviceHealth(dashboard.url, session);
    assert.equal(await testId(page, "health-backbone").textContent(), expected.backbone);
    await screenshot(page, "overview-service-recovered");
    await page.close();
  });
});

describe("dashboard with a bad BDI_INFERENCE_URL", () => {
  let dashboard: Dashboard;
  let browser: Browser;

  before(async () => {
    assertDashboardBuilt();
    dashboard = await startDashboard({ inferenceUrl: "ftp://127.0.0.1:21", tag: "dashboard-misconfigured" });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await dashboard?.stop();
  });

  it("says what is wrong with the configuration instead of crashing", async () => {
    const page = await browser.newPage();
    const res = await page.goto(dashboard.url);
    assert.equal(res?.status(), 200);
    const text = (await testId(page, "config-error").textContent()) ?? "";
    assert.match(text, /misconfigured/);
    assert.match(text, /BDI_INFERENCE_URL must use http or https, got "ftp:\/\/127\.0\.0\.1:21"/);
    await page.close();
  });
});
