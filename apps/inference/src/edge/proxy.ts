// Streams a request to the app on its loopback port and the answer back (uploads, long fits, SSE alike), over a
// keep-alive pool. Hop-by-hop headers stay on their own hop; a request that cannot reach the app gets a 502.
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";

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
      const upstream = http.request({ ...target, method: req.method, path: req.url, headers: endToEnd(req.headers), agent });
      upstream.on("response", (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage, endToEnd(answer.headers));
        answer.pipe(res);
        answer.on("aborted", () => res.destroy());
      });
      upstream.on("error", (err) => {
        if (res.headersSent) return void res.destroy(err);
        const body = JSON.stringify({ detail: `inference service unavailable: ${err.message}` });
        res.writeHead(502, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(body) });
        res.end(body);
      });
      // The client went away before the answer finished: stop the app's work on it too.
      res.on("close", () => {
        if (!res.writableFinished) upstream.destroy();
      });
      req.pipe(upstream);
    },
    close() {
      agent.destroy();
    },
  };
}
