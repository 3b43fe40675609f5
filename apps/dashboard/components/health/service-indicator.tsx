"use client";
import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { useHealth } from "./use-health";

/** Compact service state in the header, on every page. */
export function ServiceIndicator() {
  const q = useHealth();
  let tone: "ok" | "warn" | "ng" | "neutral" = "neutral";
  let text = "Checking service…";
  if (q.isError) {
    tone = "ng";
    text = "Service unreachable";
  } else if (q.data) {
    if (q.data.status === "ok") {
      tone = "ok";
      text = `Service ready · ${q.data.device}`;
    } else if (q.data.status === "starting") {
      tone = "warn";
      text = "Service starting";
    } else {
      tone = "ng";
      text = "Service error";
    }
  }
  return (
    <Link href="/" className="rounded-full" title="Service health (Overview)" data-testid="service-indicator" data-status={q.isError ? "unreachable" : (q.data?.status ?? "pending")}>
      <Badge tone={tone} dot>
        {text}
      </Badge>
    </Link>
  );
}
