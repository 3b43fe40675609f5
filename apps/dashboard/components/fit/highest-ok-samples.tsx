"use client";
import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { useAssetUrl } from "@/lib/assets";
import { formatScore } from "@/lib/format";
import type { RouterOutputs } from "@/lib/trpc";

type Item = RouterOutputs["calibration"]["data"]["okHighest"][number];

/**
 * The OK samples that hold the threshold up: the highest-scoring ones, with those the rule's OK percentile lies between
 * marked. One that is not a good part (a missed defect, a foreign particle the line should reject) is what QA relabels.
 */
export function HighestOkSamples({ items, roiId, percentile }: { items: Item[]; roiId: string; percentile: number }) {
  const asset = useAssetUrl();
  if (items.length === 0) return null;
  return (
    <div data-testid="ok-highest">
      <h3 className="text-sm font-semibold text-slate-900">OK samples with the highest scores</h3>
      <p className="mt-1 text-xs text-slate-600">
        The rule starts from the OK scores&apos; p{percentile}, which lies between the marked samples. If one of them is not a
        good part, relabel it NG on Datasets and refit: the threshold comes down.
      </p>
      <ul className="mt-2 grid grid-cols-3 gap-2 sm:grid-cols-6">
        {items.map((s) => (
          <li
            key={s.sampleId}
            className={`overflow-hidden rounded border bg-white text-xs ${s.setsRule ? "border-amber-400" : "border-slate-200"}`}
            data-testid="ok-highest-item"
            data-sets-rule={s.setsRule ? "true" : "false"}
            data-score={s.score}
          >
            <Link href={`/datasets?roi=${roiId}&sample=${s.sampleId}`} title={`${s.originalFileName ?? s.fileName} (stored as ${s.fileName})`}>
              <div className="relative aspect-square bg-slate-100">
                <img src={asset(s.thumbUrl, { size: "128" })!} alt={s.originalFileName ?? s.fileName} loading="lazy" className="absolute inset-0 size-full object-contain" />
              </div>
              <div className="flex items-center justify-between gap-1 px-1.5 py-1">
                <span className="font-mono tabular-nums">{formatScore(s.score)}</span>
                {s.setsRule && <Badge tone="warn">sets the rule</Badge>}
              </div>
            </Link>
          </li>
        ))}
      </ul>
    </div>
  );
}
