// Same-origin proxy to the inference service: /svc/trpc/… and /svc/api/… → ${BDI_INFERENCE_URL}/trpc/… and /api/…,
// for signed-in users only (401 otherwise, nothing forwarded), with the user's identity token (signed with the key
// dashboard and service share, valid 60 s) and X-API-Key from the dashboard's environment (BDI_API_KEY /
// BACKEND_API_KEY), so the browser never sees either and never talks to the service itself. The service checks the
// token and the user's role. Bodies stream both ways (FormData uploads in, fit-progress server-sent events and images
// out). Anything but the two prefixes is a 404: no open proxy. Logic in lib/service-proxy.ts.
import { getToken } from "next-auth/jwt";
import type { NextRequest } from "next/server";
import { IDENTITY_HEADER, signIdentityToken } from "@bdi/core/auth/identity-token";
import { secureCookies, sessionSecret, sharedAuthSecret } from "@/lib/auth-config";
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

/** The signed-in user's identity token for the service, or why there is none. */
async function identityFor(req: NextRequest): Promise<{ token: string } | { refused: string }> {
  const shared = sharedAuthSecret();
  const secret = sessionSecret();
  if (!shared || !secret) return { refused: "Sign-in is not configured on the dashboard (BDI_AUTH_SECRET or the data root's auth-secret)" };
  const session = await getToken({ req, secret, secureCookie: secureCookies() });
  if (!session?.uid || !session.username) return { refused: "Sign in first" };
  return { token: await signIdentityToken(shared, { sub: session.uid, name: session.username }) };
}

async function proxy(req: NextRequest): Promise<Response> {
  const url = new URL(req.url);
  const servicePath = proxiedServicePath(url.pathname, url.search);
  if (!servicePath) return json(404, { error: "Not Found" });
  const identity = await identityFor(req);
  if ("refused" in identity) return json(401, proxyErrorBody(servicePath, 401, identity.refused));

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
      headers: forwardRequestHeaders(req.headers, proxyApiKey(process.env), { header: IDENTITY_HEADER, token: identity.token }),
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
