// Streams a request to the app on its loopback port and the answer back (uploads, long fits, SSE alike), over a
// keep-alive pool. Hop-by-hop headers stay on their own hop; a request that cannot reach the app gets a 502.
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import { pipeline } from "node:stream";

const HOP_BY_HOP = new Set([
  "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding",
  "upgrade", "expect", // the edge's server already answered `Expect: 100-continue`
]);

function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const listed = new Set(
    String(headers.connection ?? "").toLowerCase().split(",").map((s) => s.trim()).filter(Boolean),
  );
  const out: IncomingHttpHeaders = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined && !HOP_BY_HOP.has(k) && !listed.has(k)) out[k] = v;
  return out;
}

export type Proxy = { forward(req: IncomingMessage, res: ServerResponse): void; close(): void };

export function createProxy(target: { host: string; port: number }): Proxy {
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity, scheduling: "lifo" });
  return {
    forward(req, res) {
      const headers = endToEnd(req.headers);
      // the app logs the client's address, not the edge's (it trusts this header from loopback only)
      const prior = req.headers["x-forwarded-for"];
      headers["x-forwarded-for"] = [prior, req.socket.remoteAddress].filter(Boolean).join(", ");
      const upstream = http.request({ ...target, method: req.method, path: req.url, headers, agent });
      upstream.on("response", (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage, endToEnd(answer.headers));
        // pipeline, not pipe: an aborted answer or a client gone mid-stream (a closed SSE tab) is an error on one of
        // the streams, which must end both sides, not crash the edge as an unhandled 'error' event
        pipeline(answer, res, (err) => {
          if (err) return void upstream.destroy();
          // The app answered before the client finished sending (an early 413): drain the rest of the body here
          // instead of forwarding it, and retire the half-written upstream connection.
          if (!req.complete) {
            req.unpipe(upstream);
            req.resume();
            upstream.destroy();
          }
        });
      });
      upstream.on("error", (err) => {
        // The answer is delivered: an error after that (the retired connection above) must not cut the client's
        // keep-alive connection, which already carries its next request.
        if (res.writableFinished) return;
        if (res.headersSent || res.destroyed) return void res.destroy();
        const body = JSON.stringify({ detail: `inference service unavailable: ${err.message}` });
        res.writeHead(502, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(body) });
        res.end(body);
      });
      // The client went away before the answer finished: stop the app's work on it too.
      res.on("close", () => {
        if (!res.writableFinished) upstream.destroy();
      });
      req.on("error", () => upstream.destroy()); // an upload cut off by the client
      req.pipe(upstream);
    },
    close() {
      agent.destroy();
    },
  };
}
