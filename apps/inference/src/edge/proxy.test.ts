// The edge's proxy over real loopback HTTP, against small upstream servers that misbehave on purpose: bodies and
// headers must pass through, and a client or an upstream vanishing mid-stream must end that exchange only.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import http, { type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createProxy, type Proxy } from "./proxy.ts";

function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; port: number }> {
  const server = http.createServer(handler);
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ server, port: (server.address() as AddressInfo).port })));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("edge proxy", () => {
  let upstream: { server: Server; port: number };
  let edge: { server: Server; port: number };
  let proxy: Proxy;
  const seen: { headers?: http.IncomingHttpHeaders; streamClosedEarly?: boolean } = {};

  before(async () => {
    upstream = await listen((req, res) => {
      if (req.url === "/echo") {
        seen.headers = req.headers;
        const parts: Buffer[] = [];
        req.on("data", (c: Buffer) => parts.push(c));
        req.on("end", () => {
          const body = Buffer.concat(parts);
          res.writeHead(201, { "content-type": "application/octet-stream", "x-upstream": "yes", "set-cookie": ["a=1", "b=2"] });
          res.end(body);
        });
      } else if (req.url === "/stream") {
        // like an SSE stream: a chunk every 20 ms for 2 s
        res.writeHead(200, { "content-type": "text/event-stream" });
        let n = 0;
        const t = setInterval(() => (++n > 100 ? (clearInterval(t), res.end()) : res.write(`data: ${n}\n\n`)), 20);
        res.on("close", () => {
          clearInterval(t);
          if (!res.writableFinished) seen.streamClosedEarly = true;
        });
      } else if (req.url?.startsWith("/early")) {
        // answers before reading the body (the app's early 413); /early-close then also drops the connection
        res.writeHead(413, { "content-type": "application/json" });
        res.end(JSON.stringify({ detail: "Upload too large" }));
        if (req.url === "/early-close") setTimeout(() => req.socket.destroy(), 10);
      } else if (req.url === "/die") {
        res.writeHead(200, { "content-type": "text/plain" });
        res.write("partial");
        setTimeout(() => req.socket.destroy(), 20);
      } else {
        res.end("ok");
      }
    });
    proxy = createProxy({ host: "127.0.0.1", port: upstream.port });
    edge = await listen((req, res) => proxy.forward(req, res));
  });

  after(() => {
    proxy.close();
    edge.server.close();
    upstream.server.close();
    edge.server.closeAllConnections();
    upstream.server.closeAllConnections();
  });

  const base = () => `http://127.0.0.1:${edge.port}`;

  it("passes a 1 MB body, the status and end-to-end headers through; hop-by-hop headers stay on their hop", async () => {
    const body = Buffer.alloc(1 << 20, 7);
    body[12345] = 1;
    // node:http, not fetch: fetch refuses to send a Connection header
    const res = await new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const req = http.request(`${base()}/echo`, { method: "POST", headers: { "x-client": "wpf", connection: "keep-alive, x-hop", "x-hop": "1" } }, (r) => {
        const parts: Buffer[] = [];
        r.on("data", (c: Buffer) => parts.push(c));
        r.on("end", () => resolve({ status: r.statusCode!, headers: r.headers, body: Buffer.concat(parts) }));
      });
      req.on("error", reject);
      req.end(body);
    });
    assert.equal(res.status, 201);
    assert.equal(res.headers["x-upstream"], "yes");
    assert.deepEqual(res.headers["set-cookie"], ["a=1", "b=2"]);
    assert.ok(res.body.equals(body));
    assert.equal(seen.headers?.["x-client"], "wpf");
    assert.equal(seen.headers?.["x-hop"], undefined);
  });

  it("stops the upstream's stream when the client goes away mid-stream, and keeps serving", async () => {
    const ac = new AbortController();
    const res = await fetch(`${base()}/stream`, { signal: ac.signal });
    const reader = res.body!.getReader();
    assert.match(new TextDecoder().decode((await reader.read()).value), /data: 1/);
    ac.abort();
    for (let i = 0; i < 50 && !seen.streamClosedEarly; i++) await sleep(20);
    assert.equal(seen.streamClosedEarly, true, "the upstream saw its response closed");
    assert.equal(await (await fetch(`${base()}/next`)).text(), "ok");
  });

  it("passes an answer given before the body was read, drains the rest, and keeps the client's connection", async () => {
    const body = Buffer.alloc(8 << 20, 0x20);
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${base()}/${i % 2 ? "early-close" : "early"}`, { method: "POST", body });
      assert.equal(res.status, 413);
      assert.deepEqual(await res.json(), { detail: "Upload too large" });
    }
    assert.equal(await (await fetch(`${base()}/next`)).text(), "ok");
  });

  it("ends the client's response when the upstream dies mid-response, and keeps serving", async () => {
    const res = await fetch(`${base()}/die`);
    assert.equal(res.status, 200);
    await assert.rejects(res.text());
    assert.equal(await (await fetch(`${base()}/next`)).text(), "ok");
  });

  it("answers 502 with a JSON detail when the upstream cannot be reached", async () => {
    const closed = await listen(() => {});
    const port = closed.port;
    await new Promise((r) => closed.server.close(r));
    const dead = createProxy({ host: "127.0.0.1", port });
    const front = await listen((req, res) => dead.forward(req, res));
    try {
      const res = await fetch(`http://127.0.0.1:${front.port}/state`);
      assert.equal(res.status, 502);
      assert.match(((await res.json()) as { detail: string }).detail, /inference service unavailable/);
    } finally {
      dead.close();
      front.server.close();
    }
  });
});
