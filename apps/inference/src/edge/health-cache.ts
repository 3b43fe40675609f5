// The edge's answer to the WPF client's 2 s `GET /health` poll, from the app's latest snapshot: the same status, body
// and headers the app's own route (../legacy/routes/health.ts) sends. Anything unusual — another method, an Origin header
// (CORS), a recipe id the app would reject, duplicate parameters, a snapshot older than `maxAgeMs` (the app is stuck
// or gone) — returns null and the request goes to the app, so the edge never says anything the app would not.
import type { IncomingMessage } from "node:http";
import type { HealthSnapshot } from "../legacy/routes/health.ts";
import { requestIdFrom } from "../request-id.ts";
import { resolveLegacyRecipe, type ResolvedRecipe } from "../services/recipes.ts";

export type CachedHealth = { snapshot: HealthSnapshot; receivedAt: number };

export type HealthAnswer = { status: number; headers: Record<string, string>; body: string };

function recipeFor(req: IncomingMessage, query: URLSearchParams): ResolvedRecipe | null {
  const fromQuery = query.getAll("recipe_id");
  if (fromQuery.length > 1) return null;
  const header = req.headers["x-recipe-id"];
  const raw = fromQuery[0] ? fromQuery[0] : Array.isArray(header) ? header[0] : header;
  try {
    return resolveLegacyRecipe(raw);
  } catch {
    return null; // the reserved `last`: the app answers the 400 in its error shape
  }
}

export function cachedHealthAnswer(req: IncomingMessage, cache: CachedHealth | null, now: number, maxAgeMs: number): HealthAnswer | null {
  if (!cache || now - cache.receivedAt > maxAgeMs) return null;
  if (req.method !== "GET" || req.headers.origin !== undefined) return null;
  const url = req.url ?? "";
  const q = url.indexOf("?");
  if ((q < 0 ? url : url.slice(0, q)) !== "/health") return null;
  const recipe = recipeFor(req, new URLSearchParams(q < 0 ? "" : url.slice(q + 1)));
  if (!recipe) return null;
  const requestId = requestIdFrom(req.headers["x-request-id"]);
  const body = JSON.stringify({ ...cache.snapshot.body, request_id: requestId, recipe_id: recipe.id });
  return {
    status: cache.snapshot.code,
    headers: {
      "x-request-id": requestId,
      "x-recipe-id": recipe.id,
      "content-type": "application/json; charset=utf-8",
      "content-length": String(Buffer.byteLength(body)),
    },
    body,
  };
}
