"use client";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createContext, useContext, useState, type ReactNode } from "react";
import { SERVICE_BASE_PATH } from "@/lib/service-url";
import { makeTrpcClient, TRPCProvider } from "@/lib/trpc";
import { SessionUserProvider, type ClientUser } from "@/lib/session-user";

const ServiceUrlContext = createContext<string>("");

/**
 * The inference service's base URL as configured (BDI_INFERENCE_URL, resolved by the server at request time), for
 * display and operator hints only: the browser reaches the service through the dashboard's `/svc` proxy.
 */
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

export function Providers({ inferenceUrl, user, children }: { inferenceUrl: string; user: ClientUser | null; children: ReactNode }) {
  // One client per browser tab (useState keeps it across re-renders; the server render gets its own).
  const [queryClient] = useState(makeQueryClient);
  // Same origin: the /svc proxy forwards to `inferenceUrl` with the user's identity and the API key (the browser never
  // calls the service).
  const [trpcClient] = useState(() => makeTrpcClient(SERVICE_BASE_PATH));
  return (
    <ServiceUrlContext.Provider value={inferenceUrl}>
      <SessionUserProvider user={user}>
      <QueryClientProvider client={queryClient}>
        <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
          {children}
        </TRPCProvider>
      </QueryClientProvider>
      </SessionUserProvider>
    </ServiceUrlContext.Provider>
  );
}
