// The dashboard's same-origin proxy to the inference service (app/svc/[...path]/route.ts): the browser only ever talks
// to the dashboard; the dashboard server forwards `/svc/trpc/…` and `/svc/api/…` of a signed-in user to
// BDI_INFERENCE_URL with that user's identity token and the service's API key from its own environment, so neither
// reaches the browser. Pure helpers (no Next imports), unit-tested in service-proxy.test.ts.

/** Where the browser finds the service: the dashboard's own origin, under this prefix. */
export const PROXY_PREFIX = "/svc";

/** The only top-level service paths the proxy forwards: tRPC and the dashboard's binary routes. */
const ALLOWED_ROOTS = new Set(["trpc", "api"]);

/** Request headers the browser may pass on to the service (everything else, cookies included, is dropped). */
const FORWARDED_REQUEST_HEADERS = [
  "accept",
  "accept-language",
  "content-type",
  "content-length",
  "if-none-match",
  "if-modified-since",
  "last-event-id",
  "trpc-accept",
  "x-request-id",
];

/** Hop-by-hop headers (RFC 9110 §7.6.1) and what must not be relayed from the service to the browser. */
const DROPPED_RESPONSE_HEADERS = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "set-cookie",
]);

/**
 * The service path (with query) for a request path under the proxy, or null when it must be refused (404): only
 * `/svc/trpc/<…>` and `/svc/api/<…>`, no empty, `.` or `..` segments, nothing that decodes to a slash, backslash or
 * control character, no malformed escapes. `rawPathname` is the request's pathname as received (still encoded).
 */
export function proxiedServicePath(rawPathname: string, search = ""): string | null {
  const prefix = `${PROXY_PREFIX}/`;
  if (!rawPathname.startsWith(prefix)) return null;
  const segments = rawPathname.slice(prefix.length).split("/");
  if (segments.length < 2 || !ALLOWED_ROOTS.has(segments[0]!)) return null;
  for (const raw of segments) {
    let seg: string;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      return null;
    }
    // eslint-disable-next-line no-control-regex
    if (seg === "" || seg === "." || seg === ".." || /[/\\\u0000-\u001f\u007f]/.test(seg)) return null;
  }
  if (search && !search.startsWith("?")) return null;
  return `/${segments.join("/")}${search}`;
}

/** The absolute service URL for a validated service path, kept under the configured base (scheme, host and path). */
export function serviceTarget(base: string, servicePath: string): string {
  const root = base.replace(/\/+$/, "");
  const target = new URL(`${root}${servicePath}`);
  const baseUrl = new URL(`${root}/`);
  if (target.origin !== baseUrl.origin || !target.pathname.startsWith(baseUrl.pathname)) {
    throw new Error(`refusing to proxy outside ${root}: ${servicePath}`);
  }
  return target.toString();
}

/**
 * The headers sent to the service: the browser's allow-listed ones (never an identity header of its own), plus the
 * signed-in user's identity token and X-API-Key from the dashboard's env.
 */
export function forwardRequestHeaders(incoming: Headers, apiKey: string | undefined, identity?: { header: string; token: string }): Headers {
  const out = new Headers();
  for (const name of FORWARDED_REQUEST_HEADERS) {
    const v = incoming.get(name);
    if (v !== null) out.set(name, v);
  }
  if (apiKey) out.set("x-api-key", apiKey);
  if (identity) out.set(identity.header, identity.token);
  return out;
}

/**
 * The service's response headers as relayed to the browser: no hop-by-hop headers (nor those the service's
 * `Connection` names), no CORS headers (the browser's request is same-origin), no cookies. When fetch already decoded
 * a compressed body, its Content-Encoding/Content-Length no longer describe what is sent. Event streams are marked
 * no-transform/unbuffered so nothing between here and the browser (compression included) holds events back.
 */
export function relayResponseHeaders(upstream: Headers): Headers {
  const connectionListed = new Set(
    (upstream.get("connection") ?? "")
      .split(",")
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
  );
  const decoded = upstream.has("content-encoding");
  const out = new Headers();
  upstream.forEach((value, name) => {
    const n = name.toLowerCase();
    if (DROPPED_RESPONSE_HEADERS.has(n) || connectionListed.has(n) || n.startsWith("access-control-")) return;
    if (decoded && (n === "content-encoding" || n === "content-length")) return;
    out.append(name, value);
  });
  if ((upstream.get("content-type") ?? "").startsWith("text/event-stream")) {
    out.set("cache-control", "no-cache, no-transform");
    out.set("x-accel-buffering", "no");
  }
  return out;
}

/** The API key the dashboard server sends to the service (same variables as the service reads). */
export function proxyApiKey(env: Record<string, string | undefined> = process.env): string | undefined {
  return env.BDI_API_KEY?.trim() || env.BACKEND_API_KEY?.trim() || undefined;
}

/** Why fetch failed, in a few words: the innermost cause's code/message (ECONNREFUSED, ENOTFOUND, …). */
export function fetchFailureReason(err: unknown): string {
  let e: unknown = err;
  for (let i = 0; i < 5 && e && typeof e === "object" && "cause" in e && (e as { cause?: unknown }).cause; i++) {
    e = (e as { cause: unknown }).cause;
  }
  if (e && typeof e === "object") {
    const o = e as { code?: unknown; message?: unknown };
    if (typeof o.code === "string" && typeof o.message === "string" && !o.message.includes(o.code)) return `${o.code}: ${o.message}`;
    if (typeof o.message === "string" && o.message) return o.message;
  }
  return String(e ?? "unknown error");
}

/**
 * The proxy's own error answers (the service never answered, or the dashboard is misconfigured), as JSON the
 * caller can read: a tRPC error envelope under /trpc (the tRPC client surfaces `data.serviceUnreachable`, which
 * `describeError` turns into the "cannot reach the service" message), `{ error }` like the service's /api routes.
 */
export function proxyErrorBody(
  servicePath: string | null,
  status: 401 | 404 | 500 | 502,
  message: string,
  extra: { serviceUnreachable?: boolean } = {},
): unknown {
  if (servicePath?.startsWith("/trpc/")) {
    const code = status === 401 ? "UNAUTHORIZED" : status === 404 ? "NOT_FOUND" : status === 502 ? "BAD_GATEWAY" : "INTERNAL_SERVER_ERROR";
    const rpc = status === 401 ? -32001 : status === 404 ? -32004 : -32603;
    return { error: { message, code: rpc, data: { code, httpStatus: status, ...extra } } };
  }
  return { error: message, ...extra };
}
