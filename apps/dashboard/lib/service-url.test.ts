import { test } from "node:test";
import assert from "node:assert/strict";
import { resolveInferenceUrl, trpcUrl } from "./service-url.ts";

test("defaults to 127.0.0.1:8000", () => {
  assert.equal(resolveInferenceUrl({}), "http://127.0.0.1:8000");
});

test("follows BDI_PORT when no explicit URL is set", () => {
  assert.equal(resolveInferenceUrl({ BDI_PORT: "8123" }), "http://127.0.0.1:8123");
  assert.equal(resolveInferenceUrl({ BDI_PORT: "  " }), "http://127.0.0.1:8000");
});

test("BDI_INFERENCE_URL wins and loses its trailing slash", () => {
  assert.equal(resolveInferenceUrl({ BDI_INFERENCE_URL: "http://svc:9000/", BDI_PORT: "1" }), "http://svc:9000");
  assert.equal(resolveInferenceUrl({ BDI_INFERENCE_URL: "https://qa.example/bdi//" }), "https://qa.example/bdi");
});

test("rejects values that are not http(s) URLs or ports", () => {
  assert.throws(() => resolveInferenceUrl({ BDI_INFERENCE_URL: "svc:9000" }), /http or https/);
  assert.throws(() => resolveInferenceUrl({ BDI_INFERENCE_URL: "not a url" }), /absolute http\(s\) URL/);
  assert.throws(() => resolveInferenceUrl({ BDI_PORT: "80a" }), /BDI_PORT/);
  assert.throws(() => resolveInferenceUrl({ BDI_PORT: "70000" }), /BDI_PORT/);
});

test("trpcUrl appends /trpc once", () => {
  assert.equal(trpcUrl("http://127.0.0.1:8000"), "http://127.0.0.1:8000/trpc");
  assert.equal(trpcUrl("http://127.0.0.1:8000/"), "http://127.0.0.1:8000/trpc");
});
