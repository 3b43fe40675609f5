"use client";
import type { ReactNode } from "react";
import { describeError } from "@/lib/errors";
import { ErrorBanner } from "./error-banner";

type QueryLike<T> = {
  data: T | undefined;
  error: unknown;
  isPending: boolean;
  isFetching: boolean;
  refetch: () => unknown;
};

/**
 * The loading / error / empty / data branches of a react-query result in one place, so every page shows service
 * errors the same way (a message with Retry, never a crash).
 */
export function QueryState<T>({
  query,
  loading,
  empty,
  isEmpty,
  errorTitle = "Could not load this from the service",
  children,
}: {
  query: QueryLike<T>;
  loading?: ReactNode;
  empty?: ReactNode;
  isEmpty?: (data: T) => boolean;
  errorTitle?: string;
  children: (data: T) => ReactNode;
}) {
  if (query.error) {
    const e = describeError(query.error);
    return (
      <ErrorBanner title={e.unreachable ? "The inference service is unreachable" : errorTitle} onRetry={() => void query.refetch()} retrying={query.isFetching}>
        {e.code ? `${e.code}: ${e.message}` : e.message}
      </ErrorBanner>
    );
  }
  if (query.isPending || query.data === undefined) return <>{loading ?? null}</>;
  if (isEmpty?.(query.data)) return <>{empty ?? null}</>;
  return <>{children(query.data)}</>;
}
