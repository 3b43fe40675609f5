"use client";
import { describeError, plainMessage } from "@/lib/errors";
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
      <PlainError code={e.code} message={e.message} />
      {onDismiss && (
        <button type="button" className="mt-1 text-xs font-medium underline" onClick={onDismiss}>
          Dismiss
        </button>
      )}
    </ErrorBanner>
  );
}

/** The message as a sentence; the error code and the raw detail in the tooltip, not in the way. */
function PlainError({ code, message }: { code: string | null; message: string }) {
  const p = plainMessage(message);
  return (
    <p title={[code, p.detail].filter(Boolean).join(" · ") || undefined} data-testid="error-text">
      {p.text}
    </p>
  );
}
