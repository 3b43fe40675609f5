// Same-origin proxy to the inference service: /svc/trpc/… and /svc/api/… → ${BDI_INFERENCE_URL}/trpc/… and /api/…,
// with X-API-Key from the dashboard's environment (BDI_API_KEY / BACKEND_API_KEY), so the browser never sees the key
// and never talks to the service itself. Bodies stream both ways (FormData uploads in, fit-progress server-sent
// events and images out). Anything but the two prefixes is a 404: no open proxy. Logic in lib/service-proxy.ts.
import { resolveInferenceUrl } from "@/lib/service-url";
import {
  fetchFailureReason,
  forwardRequestHeaders,
  proxiedServicePath,
  proxyApiKey,
  proxyErrorBody,
  relayResponseHeaders,
  serviceTarget,
} from "@/lib/service-proxy";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const NULL_BODY_STATUS = new Set([101, 204, 205, 304]);

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" },
  });
}

async function proxy(req: Request): Promise<Response> {
  const url = new URL(req.url);
  const servicePath = proxiedServicePath(url.pathname, url.search);
  if (!servicePath) return json(404, { error: "Not Found" });

  let target: string;
  try {
    // Read per request, like the root layout: one build can be pointed anywhere.
    target = serviceTarget(resolveInferenceUrl(process.env), servicePath);
  } catch (err) {
    return json(500, proxyErrorBody(servicePath, 500, `The dashboard is misconfigured: ${err instanceof Error ? err.message : String(err)}`));
  }

  const method = req.method.toUpperCase();
  const hasBody = method !== "GET" && method !== "HEAD" && req.body !== null;
  let upstream: Response;
  try {
    upstream = await fetch(target, {
      method,
      headers: forwardRequestHeaders(req.headers, proxyApiKey(process.env)),
      body: hasBody ? req.body : undefined,
      // Stream the upload instead of buffering it (undici requires this for a ReadableStream body).
      ...(hasBody ? { duplex: "half" } : {}),
      redirect: "manual",
      cache: "no-store",
      // The browser going away (closed EventSource, navigation) cancels the service request too.
      signal: req.signal,
    } as RequestInit);
  } catch (err) {
    if (req.signal.aborted) return new Response(null, { status: 499 });
    const reason = fetchFailureReason(err);
    const base = new URL(target).origin;
    return json(502, proxyErrorBody(servicePath, 502, `The inference service at ${base} did not answer (${reason}).`, { serviceUnreachable: true }));
  }

  const body = method === "HEAD" || NULL_BODY_STATUS.has(upstream.status) ? null : upstream.body;
  return new Response(body, {
    status: upstream.status,
    statusText: upstream.statusText,
    headers: relayResponseHeaders(upstream.headers),
  });
}

export const GET = proxy;
export const HEAD = proxy;
export const POST = proxy;
export const PUT = proxy;
export const PATCH = proxy;
export const DELETE = proxy;
export const OPTIONS = proxy;
