import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { oidcSettings, secureCookies, sessionMaxAgeS, sessionSecret, sharedAuthSecret } from "./auth-config.ts";

test("the shared key: BDI_AUTH_SECRET, else the data root's auth-secret file, else none", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "bdi-auth-config-"));
  try {
    assert.equal(sharedAuthSecret({ BDI_DATA_ROOT: dir }), undefined);
    writeFileSync(path.join(dir, "auth-secret"), "from-the-file\n");
    assert.equal(sharedAuthSecret({ BDI_DATA_ROOT: dir }), "from-the-file");
    assert.equal(sharedAuthSecret({ BDI_DATA_ROOT: dir, BDI_AUTH_SECRET: " from-env " }), "from-env");
    assert.equal(sharedAuthSecret({}), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the session secret is derived from, never equal to, the shared key (NEXTAUTH_SECRET wins)", () => {
  const derived = sessionSecret({ BDI_AUTH_SECRET: "k".repeat(40) });
  assert.ok(derived && derived !== "k".repeat(40) && derived.length === 64);
  assert.equal(sessionSecret({ BDI_AUTH_SECRET: "k".repeat(40) }), derived, "stable across restarts");
  assert.equal(sessionSecret({ BDI_AUTH_SECRET: "k".repeat(40), NEXTAUTH_SECRET: "explicit" }), "explicit");
  assert.equal(sessionSecret({}), undefined);
});

test("OpenID Connect: all three variables or none; cookies Secure only behind https; session hours bounded", () => {
  assert.equal(oidcSettings({}), null);
  assert.throws(() => oidcSettings({ BDI_OIDC_ISSUER: "https://idp.example" }), /together/);
  const s = oidcSettings({ BDI_OIDC_ISSUER: "https://idp.example/", BDI_OIDC_CLIENT_ID: "bdi", BDI_OIDC_CLIENT_SECRET: "s" });
  assert.deepEqual(s, { issuer: "https://idp.example", clientId: "bdi", clientSecret: "s", name: "single sign-on", scope: "openid profile email" });
  assert.equal(secureCookies({ NEXTAUTH_URL: "https://qa.plant" }), true);
  assert.equal(secureCookies({ NEXTAUTH_URL: "http://qa.plant:3000" }), false);
  assert.equal(sessionMaxAgeS({}), 12 * 3600);
  assert.equal(sessionMaxAgeS({ BDI_SESSION_HOURS: "8" }), 8 * 3600);
  assert.equal(sessionMaxAgeS({ BDI_SESSION_HOURS: "1000" }), 12 * 3600, "out of range → default");
});
