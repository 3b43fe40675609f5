import { test } from "node:test";
import assert from "node:assert/strict";
import { describeError } from "./errors.ts";

test("a failed fetch is an unreachable service", () => {
  const err = Object.assign(new Error("Failed to fetch"), { cause: new TypeError("Failed to fetch") });
  const d = describeError(err);
  assert.equal(d.unreachable, true);
  assert.equal(d.code, null);
  assert.match(d.message, /did not answer/);
});

test("a non-tRPC answer is unreachable too", () => {
  const d = describeError(new Error(`Unexpected token '<', "<!DOCTYPE "... is not valid JSON`));
  assert.equal(d.unreachable, true);
  assert.match(d.message, /not as a tRPC service/);
});

test("an error the service reported keeps its code and message", () => {
  const d = describeError(Object.assign(new Error("ROI r1 has 3 OK samples, needs 10"), { data: { code: "PRECONDITION_FAILED" } }));
  assert.deepEqual(d, { unreachable: false, code: "PRECONDITION_FAILED", message: "ROI r1 has 3 OK samples, needs 10" });
});

test("the dashboard proxy's 502 for a service that did not answer is unreachable, with its words", () => {
  const err = Object.assign(new Error("The inference service at http://127.0.0.1:9 did not answer (connect ECONNREFUSED 127.0.0.1:9)."), {
    data: { code: "BAD_GATEWAY", httpStatus: 502, serviceUnreachable: true },
  });
  const d = describeError(err);
  assert.equal(d.unreachable, true);
  assert.equal(d.code, null);
  assert.match(d.message, /did not answer/);
});

test("odd values do not throw", () => {
  assert.equal(describeError(undefined).message, "Unknown error");
  assert.equal(describeError("boom").message, "boom");
});

test("plainMessage: a decoder error becomes a sentence, the detail is kept apart", async () => {
  const { plainMessage } = await import("./errors.ts");
  const p = plainMessage("file 'crop7.png' could not be decoded as an image (PNG, JPEG, WebP or TIFF expected): vipspng: libpng read error");
  assert.match(p.text, /^file 'crop7.png' is not a readable image: .*Nothing was stored/);
  assert.doesNotMatch(p.text, /vips/);
  assert.equal(p.detail, "vipspng: libpng read error");
  assert.deepEqual(plainMessage("need at least 10 OK samples, found 3"), { text: "need at least 10 OK samples, found 3", detail: null });
});
