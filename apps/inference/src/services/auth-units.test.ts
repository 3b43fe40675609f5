// The pieces of sign-in without HTTP: scrypt hashes, the rate limiter's windows, and the users use cases' rules.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { hashPassword, verifyPassword } from "./passwords.ts";
import { MAX_FAILURES_PER_IP, MAX_FAILURES_PER_NAME, SignInLimiter } from "./sign-in-limiter.ts";
import { addUser, setUserDisabled, setUserRole } from "./users.ts";
import { makeTestCtx, type TestCtx } from "../trpc/test-support.ts";

describe("passwords (scrypt)", () => {
  it("verifies the right password only; the stored form names its parameters and salts every hash", async () => {
    const h = await hashPassword("correct horse battery");
    assert.match(h, /^scrypt\$17\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    assert.equal(await verifyPassword("correct horse battery", h), true);
    assert.equal(await verifyPassword("correct horse batterY", h), false);
    assert.notEqual(await hashPassword("correct horse battery"), h, "a fresh salt each time");
    assert.equal(await verifyPassword("x", "md5$abc"), false, "a foreign hash never verifies");
    assert.equal(await verifyPassword("x", "scrypt$40$8$1$AAAA$AAAA"), false, "absurd cost parameters are refused");
  });
});

describe("sign-in limiter", () => {
  it("locks a name after 5 failures in 15 min, an address after 20, and a success clears the name", () => {
    let now = 1_000_000;
    const l = new SignInLimiter(() => now);
    for (let i = 0; i < MAX_FAILURES_PER_NAME - 1; i++) l.fail("Anna", "10.0.0.1");
    assert.equal(l.blockedFor("anna", "10.0.0.1"), 0);
    l.succeed("anna");
    for (let i = 0; i < MAX_FAILURES_PER_NAME - 1; i++) l.fail("anna", "10.0.0.1");
    assert.equal(l.blockedFor("anna", "10.0.0.1"), 0, "the success cleared the earlier failures");
    l.fail("anna", "10.0.0.1");
    assert.equal(l.blockedFor("ANNA", "10.0.0.9"), 900, "locked for 15 min, whatever the case or address");
    now += 901_000;
    assert.equal(l.blockedFor("anna", "10.0.0.1"), 0, "free again after the window");
    const m = new SignInLimiter(() => now);
    for (let i = 0; i < MAX_FAILURES_PER_IP; i++) m.fail(`user${i}`, "10.0.0.2");
    assert.ok(m.blockedFor("someone-else", "10.0.0.2") > 0, "one address trying many names is locked");
    assert.equal(m.blockedFor("someone-else", "10.0.0.3"), 0);
  });
});

describe("users use cases", () => {
  let t: TestCtx;
  before(async () => {
    t = await makeTestCtx({ backbone: "starting" });
  });
  after(() => t.cleanup());
  const who = { actor: "cli:test" };

  it("validates name, role and password; refuses a duplicate; keeps the last admin", async () => {
    await assert.rejects(addUser(t.ctx, { username: "a b", role: "admin", password: "long-enough-pw" }, who), /user name/);
    await assert.rejects(addUser(t.ctx, { username: "ada", role: "root", password: "long-enough-pw" }, who), /role/);
    await assert.rejects(addUser(t.ctx, { username: "ada", role: "admin", password: "short" }, who), /at least 10/);
    await assert.rejects(addUser(t.ctx, { username: "ada", role: "admin" }, who), /password or an OpenID Connect subject/);
    const ada = await addUser(t.ctx, { username: "ada", role: "admin", password: "long-enough-pw" }, who);
    assert.equal(ada.hasPassword, true);
    await assert.rejects(addUser(t.ctx, { username: "ada", role: "viewer", password: "long-enough-pw" }, who), /already exists/);
    await assert.rejects(setUserRole(t.ctx, "ada", "engineer", who), /last active admin/);
    await assert.rejects(setUserDisabled(t.ctx, "ada", true, who), /last active admin/);
    await addUser(t.ctx, { username: "bea", role: "admin", password: "long-enough-pw" }, who);
    assert.equal((await setUserRole(t.ctx, "ada", "engineer", who)).role, "engineer");
    const audit = await t.caller().audit.list({ entityType: "user" });
    assert.ok(audit.items.every((e) => e.actor === "cli:test"));
    assert.ok(!JSON.stringify(audit.items).includes("scrypt"), "no hash in the audit log");
  });
});
