import { test } from "node:test";
import assert from "node:assert/strict";
import {
  fetchFailureReason,
  forwardRequestHeaders,
  proxiedServicePath,
  proxyApiKey,
  proxyErrorBody,
  relayResponseHeaders,
  serviceTarget,
} from "./service-proxy.ts";
import { assetUrl } from "./assets.ts";

test("forwards only /svc/trpc/… and /svc/api/…, query kept", () => {
  assert.equal(proxiedServicePath("/svc/trpc/health"), "/trpc/health");
  assert.equal(proxiedServicePath("/svc/trpc/health,overview", "?batch=1&input=%7B%7D"), "/trpc/health,overview?batch=1&input=%7B%7D");
  assert.equal(proxiedServicePath("/svc/api/samples/abc_1/thumb", "?size=256"), "/api/samples/abc_1/thumb?size=256");
  assert.equal(proxiedServicePath("/svc/api/audit.csv"), "/api/audit.csv");
  assert.equal(proxiedServicePath("/svc/trpc/fit.progress", "?input=%7B%22roiId%22%3A%22r1%22%7D"), "/trpc/fit.progress?input=%7B%22roiId%22%3A%22r1%22%7D");
});

test("refuses everything else: other roots, bare prefixes, dot segments, encoded slashes, bad escapes", () => {
  for (const p of [
    "/svc",
    "/svc/",
    "/svc/trpc",
    "/svc/trpc/",
    "/svc/api",
    "/svc/health",
    "/svc/metrics",
    "/svc/state",
    "/svc/docs",
    "/svc/TRPC/health",
    "/svc/%74rpc/health",
    "/svc/trpc/../metrics",
    "/svc/api/./audit.csv",
    "/svc/api/%2e%2e/metrics",
    "/svc/api/%2E%2E/metrics",
    "/svc/trpc/%2F%2Fevil.example",
    "/svc/api/samples%2F..%2F..%2Fmetrics",
    "/svc/api/samples%5C..%5Cmetrics",
    "/svc/api//audit.csv",
    "/svc/api/audit.csv/",
    "/svc/api/%zz",
    "/svc/api/a%00b",
    "/svc/api/a%0d%0aX-Injected:1",
    "/svcx/trpc/health",
    "/other/trpc/health",
    "//svc/trpc/health",
  ]) {
    assert.equal(proxiedServicePath(p, ""), null, p);
  }
});

test("the target stays under the configured base, path prefix included", () => {
  assert.equal(serviceTarget("http://127.0.0.1:8000", "/trpc/health"), "http://127.0.0.1:8000/trpc/health");
  assert.equal(serviceTarget("https://qa.example/bdi", "/api/audit.csv?actor=a"), "https://qa.example/bdi/api/audit.csv?actor=a");
  assert.equal(serviceTarget("https://qa.example/bdi/", "/trpc/health"), "https://qa.example/bdi/trpc/health");
});

test("request headers: allow-listed ones pass, the browser's cookies, key, identity and actor do not, the server's are added", () => {
  const incoming = new Headers({
    "content-type": "multipart/form-data; boundary=x",
    "content-length": "123",
    "x-actor": "Anna QA",
    "x-bdi-identity": "forged.by.browser",
    "x-request-id": "req-1",
    "if-none-match": '"abc"',
    cookie: "session=1",
    authorization: "Bearer t",
    "x-api-key": "from-the-browser",
    host: "dashboard:3000",
    connection: "keep-alive",
    "transfer-encoding": "chunked",
    origin: "http://dashboard:3000",
  });
  const out = forwardRequestHeaders(incoming, "s3cret", { header: "x-bdi-identity", token: "signed.by.dashboard" });
  assert.equal(out.get("content-type"), "multipart/form-data; boundary=x");
  assert.equal(out.get("content-length"), "123");
  assert.equal(out.get("x-actor"), null, "the audit actor is the signed-in user, never a header the browser sets");
  assert.equal(out.get("x-bdi-identity"), "signed.by.dashboard");
  assert.equal(forwardRequestHeaders(incoming, "s3cret").get("x-bdi-identity"), null, "no session: no identity, not even the browser's");
  assert.equal(out.get("x-request-id"), "req-1");
  assert.equal(out.get("if-none-match"), '"abc"');
  assert.equal(out.get("x-api-key"), "s3cret");
  for (const h of ["cookie", "authorization", "host", "connection", "transfer-encoding", "origin"]) assert.equal(out.get(h), null, h);
  assert.equal(forwardRequestHeaders(incoming, undefined).get("x-api-key"), null, "no key configured: none sent, not even the browser's");
});

