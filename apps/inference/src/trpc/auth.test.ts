// Sign-in and roles over real HTTP (issue 13): every tRPC procedure and every /api route — both enumerated from the
// running app, so a procedure or route added later is covered without touching this file — refuses an anonymous
// call; a tampered, foreign-key or expired identity token is refused (and audited); a reviewer cannot start a fit;
// the dashboard's sign-in calls check the password, rate-limit failures and audit them.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { FastifyInstance } from "fastify";
import { IDENTITY_HEADER, signIdentityToken } from "@bdi/core/auth/identity-token";
import { roleAtLeast, type Role } from "@bdi/core/auth/roles";
import { buildApp } from "../app.ts";
import { DASHBOARD_SUBJECT } from "../services/auth.ts";
import { setUserDisabled } from "../services/users.ts";
import { signedInAs, TEST_AUTH_SECRET } from "../testing/auth.ts";
import { appRouter } from "./router.ts";
import { makeTestCtx, type TestCtx } from "./test-support.ts";

type ProcDef = { type: "query" | "mutation" | "subscription"; meta?: { role?: Role } };
/** Every procedure of the router, by its dotted path (tRPC keeps a flat record of them). */
function procedures(): Array<[string, ProcDef]> {
  const isProc = (v: unknown): v is { _def: ProcDef } => typeof v === "function" || (typeof v === "object" && v !== null && "_def" in v);
  const flat: Record<string, unknown> = appRouter._def.procedures;
  return Object.entries(flat).flatMap(([p, proc]) => (isProc(proc) ? [[p, proc._def] as [string, ProcDef]] : []));
}

/** Every /api route of the app with its methods, read from Fastify's route table. */
function apiRoutes(app: FastifyInstance): Array<{ method: string; url: string }> {
  const out: Array<{ method: string; url: string }> = [];
  const table = app.printRoutes({ commonPrefix: false });
  for (const m of table.matchAll(/(\/api\/\S+) \(([A-Z, ]+)\)/g)) {
    for (const method of m[2]!.split(",").map((s) => s.trim())) if (method !== "HEAD") out.push({ method, url: m[1]!.replace(/:(\w+)/g, "x$1") });
  }
  return out;
}

