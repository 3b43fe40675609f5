import type { ReactNode } from "react";
import { cn } from "@/lib/cn";

export type Tone = "neutral" | "ok" | "ng" | "warn" | "info" | "brand";

const TONES: Record<Tone, string> = {
  neutral: "bg-slate-100 text-slate-700 ring-slate-200",
  ok: "bg-emerald-50 text-emerald-800 ring-emerald-200",
  ng: "bg-rose-50 text-rose-800 ring-rose-200",
  warn: "bg-amber-50 text-amber-800 ring-amber-200",
  info: "bg-sky-50 text-sky-800 ring-sky-200",
  brand: "bg-brand-50 text-brand-700 ring-brand-100",
};

const DOTS: Record<Tone, string> = {
  neutral: "bg-slate-400",
  ok: "bg-emerald-500",
  ng: "bg-rose-500",
  warn: "bg-amber-500",
  info: "bg-sky-500",
  brand: "bg-brand-500",
};

export function Badge({
  tone = "neutral",
  dot = false,
  children,
  className,
  ...rest
}: { tone?: Tone; dot?: boolean; children: ReactNode; className?: string } & Record<`data-${string}`, string>) {
  return (
    <span
      className={cn(
        "inline-flex items-center gap-1.5 rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset whitespace-nowrap",
        TONES[tone],
        className,
      )}
      {...rest}
    >
      {dot && <span aria-hidden className={cn("size-1.5 rounded-full", DOTS[tone])} />}
      {children}
    </span>
  );
}

/** Label of an OK/NG/unlabeled sample or decision, consistently coloured everywhere. */
export function LabelBadge({ label }: { label: "ok" | "ng" | "unlabeled" | (string & {}) }) {
  const tone: Tone = label === "ok" ? "ok" : label === "ng" ? "ng" : "neutral";
  return (
    <Badge tone={tone} dot>
      {label === "unlabeled" ? "Unlabeled" : label.toUpperCase()}
    </Badge>
  );
}