test("the key comes from BDI_API_KEY, else BACKEND_API_KEY", () => {
  assert.equal(proxyApiKey({}), undefined);
  assert.equal(proxyApiKey({ BDI_API_KEY: " k1 ", BACKEND_API_KEY: "k2" }), "k1");
  assert.equal(proxyApiKey({ BDI_API_KEY: "", BACKEND_API_KEY: "k2" }), "k2");
});

test("response headers: hop-by-hop, Connection-listed, CORS and cookies dropped; the rest relayed", () => {
  const up = new Headers({
    "content-type": "image/webp",
    "content-length": "42",
    etag: '"abc-256"',
    "cache-control": "private, max-age=31536000, immutable",
    "x-request-id": "req-1",
    "content-disposition": 'attachment; filename="audit.csv"',
    connection: "keep-alive, x-secret-hop",
    "keep-alive": "timeout=72",
    "x-secret-hop": "1",
    "transfer-encoding": "chunked",
    "access-control-allow-origin": "*",
    "set-cookie": "a=b",
  });
  const out = relayResponseHeaders(up);
  for (const h of ["content-type", "content-length", "etag", "cache-control", "x-request-id", "content-disposition"]) assert.equal(out.get(h), up.get(h), h);
  for (const h of ["connection", "keep-alive", "x-secret-hop", "transfer-encoding", "access-control-allow-origin", "set-cookie"]) assert.equal(out.get(h), null, h);
});

test("a body fetch already decoded loses Content-Encoding/Length; event streams are not buffered", () => {
  const gz = relayResponseHeaders(new Headers({ "content-type": "application/json", "content-encoding": "gzip", "content-length": "10" }));
  assert.equal(gz.get("content-encoding"), null);
  assert.equal(gz.get("content-length"), null);
  const sse = relayResponseHeaders(new Headers({ "content-type": "text/event-stream", "cache-control": "no-cache" }));
  assert.match(sse.get("cache-control") ?? "", /no-transform/);
  assert.equal(sse.get("x-accel-buffering"), "no");
});

test("error bodies: a tRPC envelope under /trpc (unreachable flag in data), { error } under /api", () => {
  const t = proxyErrorBody("/trpc/health", 502, "down", { serviceUnreachable: true }) as { error: { message: string; code: number; data: Record<string, unknown> } };
  assert.equal(t.error.message, "down");
  assert.equal(typeof t.error.code, "number");
  assert.deepEqual(t.error.data, { code: "BAD_GATEWAY", httpStatus: 502, serviceUnreachable: true });
  assert.deepEqual(proxyErrorBody("/api/audit.csv", 502, "down", { serviceUnreachable: true }), { error: "down", serviceUnreachable: true });
});

test("fetch failure reasons name the innermost cause", () => {
  const err = new TypeError("fetch failed", { cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" }) });
  assert.equal(fetchFailureReason(err), "connect ECONNREFUSED 127.0.0.1:9");
  assert.equal(fetchFailureReason(new Error("boom")), "boom");
});

test("asset URLs go through the dashboard's /svc proxy", () => {
  assert.equal(assetUrl("/api/samples/s1/thumb", { size: "256" }), "/svc/api/samples/s1/thumb?size=256");
  assert.equal(assetUrl("/api/inspections/i1/heatmap"), "/svc/api/inspections/i1/heatmap");
  assert.equal(assetUrl(null), null);
});
