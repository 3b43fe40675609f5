"use client";
import { describeError } from "@/lib/errors";
import { ErrorBanner } from "./error-banner";

/** The error of a failed action (mutation), as the service worded it; dismissable. */
export function MutationError({ error, title = "The service refused this action", onDismiss, testId = "mutation-error" }: {
  error: unknown;
  title?: string;
  onDismiss?: () => void;
  testId?: string;
}) {
  if (!error) return null;
  const e = describeError(error);
  return (
    <ErrorBanner title={e.unreachable ? "The inference service is unreachable" : title} testId={testId}>
      <p>{e.code ? `${e.code}: ${e.message}` : e.message}</p>
      {onDismiss && (
        <button type="button" className="mt-1 text-xs font-medium underline" onClick={onDismiss}>
          Dismiss
        </button>
      )}
    </ErrorBanner>
  );
}
