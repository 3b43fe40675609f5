/**
 * ROC curve from points the service/core computed ({ fpr, tpr } pairs, any order), with the current operating
 * point marked. Pure SVG, scales to its container.
 */
export function RocCurve({
  points,
  current,
  auc,
  testId = "roc-curve",
}: {
  points: ReadonlyArray<{ fpr: number; tpr: number }>;
  current?: { fpr: number; tpr: number } | null;
  auc?: number | null;
  testId?: string;
}) {
  const S = 220;
  const p = 28;
  const x = (v: number) => p + v * (S - 2 * p);
  const y = (v: number) => S - p - v * (S - 2 * p);
  const sorted = [...points].sort((a, b) => a.fpr - b.fpr || a.tpr - b.tpr);
  const d = sorted.map((pt, i) => `${i === 0 ? "M" : "L"}${x(pt.fpr).toFixed(1)},${y(pt.tpr).toFixed(1)}`).join(" ");
  return (
    <figure data-testid={testId} className="max-w-xs">
      <svg viewBox={`0 0 ${S} ${S}`} className="h-auto w-full" role="img" aria-label={`ROC curve${auc != null ? `, AUC ${auc.toFixed(3)}` : ""}`}>
        <rect x={p} y={p} width={S - 2 * p} height={S - 2 * p} className="fill-slate-50 stroke-slate-200" />
        <line x1={x(0)} y1={y(0)} x2={x(1)} y2={y(1)} className="stroke-slate-300" strokeDasharray="3 3" />
        {d && <path d={d} fill="none" className="stroke-brand-600" strokeWidth={2} />}
        {current && <circle cx={x(current.fpr)} cy={y(current.tpr)} r={4} className="fill-rose-500 stroke-white" strokeWidth={1.5} data-testid="roc-current" />}
        <text x={S / 2} y={S - 6} textAnchor="middle" className="fill-slate-500 text-[9px]">false positive rate (OK rejected)</text>
        <text x={10} y={S / 2} textAnchor="middle" transform={`rotate(-90 10 ${S / 2})`} className="fill-slate-500 text-[9px]">true positive rate (NG caught)</text>
      </svg>
      {auc != null && <figcaption className="text-xs text-slate-600">AUC {auc.toFixed(3)}</figcaption>}
    </figure>
  );
}
