// Issue 4: with BDI_API_KEY set, the service refuses every route but /health without X-API-Key, tRPC and /api
// included, and the dashboard keeps working because the browser only talks to the dashboard's own /svc proxy, which
// adds the key from the dashboard process's environment. The key never reaches the browser.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import path from "node:path";
import type { Page } from "playwright-core";
import { collectPageErrors, launchBrowser, screenshot, type Browser } from "./helpers/browser.ts";
import { assertDashboardBuilt, startStack, type Stack } from "./helpers/stack.ts";
import { cookieHeader } from "./helpers/auth.ts";
import { bsdataDir } from "../../inference/src/testing/dataset.ts";

const DATA = bsdataDir();
const OK_FILES = Array.from({ length: 3 }, (_, i) => path.join(DATA, "train", "good", `${String(i).padStart(3, "0")}.png`));

const testId = (page: Page, id: string) => page.getByTestId(id);

describe("dashboard and service with BDI_API_KEY set", () => {
  const KEY = `e2e-key-${randomUUID()}`;
  let stack: Stack;
  let browser: Browser;

  before(async () => {
    assertDashboardBuilt();
    stack = await startStack({ sharedEnv: { BDI_API_KEY: KEY } });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it("the service refuses /trpc and /api without the key; /health stays open", async () => {
    const svc = stack.inference.url;
    assert.equal((await fetch(`${svc}/health`)).status, 200);
    const no = await fetch(`${svc}/trpc/health`);
    assert.equal(no.status, 401, "tRPC without X-API-Key");
    assert.equal(no.headers.get("www-authenticate"), "ApiKey");
    assert.equal(((await no.json()) as { error: { data: { code: string } } }).error.data.code, "UNAUTHORIZED");
    assert.equal((await fetch(`${svc}/trpc/health`, { headers: { "X-API-Key": "wrong" } })).status, 401);
    const keyOnly = await fetch(`${svc}/trpc/health`, { headers: { "X-API-Key": KEY } });
    assert.equal(keyOnly.status, 401, "the key is not a user: tRPC also needs the dashboard's identity token");
    assert.match(((await keyOnly.json()) as { error: { message: string } }).error.message, /^Sign in first/);
    assert.equal((await fetch(`${svc}/api/audit.csv`)).status, 401, "/api without X-API-Key");
    assert.equal((await fetch(`${svc}/state?role_id=r&roi_id=x`)).status, 401, "legacy REST without X-API-Key");
  });

  it("shows health, uploads and thumbnails through the dashboard's proxy; the key never reaches the browser", async () => {
    const page = await browser.newPage();
    const errors = collectPageErrors(page);
    const direct: string[] = [];
    const keyed: string[] = [];
    const proxied: string[] = [];
    page.on("request", (r) => {
      if (r.url().startsWith(stack.inference.url)) direct.push(r.url());
      if (r.headers()["x-api-key"] !== undefined) keyed.push(r.url());
      if (r.url().startsWith(`${stack.dashboard.url}/svc/`)) proxied.push(r.url());
    });
    page.on("response", async (r) => {
      const body = await r.text().catch(() => "");
      if (body.includes(KEY)) keyed.push(`response body of ${r.url()}`);
    });

    await page.goto(stack.dashboard.url);
    await testId(page, "health-status").and(page.locator('[data-status="ok"]')).waitFor();
    assert.equal(await testId(page, "health-ready").textContent(), "Ready for inference");
    assert.equal(await testId(page, "health-data-root").textContent(), stack.inference.dataRoot);
    assert.equal(await testId(page, "service-url").textContent(), `${stack.inference.url}/trpc`);

    // A FormData upload (streamed through the proxy) creates an ROI; its grid shows the service's thumbnails.
    await page.goto(`${stack.dashboard.url}/datasets`);
    await testId(page, "datasets-empty").waitFor();
    await testId(page, "new-recipe").fill("disc-keyed");
    await testId(page, "new-role").fill("master");
    await testId(page, "new-roi").fill("hub");
    await testId(page, "upload-drop").locator('input[type="file"]').setInputFiles(OK_FILES);
    await page.waitForURL(/roi=/);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="grid-item"]').length === 3);
    await page.waitForFunction(() => {
      const imgs = [...document.querySelectorAll<HTMLImageElement>('[data-testid="grid-item"] img')];
      return imgs.length === 3 && imgs.every((i) => i.complete && i.naturalWidth > 0);
    });
    const srcs = await page.locator('[data-testid="grid-item"] img').evaluateAll((els) => els.map((e) => e.getAttribute("src") ?? ""));
    for (const src of srcs) assert.match(src, /^\/svc\/api\/samples\/[A-Za-z0-9_-]+\/thumb\?size=\d+$/);
    await screenshot(page, "api-key-datasets-thumbnails");

    // The signed-in user's identity went through the proxy to the audit log (read back through the proxy).
    const csv = await (await fetch(`${stack.dashboard.url}/svc/api/audit.csv?actor=${encodeURIComponent(stack.admin.username)}`, { headers: cookieHeader(stack.adminSession) })).text();
    assert.match(csv, /sample\.create/, "the upload is in the audit log under the signed-in user's name");

    assert.ok(proxied.some((u) => u.includes("/svc/trpc/")) && proxied.some((u) => u.includes("/svc/api/")), "tRPC and images went through /svc");
    assert.deepEqual(direct, [], "the browser never calls the service directly");
    assert.deepEqual(keyed, [], "no request or response in the browser carries the key");
    assert.ok(!(await page.content()).includes(KEY), "the key is not in the page");
    assert.ok(!(await (await fetch(stack.dashboard.url)).text()).includes(KEY), "nor in the server-rendered HTML");
    assert.deepEqual(errors, [], "no console or HTTP errors");
    await page.close();
  });

  it("the proxy forwards only tRPC and /api, and refuses path tricks", async () => {
    const base = stack.dashboard.url;
    assert.equal((await fetch(`${base}/svc/trpc/health`, { headers: cookieHeader(stack.adminSession) })).status, 200, "the proxy adds the key");
    assert.equal((await fetch(`${base}/svc/trpc/health`)).status, 401, "but only for a signed-in user");
    for (const p of ["/svc/metrics", "/svc/state", "/svc/api/%2e%2e/metrics", "/svc/api/samples%2F..%2F..%2Fmetrics", "/svc/trpc"]) {
      const res = await fetch(`${base}${p}`, { redirect: "manual" });
      assert.equal(res.status, 404, `${p} → ${res.status}`);
      assert.ok(!(await res.text()).includes("bdi_"), `${p} leaks nothing of the service`);
    }
  });
});
