import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { signIdentityToken, verifyIdentityToken } from "./identity-token.ts";
import { roleAtLeast } from "./roles.ts";

const SECRET = "a-test-secret-of-enough-length-0123456789";

describe("identity token", () => {
  it("round-trips the user and its purpose", async () => {
    const t = await signIdentityToken(SECRET, { sub: "u1", name: "anna" });
    const r = await verifyIdentityToken(SECRET, t);
    assert.ok(r.ok);
    assert.equal(r.claims.sub, "u1");
    assert.equal(r.claims.name, "anna");
    assert.equal(r.claims.purpose, "user");
  });

  it("refuses another key, a changed payload or signature, and expired or far-future tokens", async () => {
    const now = Date.now();
    const t = await signIdentityToken(SECRET, { sub: "u1", name: "anna" }, now);
    assert.equal((await verifyIdentityToken("another-secret-of-enough-length-0123", t)).ok, false);
    const [h, p, s] = t.split(".");
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, "base64url").toString()), name: "admin" })).toString("base64url");
    assert.deepEqual(await verifyIdentityToken(SECRET, `${h}.${forged}.${s}`), { ok: false, reason: "identity token signature does not verify" });
    const flipped = s!.slice(0, -2) + (s!.endsWith("AA") ? "BB" : "AA");
    assert.equal((await verifyIdentityToken(SECRET, `${h}.${p}.${flipped}`)).ok, false);
    assert.deepEqual(await verifyIdentityToken(SECRET, t, now + 200_000), { ok: false, reason: "identity token expired" });
    assert.equal((await verifyIdentityToken(SECRET, await signIdentityToken(SECRET, { sub: "u", name: "n" }, now + 120_000), now)).ok, false);
    const none = Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url");
    assert.deepEqual(await verifyIdentityToken(SECRET, `${none}.${p}.`), { ok: false, reason: "malformed identity token" });
    assert.equal((await verifyIdentityToken(SECRET, "garbage")).ok, false);
  });
});

describe("roles", () => {
  it("each role includes the ones below it", () => {
    assert.equal(roleAtLeast("admin", "engineer"), true);
    assert.equal(roleAtLeast("engineer", "engineer"), true);
    assert.equal(roleAtLeast("reviewer", "engineer"), false);
    assert.equal(roleAtLeast("viewer", "reviewer"), false);
  });
});
