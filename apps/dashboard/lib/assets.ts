import { SERVICE_BASE_PATH } from "./service-url.ts";

/**
 * URL of an image route of the service (`/api/samples/:id/thumb`, …) as the DTOs name them, through the dashboard's
 * same-origin `/svc` proxy (which adds the API key): `/svc/api/samples/:id/thumb?size=256`.
 */
export function assetUrl(path: string | null | undefined, query?: Record<string, string>): string | null {
  if (!path) return null;
  const qs = query ? `?${new URLSearchParams(query).toString()}` : "";
  return `${SERVICE_BASE_PATH}${path.startsWith("/") ? "" : "/"}${path}${qs}`;
}

/** Kept as a hook for the components that use it; the URL no longer depends on anything the server renders. */
export function useAssetUrl(): typeof assetUrl {
  return assetUrl;
}
