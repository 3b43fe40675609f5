// Where the inference service is. Read on the server at request time (root layout, and the /svc proxy for every
// forwarded request), never inlined at build time, so one `next build` can be pointed at any service with
// BDI_INFERENCE_URL. The browser itself never calls that URL: it calls the dashboard's same-origin proxy
// (SERVICE_BASE_PATH), which forwards to it with the API key.

/** The inference service's base URL: BDI_INFERENCE_URL, else http://127.0.0.1:${BDI_PORT || 8000}. No trailing slash. */
export function resolveInferenceUrl(env: Record<string, string | undefined> = process.env): string {
  const explicit = env.BDI_INFERENCE_URL?.trim();
  if (explicit) {
    let url: URL;
    try {
      url = new URL(explicit);
    } catch {
      throw new Error(`BDI_INFERENCE_URL must be an absolute http(s) URL, got "${explicit}"`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new Error(`BDI_INFERENCE_URL must use http or https, got "${explicit}"`);
    }
    return url.toString().replace(/\/+$/, "");
  }
  const port = env.BDI_PORT?.trim() || "8000";
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) {
    throw new Error(`BDI_PORT must be a port number, got "${port}"`);
  }
  return `http://127.0.0.1:${port}`;
}

/** What the browser uses as the service's base URL: the dashboard's own `/svc` proxy (app/svc/[...path]/route.ts). */
export const SERVICE_BASE_PATH = "/svc";

/** The tRPC endpoint of a service base URL. */
export function trpcUrl(base: string): string {
  return `${base.replace(/\/+$/, "")}/trpc`;
}
