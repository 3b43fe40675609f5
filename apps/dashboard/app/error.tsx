"use client";
import { ErrorBanner } from "@/components/ui/error-banner";

/** Last-resort boundary: a rendering error becomes a message with a retry, not a blank page. */
export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <ErrorBanner title="This page failed to render" onRetry={reset} testId="page-error">
      <p>{error.message || "Unexpected error."}</p>
      {error.digest && <p className="mt-1 font-mono text-xs">digest {error.digest}</p>}
    </ErrorBanner>
  );
}
