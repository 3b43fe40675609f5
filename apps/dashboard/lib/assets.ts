"use client";
import { useCallback } from "react";
import { useServiceUrl } from "@/app/providers";

/** Absolute URL of an image route of the service (`/api/samples/:id/thumb`, …) as the DTOs name them. */
export function useAssetUrl(): (path: string | null | undefined, query?: Record<string, string>) => string | null {
  const base = useServiceUrl();
  return useCallback(
    (path, query) => {
      if (!path) return null;
      const qs = query ? `?${new URLSearchParams(query).toString()}` : "";
      return `${base}${path}${qs}`;
    },
    [base],
  );
}
