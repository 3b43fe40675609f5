"use client";
import { inputClass } from "@/components/ui/button";

/** From / To day pickers of a list filter (values are yyyy-mm-dd, empty = open end); test ids `${testId}-from|to`. */
export function DateRange({ from, to, onFrom, onTo, testId }: {
  from: string; to: string; onFrom: (v: string) => void; onTo: (v: string) => void; testId: string;
}) {
  return (
    <>
      <label className="inline-flex items-center gap-1.5 text-sm text-slate-600">
        From <input type="date" className={inputClass} value={from} onChange={(e) => onFrom(e.target.value)} data-testid={`${testId}-from`} />
      </label>
      <label className="inline-flex items-center gap-1.5 text-sm text-slate-600">
        To <input type="date" className={inputClass} value={to} onChange={(e) => onTo(e.target.value)} data-testid={`${testId}-to`} />
      </label>
    </>
  );
}
