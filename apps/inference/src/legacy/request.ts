// Per-request legacy context: request id, recipe resolution (payload beats header, case-insensitive, reserved
// `last`, layout names outside the pattern mapped to a stable safe id), and the one error → reply path.
import type { FastifyReply, FastifyRequest } from "fastify";
import { nameIdProblem } from "@bdi/core/schemas/ids";
import { ServiceError } from "../services/errors.ts";
import { LEGACY_ACTOR, type Actor } from "../services/index.ts";
import { resolveLegacyRecipe, type ResolvedRecipe } from "../services/recipes.ts";
import type { RoiRef } from "../services/samples.ts";
import { toLegacyError, type LegacyRoute } from "./errors.ts";
import { FieldReader } from "./form.ts";

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

/** The audit actor of a legacy request: the WPF client, with the request id. */
export function who(lr: LegacyRequest, reason?: string): Actor {
  return { actor: LEGACY_ACTOR, requestId: lr.requestId, ...(reason ? { reason } : {}) };
}

/**
 * The ROI reference of a legacy request, its ids checked against core's id rule (400 naming the field): the one
 * place every legacy route builds a RoiRef.
 */
export function legacyRef(recipe: ResolvedRecipe, roleId: string, roiId: string, modelKey?: string): RoiRef {
  for (const [field, v] of [["role_id", roleId], ["roi_id", roiId], ["model_key", modelKey]] as const) {
    const problem = v === undefined ? null : nameIdProblem(field, v);
    if (problem) throw new ServiceError("bad_request", problem);
  }
  return { recipeId: recipe.id, recipeDisplayName: recipe.displayName, roleId, roiId, modelKey };
}

/** role_id / roi_id / recipe_id / model_key from a query string (422 when a required one is missing). */
export function queryRef(req: FastifyRequest, lr: LegacyRequest, extra: string[] = []): { ref: RoiRef; values: Record<string, string | undefined> } {
  const q = FieldReader.fromQuery(req.query);
  const roleId = q.str("role_id", true);
  const roiId = q.str("roi_id", true);
  const values: Record<string, string | undefined> = {};
  for (const name of extra) values[name] = q.str(name, true);
  const recipeRaw = q.str("recipe_id");
  const modelKey = q.str("model_key");
  q.done();
  const recipe = resolveRecipeFor(req, lr, recipeRaw);
  return { ref: legacyRef(recipe, roleId!, roiId!, modelKey), values };
}

/** A legacy JSON body must be an object (FastAPI's 422 dict_type otherwise). */
export function requireJsonObject(req: FastifyRequest): Record<string, unknown> {
  const b = req.body;
  if (b === undefined || b === null || typeof b !== "object" || Array.isArray(b) || Buffer.isBuffer(b)) {
    const r = new FieldReader(new Map(), "body");
    r.issues.push({ type: "dict_type", loc: ["body"], msg: "Input should be a valid dictionary", input: b ?? null });
    r.done();
  }
  return b as Record<string, unknown>;
}
