// OpenID Connect sign-in against a real provider (panva's oidc-provider on loopback, ./helpers/oidc.ts): the
// dashboard configured only by BDI_OIDC_* offers the button, the provider's login and consent screens are filled in
// the browser, and the service creates the user at the first login (BDI_OIDC_DEFAULT_ROLE, default viewer) and finds
// the same user at the next one.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { launchBrowser, screenshot, type Browser } from "./helpers/browser.ts";
import { assertDashboardBuilt, startStack, type Stack } from "./helpers/stack.ts";
import { cookieHeader } from "./helpers/auth.ts";
import { freePort } from "@bdi/core/testing/free-port";
import { startTestIdp, TEST_IDP_CLIENT, type TestIdp } from "./helpers/oidc.ts";

const id = (page: Page, testId: string) => page.getByTestId(testId);

describe("OpenID Connect sign-in", () => {
  let stack: Stack;
  let idp: TestIdp;
  let browser: Browser;

  before(async () => {
    assertDashboardBuilt();
    const idpPort = await freePort();
    stack = await startStack({
      dashboardEnv: {
        BDI_OIDC_ISSUER: `http://127.0.0.1:${idpPort}`,
        BDI_OIDC_CLIENT_ID: TEST_IDP_CLIENT.clientId,
        BDI_OIDC_CLIENT_SECRET: TEST_IDP_CLIENT.clientSecret,
        BDI_OIDC_NAME: "Plant SSO",
      },
    });
    idp = await startTestIdp({ port: idpPort, redirectUri: `${stack.dashboard.url}/api/auth/callback/oidc` });
    browser = await launchBrowser({ signedIn: false });
  });

  after(async () => {
    await browser?.close();
    await idp?.stop();
    await stack?.stop();
  });

  async function signInWithIdp(page: Page, login: string) {
    // The provider's development screens import a web font: nothing leaves this machine.
    await page.route((u) => !u.hostname.startsWith("127.0.0.1"), (r) => r.abort());
    await page.goto(`${stack.dashboard.url}/signin`);
    await id(page, "sign-in-oidc").getByText("Sign in with Plant SSO").click();
    const atIdp = (u: URL) => u.toString().startsWith(`${idp.issuer}/interaction/`);
    const backHome = (u: URL) => u.toString().startsWith(stack.dashboard.url) && !u.pathname.startsWith("/signin");
    await page.waitForURL((u) => atIdp(u) || backHome(u), { waitUntil: "commit" });
    // A second sign-in rides on the provider's own session: no login screen then.
    if (atIdp(new URL(page.url()))) {
      await page.locator('input[name="login"]').fill(login);
      await page.locator('input[name="password"]').fill("whatever-the-idp-accepts");
      await page.locator('button[type="submit"]').click();
      await page.locator('button[type="submit"]', { hasText: "Continue" }).click(); // the provider's consent screen
      await page.waitForURL(backHome, { waitUntil: "commit" });
    }
    await id(page, "user-menu").waitFor();
  }

  async function oidcUsers(): Promise<Array<{ username: string; role: string; signIn: string; displayName: string | null }>> {
    const r = await fetch(`${stack.dashboard.url}/svc/trpc/users.list`, { headers: cookieHeader(stack.adminSession) });
    return ((await r.json()) as { result: { data: Array<{ username: string; role: string; signIn: string; displayName: string | null }> } }).result.data.filter((u) => u.signIn === "oidc");
  }

  it("the first login creates a viewer named after the provider's preferred_username; the next one finds it", async () => {
    const page = await browser.newPage();
    await signInWithIdp(page, "olga");
    assert.equal(await id(page, "user-name").textContent(), "Operator olga", "the provider's display name");
    assert.equal(await id(page, "user-role").textContent(), "viewer");
    await screenshot(page, "oidc-signed-in");
    const users = (await oidcUsers()).map(({ username, role, signIn }) => ({ username, role, signIn }));
    assert.deepEqual(users, [{ username: "olga", role: "viewer", signIn: "oidc" }]);
    await id(page, "sign-out").click();
    await page.waitForURL(/\/signin/);
    await signInWithIdp(page, "olga");
    assert.equal((await oidcUsers()).length, 1, "the same user, not a second one");
    await page.close();
  });
});
