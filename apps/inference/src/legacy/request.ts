// Per-request legacy context: request id, recipe resolution (payload beats header, case-insensitive, reserved
// `last`, layout names outside the pattern mapped to a stable safe id), and the one error → reply path.
import type { FastifyReply, FastifyRequest } from "fastify";
import { resolveLegacyRecipe, type ResolvedRecipe } from "../services/recipes.ts";
import { toLegacyError, type LegacyRoute } from "./errors.ts";

export type LegacyRequest = {
  route: LegacyRoute;
  requestId: string;
  /** the reply, so the resolved recipe's X-Recipe-Id header is set before any handler sends */
  reply: FastifyReply;
  /** set once the recipe resolved (error bodies use "default" before that, as the original does) */
  recipe?: ResolvedRecipe;
};

export function headerValue(req: FastifyRequest, name: string): string | undefined {
  const h = req.headers[name.toLowerCase()];
  return Array.isArray(h) ? h[0] : h;
}

/** §1.0: the payload's `recipe_id` if present, else the X-Recipe-Id header, else `default`. */
export function resolveRecipeFor(req: FastifyRequest, lr: LegacyRequest, payloadRecipeId?: unknown): ResolvedRecipe {
  const raw =
    payloadRecipeId !== undefined && payloadRecipeId !== null && payloadRecipeId !== ""
      ? String(payloadRecipeId)
      : headerValue(req, "x-recipe-id");
  const recipe = resolveLegacyRecipe(raw);
  lr.recipe = recipe;
  lr.reply.header("X-Recipe-Id", recipe.id);
  return recipe;
}

export function ids(lr: LegacyRequest): { request_id: string; recipe_id: string } {
  return { request_id: lr.requestId, recipe_id: lr.recipe?.id ?? "default" };
}

/** Wraps a legacy handler: builds the context, maps every thrown error once (errors.ts). */
export function legacyHandler(
  route: LegacyRoute,
  fn: (req: FastifyRequest, reply: FastifyReply, lr: LegacyRequest) => Promise<unknown>,
) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const lr: LegacyRequest = { route, requestId: String(req.id), reply };
    try {
      return await fn(req, reply, lr);
    } catch (err) {
      const mapped = toLegacyError(err, route, ids(lr));
      if (mapped.status >= 500) req.log.error({ err, route }, "legacy request failed");
      else req.log.info({ route, status: mapped.status, error: err instanceof Error ? err.message : String(err) }, "legacy request rejected");
      for (const [k, v] of Object.entries(mapped.headers ?? {})) reply.header(k, v);
      return reply.code(mapped.status).send(mapped.body);
    }
  };
}