describe("sign-in and roles over HTTP", () => {
  let t: TestCtx;
  let app: FastifyInstance;
  let base: string;
  let reviewer: () => Promise<Record<string, string>>;
  let engineer: () => Promise<Record<string, string>>;

  before(async () => {
    t = await makeTestCtx({ backbone: "starting" });
    app = await buildApp(t.ctx, { logger: false });
    await app.listen({ port: 0, host: "127.0.0.1" });
    const addr = app.server.address();
    base = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;
    reviewer = await signedInAs(t.ctx, "rita", "reviewer");
    engineer = await signedInAs(t.ctx, "emil", "engineer", "emil-password-1");
  });
  after(async () => {
    await app.close();
    await t.cleanup();
  });

  /** Calls a procedure the way the dashboard's client does (GET for queries and subscriptions, POST for mutations). */
  function callProcedure(path: string, def: ProcDef, headers: Record<string, string> = {}) {
    const url = `${base}/trpc/${path}`;
    if (def.type === "mutation") return fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: "{}" });
    const accept: Record<string, string> = def.type === "subscription" ? { accept: "text/event-stream" } : {};
    return fetch(`${url}?input=${encodeURIComponent("{}")}`, { headers: { ...accept, ...headers } });
  }

  it("every procedure declares its least role, and none that changes anything is open to a viewer", () => {
    const all = procedures();
    assert.ok(all.length >= 30, `found ${all.length} procedures`);
    for (const [path, def] of all) {
      assert.ok(def.meta?.role, `${path} has no role: build it from viewer/reviewer/engineer/adminProcedure`);
      if (def.type === "mutation") assert.ok(roleAtLeast(def.meta.role, "reviewer"), `${path} changes state but a viewer may call it`);
    }
  });

  it("every tRPC procedure refuses an anonymous call (401, tRPC envelope) before it runs", async () => {
    for (const [path, def] of procedures()) {
      const r = await callProcedure(path, def);
      assert.equal(r.status, 401, `${def.type} ${path}`);
      const body = (await r.json()) as { error: { message: string; data: { code: string } } };
      assert.equal(body.error.data.code, "UNAUTHORIZED", path);
      assert.match(body.error.message, /^Sign in first/, path);
    }
    // batched calls too
    const batch = await fetch(`${base}/trpc/health,overview?batch=1&input=${encodeURIComponent("{}")}`);
    assert.equal(batch.status, 401);
  });

  it("every /api route refuses an anonymous call (401), known or not", async () => {
    const routes = apiRoutes(app).filter((r) => !r.url.startsWith("/api/auth/"));
    assert.ok(routes.length >= 5, JSON.stringify(routes));
    for (const { method, url } of [...routes, { method: "GET", url: "/api/no-such-route" }]) {
      const r = await fetch(`${base}${url}`, { method });
      assert.equal(r.status, 401, `${method} ${url}`);
      assert.match(((await r.json()) as { error: string }).error, /^Sign in first/);
      assert.match(r.headers.get("www-authenticate") ?? "", /^Bearer/);
    }
  });

  it("a tampered, foreign-key, expired or sign-in-purpose token is refused; a forged one is audited", async () => {
    const good = (await engineer())[IDENTITY_HEADER]!;
    const [h, p, s] = good.split(".");
    const claims = JSON.parse(Buffer.from(p!, "base64url").toString());
    const asAdmin = `${h}.${Buffer.from(JSON.stringify({ ...claims, name: "root", sub: "someone-else" })).toString("base64url")}.${s}`;
    const foreign = await signIdentityToken("another-key-that-is-long-enough-000000", { sub: claims.sub, name: claims.name });
    const expired = await signIdentityToken(TEST_AUTH_SECRET, { sub: claims.sub, name: claims.name }, Date.now() - 10 * 60_000);
    const signInToken = await signIdentityToken(TEST_AUTH_SECRET, { sub: DASHBOARD_SUBJECT, name: DASHBOARD_SUBJECT, purpose: "sign-in" });
    for (const [label, token, why] of [
      ["tampered", asAdmin, /signature/],
      ["foreign key", foreign, /signature/],
      ["expired", expired, /expired/],
      ["sign-in purpose", signInToken, /not a user token/],
    ] as const) {
      for (const url of ["/trpc/overview", "/api/audit.csv"]) {
        const r = await fetch(`${base}${url}`, { headers: { [IDENTITY_HEADER]: token } });
        assert.equal(r.status, 401, `${label} ${url}`);
        const text = await r.text();
        assert.match(text, why, `${label} ${url}`);
      }
    }
    const ok = await fetch(`${base}/trpc/overview`, { headers: { [IDENTITY_HEADER]: good } });
    assert.equal(ok.status, 200);
    const refused = await t.caller().audit.list({ action: "auth.token_refused" });
    assert.ok(refused.items.length >= 6, "tampered and foreign-key tokens are audited");
    assert.ok(refused.items.every((e) => e.actor === "anonymous"));
  });

  it("a reviewer cannot start a fit (403, audited under their name); an engineer's call gets past the role check", async () => {
    const r = await fetch(`${base}/trpc/fit.start`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(await reviewer()) },
      body: JSON.stringify({ roiId: "nope" }),
    });
    assert.equal(r.status, 403);
    const body = (await r.json()) as { error: { message: string; data: { code: string } } };
    assert.equal(body.error.data.code, "FORBIDDEN");
    assert.match(body.error.message, /fit\.start needs the engineer role; rita is a reviewer/);
    const audit = await t.caller().audit.list({ action: "auth.forbidden" });
    assert.equal(audit.items[0]!.actor, "rita");
    assert.match(audit.items[0]!.entityId, /fit\.start/);
    const asEngineer = await fetch(`${base}/trpc/fit.start`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(await engineer()) },
      body: JSON.stringify({ roiId: "nope" }),
    });
    assert.notEqual(asEngineer.status, 403, "the engineer passes the role check (the unknown ROI is the next problem)");
    assert.notEqual(asEngineer.status, 401);
    // The reviewer may still read and review.
    assert.equal((await fetch(`${base}/trpc/overview`, { headers: await reviewer() })).status, 200);
  });

  it("users.list is for admins: no password hashes; an engineer is refused", async () => {
    const admin = await signedInAs(t.ctx, "ada", "admin", "ada-password-01");
    const r = await fetch(`${base}/trpc/users.list`, { headers: await admin() });
    assert.equal(r.status, 200);
    const text = await r.text();
    assert.ok(!/scrypt|passwordHash/.test(text), "no hashes leave the service");
    const users = (JSON.parse(text) as { result: { data: Array<{ username: string; role: string; signIn: string }> } }).result.data;
    assert.deepEqual(users.find((u) => u.username === "ada"), { ...users.find((u) => u.username === "ada")!, role: "admin", signIn: "password" });
    assert.equal((await fetch(`${base}/trpc/users.list`, { headers: await engineer() })).status, 403);
  });

  it("a disabled user's still-valid token stops working at once", async () => {
    const tmp = await signedInAs(t.ctx, "tomas", "viewer");
    assert.equal((await fetch(`${base}/trpc/overview`, { headers: await tmp() })).status, 200);
    await setUserDisabled(t.ctx, "tomas", true, { actor: "test" });
    const r = await fetch(`${base}/trpc/overview`, { headers: await tmp() });
    assert.equal(r.status, 401);
    assert.match(await r.text(), /disabled/);
  });

  describe("the dashboard's sign-in calls (/api/auth/*)", () => {
    const signInHeaders = async () => ({
      "content-type": "application/json",
      [IDENTITY_HEADER]: await signIdentityToken(TEST_AUTH_SECRET, { sub: DASHBOARD_SUBJECT, name: DASHBOARD_SUBJECT, purpose: "sign-in" }),
    });
    const password = async (username: string, pw: string, headers?: Record<string, string>) =>
      fetch(`${base}/api/auth/password`, { method: "POST", headers: headers ?? (await signInHeaders()), body: JSON.stringify({ username, password: pw, ip: "10.0.0.7" }) });

    it("only the dashboard (holder of the key) may ask; a user's token is not enough", async () => {
      assert.equal((await password("emil", "emil-password-1", { "content-type": "application/json" })).status, 401);
      assert.equal((await password("emil", "emil-password-1", { "content-type": "application/json", ...(await engineer()) })).status, 401);
      assert.equal((await fetch(`${base}/api/auth/password`, { method: "POST", headers: await signInHeaders(), body: "{" })).status, 400);
    });

    it("the right password returns the user; a wrong one or an unknown user the same 401, each audited", async () => {
      const ok = await password("emil", "emil-password-1");
      assert.equal(ok.status, 200);
      assert.deepEqual(((await ok.json()) as { user: { username: string; role: string } }).user.role, "engineer");
      const wrong = await password("emil", "not-the-password");
      const unknown = await password("nobody", "not-the-password");
      assert.equal(wrong.status, 401);
      assert.equal(unknown.status, 401);
      assert.deepEqual(await wrong.json(), await unknown.json(), "no hint which names exist");
      const failed = await t.caller().audit.list({ action: "auth.sign_in_failed" });
      const reasons = failed.items.map((e) => (e.after as { reason?: string } | null)?.reason);
      assert.ok(reasons.includes("wrong_password") && reasons.includes("unknown_user"), JSON.stringify(reasons));
      const signIns = await t.caller().audit.list({ action: "auth.sign_in" });
      assert.equal(signIns.items[0]!.actor, "emil");
    });

    it("five failures lock the name: even the right password gets 429 with Retry-After", async () => {
      await signedInAs(t.ctx, "lena", "viewer", "lena-password-1");
      for (let i = 0; i < 5; i++) assert.equal((await password("lena", `wrong-${i}-password`)).status, 401);
      const locked = await password("lena", "lena-password-1");
      assert.equal(locked.status, 429);
      assert.ok(Number(locked.headers.get("retry-after")) > 0);
      assert.match(((await locked.json()) as { error: string }).error, /Too many failed sign-ins/);
    });
  });
});
