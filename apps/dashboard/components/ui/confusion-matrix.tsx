import { formatPercent } from "@/lib/format";

/**
 * 2×2 confusion matrix of a threshold on a labelled set (NG is the positive class). Counts come from the service or
 * packages/core; this only lays them out with the two rates a QA engineer asks for.
 */
export function ConfusionMatrix({ tp, fp, tn, fn, testId = "confusion-matrix" }: { tp: number; fp: number; tn: number; fn: number; testId?: string }) {
  const okTotal = tn + fp;
  const ngTotal = tp + fn;
  const cell = "px-3 py-2 text-right tabular-nums";
  return (
    <div data-testid={testId}>
      <table className="w-full border-collapse text-sm">
        <thead>
          <tr className="text-xs text-slate-500">
            <th className="px-3 py-1 text-left font-medium">labelled ↓ / decided →</th>
            <th className="px-3 py-1 text-right font-medium">OK</th>
            <th className="px-3 py-1 text-right font-medium">NG</th>
          </tr>
        </thead>
        <tbody>
          <tr className="border-t border-slate-100">
            <th scope="row" className="px-3 py-2 text-left font-medium text-slate-700">OK</th>
            <td className={`${cell} bg-emerald-50 text-emerald-900`} data-testid="cm-tn">{tn}</td>
            <td className={`${cell} ${fp > 0 ? "bg-amber-50 text-amber-900" : ""}`} data-testid="cm-fp">{fp}</td>
          </tr>
          <tr className="border-t border-slate-100">
            <th scope="row" className="px-3 py-2 text-left font-medium text-slate-700">NG</th>
            <td className={`${cell} ${fn > 0 ? "bg-rose-50 text-rose-900" : ""}`} data-testid="cm-fn">{fn}</td>
            <td className={`${cell} bg-emerald-50 text-emerald-900`} data-testid="cm-tp">{tp}</td>
          </tr>
        </tbody>
      </table>
      <dl className="mt-2 grid grid-cols-2 gap-2 text-xs text-slate-600">
        <div>
          <dt className="inline">False rejects: </dt>
          <dd className="inline font-medium text-slate-900" data-testid="cm-frr">{okTotal ? formatPercent(fp / okTotal) : "—"}</dd>
          <span> of {okTotal} OK</span>
        </div>
        <div>
          <dt className="inline">Misses: </dt>
          <dd className="inline font-medium text-slate-900" data-testid="cm-miss">{ngTotal ? formatPercent(fn / ngTotal) : "—"}</dd>
          <span> of {ngTotal} NG</span>
        </div>
      </dl>
    </div>
  );
}
