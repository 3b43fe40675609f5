"use client";
// Typed tRPC client for the inference service. Only the router's *type* is imported: no service code reaches the
// dashboard bundle.
import type { AppRouter } from "@bdi/inference/router";
import {
  createTRPCClient,
  httpBatchLink,
  httpLink,
  httpSubscriptionLink,
  isNonJsonSerializable,
  splitLink,
  type TRPCClient,
} from "@trpc/client";
import { createTRPCContext } from "@trpc/tanstack-react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { SERVICE_BASE_PATH, trpcUrl } from "./service-url.ts";

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

export type RouterOutputs = inferRouterOutputs<AppRouter>;

/**
 * All links call `baseUrl` (default: the dashboard's own `/svc` proxy, same origin; it adds the signed-in user's
 * identity token and the API key and forwards to BDI_INFERENCE_URL; the session cookie goes along by itself):
 * - subscriptions (fit progress, …): server-sent events through httpSubscriptionLink, so progress is streamed
 *   rather than polled (EventSource cannot send headers; subscriptions are read-only);
 * - FormData / File / binary inputs (uploads): one unbatched request each through httpLink;
 * - everything else: one batched JSON request per tick through httpBatchLink.
 */
export function makeTrpcClient(baseUrl: string = SERVICE_BASE_PATH): TRPCClient<AppRouter> {
  const url = trpcUrl(baseUrl);
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === "subscription",
        true: httpSubscriptionLink({ url }),
        false: splitLink({
          condition: (op) => isNonJsonSerializable(op.input),
          true: httpLink({ url }),
          false: httpBatchLink({ url }),
        }),
      }),
    ],
  });
}
