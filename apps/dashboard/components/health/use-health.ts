"use client";
import { useQuery } from "@tanstack/react-query";
import { useTRPC, type RouterOutputs } from "@/lib/trpc";

export type Health = RouterOutputs["health"];

/**
 * The service's health through tRPC, shared by the header indicator and the Overview panel (one query key, one
 * request). Polls faster while the backbone is loading, slower once it is ready.
 */
export function useHealth() {
  const trpc = useTRPC();
  return useQuery(
    trpc.health.queryOptions(undefined, {
      refetchInterval: (q) => (q.state.data?.status === "starting" ? 2_000 : 10_000),
      refetchIntervalInBackground: false,
      staleTime: 1_000,
    }),
  );
}
