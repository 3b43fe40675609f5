"use client";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createContext, useContext, useState, type ReactNode } from "react";
import { makeTrpcClient, TRPCProvider } from "@/lib/trpc";

const ServiceUrlContext = createContext<string>("");

/** The inference service's base URL, as resolved by the server at request time. */
export function useServiceUrl(): string {
  return useContext(ServiceUrlContext);
}

function makeQueryClient() {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 5_000,
        // One quick retry: an unreachable service should show its banner in seconds, not after a long backoff.
        retry: 1,
        retryDelay: 500,
        refetchOnWindowFocus: true,
      },
      mutations: { retry: false },
    },
  });
}

export function Providers({ inferenceUrl, children }: { inferenceUrl: string; children: ReactNode }) {
  // One client per browser tab (useState keeps it across re-renders; the server render gets its own).
  const [queryClient] = useState(makeQueryClient);
  const [trpcClient] = useState(() => makeTrpcClient(inferenceUrl));
  return (
    <ServiceUrlContext.Provider value={inferenceUrl}>
      <QueryClientProvider client={queryClient}>
        <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
          {children}
        </TRPCProvider>
      </QueryClientProvider>
    </ServiceUrlContext.Provider>
  );
}
