"use client";
import type { ReactNode } from "react";
import { useServiceUrl } from "@/app/providers";
import { Badge } from "@/components/ui/badge";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { ErrorBanner } from "@/components/ui/error-banner";
import { Skeleton } from "@/components/ui/skeleton";
import { describeError } from "@/lib/errors";
import { formatDuration } from "@/lib/format";
import { SERVICE_BASE_PATH } from "@/lib/service-url";
import { useHealth, type Health } from "./use-health";

const STATUS: Record<Health["status"], { tone: "ok" | "warn" | "ng"; label: string }> = {
  ok: { tone: "ok", label: "OK" },
  starting: { tone: "warn", label: "Starting" },
  error: { tone: "ng", label: "Error" },
};

/** The inference service's health (tRPC `health`): status, readiness, backbone, device, version. */
export function HealthPanel() {
  const q = useHealth();
  const url = useServiceUrl();
  const h = q.data;
  const err = q.isError ? describeError(q.error) : null;

  return (
    <Card data-testid="health-panel">
      <CardHeader
        title="Inference service"
        description={
          <>
            tRPC at{" "}
            <code className="font-mono text-xs text-slate-700" data-testid="service-url">
              {url}/trpc
            </code>
            , reached through this dashboard (
            <code className="font-mono text-xs text-slate-700" data-testid="service-proxy-url">
              {SERVICE_BASE_PATH}/trpc
            </code>
            )
          </>
        }
        actions={
          h && !err ? (
            <Badge tone={STATUS[h.status].tone} dot data-testid="health-status" data-status={h.status}>
              {STATUS[h.status].label}
            </Badge>
          ) : null
        }
      />
      <CardBody className="space-y-4">
        {err && (
          <ErrorBanner
            title={err.unreachable ? "Cannot reach the inference service" : `The service reported an error${err.code ? ` (${err.code})` : ""}`}
            onRetry={() => void q.refetch()}
            retrying={q.isFetching}
            testId="health-error"
          >
            <p>{err.message}</p>
            {err.unreachable && (
              <p className="mt-1">
                Expected at <code className="font-mono">{url}</code>. Start it with{" "}
                <code className="font-mono">npm start -w @bdi/inference</code>, or point the dashboard elsewhere with{" "}
                <code className="font-mono">BDI_INFERENCE_URL</code> and reload. The last known state stays below until it answers.
              </p>
            )}
          </ErrorBanner>
        )}
        {h?.status === "starting" && (
          <ErrorBanner tone="warn" title="The backbone is still loading" testId="health-starting">
            Inference is not available yet; this panel refreshes by itself.
            {h.reason && h.reason !== "backbone_loading" && <span> ({h.reason})</span>}
          </ErrorBanner>
        )}
        {h?.status === "error" && (
          <ErrorBanner title="The backbone failed to load" testId="health-backbone-error">
            <span className="font-mono text-xs">{h.reason ?? "no reason given"}</span>
          </ErrorBanner>
        )}

        {!h && q.isPending ? (
          <dl className="grid grid-cols-1 gap-x-8 gap-y-3 sm:grid-cols-2 lg:grid-cols-3" aria-busy>
            {Array.from({ length: 6 }, (_, i) => (
              <div key={i}>
                <Skeleton className="mb-1.5 h-3 w-20" />
                <Skeleton className="h-4 w-36" />
              </div>
            ))}
          </dl>
        ) : h ? (
          <dl className="grid grid-cols-1 gap-x-8 gap-y-4 sm:grid-cols-2 lg:grid-cols-3">
            <Field label="Readiness" testId="health-ready" value={h.ready ? "Ready for inference" : "Not ready"} tone={h.ready ? "text-emerald-700" : "text-amber-700"} />
            <Field label="Backbone" testId="health-backbone" value={h.backbone ?? "none loaded"} mono muted={h.backbone == null} />
            <Field
              label="Device"
              testId="health-device"
              value={h.device}
              mono
              hint={h.requestedDevice !== h.device ? `requested ${h.requestedDevice}${h.status === "ok" && h.reason ? ` · ${h.reason}` : ""}` : undefined}
            />
            <Field label="Model" testId="health-model" value={h.model} mono />
            <Field label="Service version" testId="health-version" value={h.version} mono />
            <Field label="Uptime" testId="health-uptime" value={formatDuration(h.uptimeS)} />
            <Field label="Data root" testId="health-data-root" value={h.dataRoot} mono className="sm:col-span-2 lg:col-span-3" />
          </dl>
        ) : null}
      </CardBody>
    </Card>
  );
}

function Field({
  label,
  value,
  hint,
  mono = false,
  muted = false,
  tone,
  testId,
  className,
}: {
  label: string;
  value: ReactNode;
  hint?: string;
  mono?: boolean;
  muted?: boolean;
  tone?: string;
  testId: string;
  className?: string;
}) {
  return (
    <div className={className}>
      <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</dt>
      <dd
        className={`mt-0.5 truncate text-sm ${mono ? "font-mono" : "font-medium"} ${muted ? "text-slate-400" : (tone ?? "text-slate-900")}`}
        data-testid={testId}
        title={typeof value === "string" ? value : undefined}
      >
        {value}
      </dd>
      {hint && <p className="mt-0.5 text-xs text-slate-500">{hint}</p>}
    </div>
  );
}
