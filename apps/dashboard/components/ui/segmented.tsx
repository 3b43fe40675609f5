"use client";
import { cn } from "@/lib/cn";

/** A small set of mutually exclusive filter values (label: all/ok/ng, decision…). */
export function Segmented<V extends string>({
  value,
  options,
  onChange,
  label,
  testId,
}: {
  value: V;
  options: Array<{ value: V; label: string }>;
  onChange: (v: V) => void;
  label: string;
  testId?: string;
}) {
  return (
    <div role="radiogroup" aria-label={label} className="inline-flex rounded-lg border border-slate-300 bg-white p-0.5" data-testid={testId}>
      {options.map((o) => (
        <button
          key={o.value}
          type="button"
          role="radio"
          aria-checked={o.value === value}
          onClick={() => onChange(o.value)}
          className={cn(
            "rounded-md px-3 py-1 text-sm font-medium transition",
            o.value === value ? "bg-slate-900 text-white" : "text-slate-600 hover:text-slate-900",
          )}
        >
          {o.label}
        </button>
      ))}
    </div>
  );
}
