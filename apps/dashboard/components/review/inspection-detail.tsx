"use client";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Badge, LabelBadge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { HeatmapOverlay } from "@/components/ui/heatmap-overlay";
import { HeatmapScale } from "@/components/ui/heatmap-scale";
import { Segmented } from "@/components/ui/segmented";
import { QueryState } from "@/components/ui/query-state";
import { Skeleton } from "@/components/ui/skeleton";
import { useAssetUrl } from "@/lib/assets";
import { formatDateTime, formatScore } from "@/lib/format";
import { polylinePath } from "@/lib/regions";
import { useTRPC } from "@/lib/trpc";

export const REVIEW_LABELS: Record<string, { text: string; tone: "neutral" | "ok" | "ng" | "warn" | "info" }> = {
  pending: { text: "to review", tone: "warn" },
  confirmed_ng: { text: "NG confirmed", tone: "ng" },
  false_positive: { text: "false positive", tone: "ok" },
  relabelled_ok: { text: "added as OK", tone: "ok" },
  relabelled_ng: { text: "added as NG", tone: "ng" },
};

export type ReviewActions = {
  confirmNg: () => void;
  falsePositive: () => void;
  pending: () => void;
  addOk: () => void;
  addNg: () => void;
  busy: boolean;
};

/** One inspection: crop + heatmap overlay with its regions, score against threshold, regions in mm², verdict buttons. */
export function InspectionDetail({ id, actions, heatmap, onHeatmap }: { id: string; actions: ReviewActions; heatmap: boolean; onHeatmap: (v: boolean) => void }) {
  const trpc = useTRPC();
  const asset = useAssetUrl();
  const q = useQuery(trpc.inspections.get.queryOptions({ id }));
  // "above": only what is at or above the threshold is coloured (needs the stored scale); "all": the whole map.
  const [mode, setMode] = useState<"all" | "above">("above");
  return (
    <Card data-testid="inspection-detail" data-inspection={q.data?.id ?? ""}>
      <QueryState query={q} loading={<Skeleton className="m-5 aspect-[5/2]" />} errorTitle="Could not load this inspection">
        {(i) => {
          const added = i.samples.find((s) => !s.deletedAt);
          const ratio = i.scoreRatio;
          return (
            <>
              <CardHeader
                title={
                  <span className="flex flex-wrap items-center gap-2">
                    <LabelBadge label={i.decision} />
                    <span className="font-mono" data-testid="detail-score">
                      {formatScore(i.score)}
                    </span>
                    <span className="font-normal text-slate-500">vs threshold {formatScore(i.threshold)}</span>
                  </span>
                }
                description={`${i.roi.recipeId} / ${i.roi.roleId} / ${i.roi.roiName} · ${i.modelVersion ? `v${i.modelVersion.versionNumber}` : "no version"} · ${i.source} · ${formatDateTime(i.createdAt)}`}
                actions={
                  <Badge tone={REVIEW_LABELS[i.reviewStatus]?.tone ?? "neutral"} data-testid="detail-review-status" data-status={i.reviewStatus}>
                    {REVIEW_LABELS[i.reviewStatus]?.text ?? i.reviewStatus}
                  </Badge>
                }
              />
              <CardBody className="space-y-4">
                {ratio != null && (
                  <div data-testid="score-vs-threshold">
                    <div className="relative h-2 rounded-full bg-slate-200">
                      <div className={`absolute inset-y-0 left-0 rounded-full ${ratio >= 1 ? "bg-rose-500" : "bg-emerald-500"}`} style={{ width: `${Math.min(100, (ratio / 2) * 100)}%` }} />
                      <div className="absolute inset-y-[-3px] left-1/2 w-0.5 bg-slate-900" title="threshold" />
                    </div>
                    <p className="mt-1 text-xs text-slate-600">
                      Score is {ratio.toFixed(2)}× the threshold ({ratio >= 1 ? "at or above: NG" : "below: OK"}); the bar ends at 2×.
                    </p>
                  </div>
                )}
                {i.heatmapUrl && (
                  <div className="flex flex-wrap items-center gap-3 text-sm">
                    <span className="text-slate-600">Colour</span>
                    <Segmented
                      label="Heatmap colouring"
                      value={i.heatmapRange && i.threshold != null ? mode : "all"}
                      onChange={setMode}
                      options={i.heatmapRange && i.threshold != null ? [
                        { value: "above", label: "Above threshold only" },
                        { value: "all", label: "Whole map" },
                      ] : [{ value: "all", label: "Whole map" }]}
                      testId="heatmap-mode"
                    />
                  </div>
                )}
                {i.imageUrl ? (
                  <HeatmapOverlay
                    cropSrc={asset(i.imageUrl)!}
                    heatmapSrc={asset(i.heatmapUrl, { style: i.heatmapRange && i.threshold != null && mode === "above" ? "above" : "color" })}
                    width={i.width}
                    height={i.height}
                    alt={`crop of inspection ${i.id}`}
                    visible={heatmap}
                    onVisibleChange={onHeatmap}
                  >
                    {i.regions.length > 0 && (
                      <svg viewBox={`0 0 ${i.width} ${i.height}`} className="pointer-events-none absolute inset-0 size-full" aria-hidden data-testid="detail-regions-overlay">
                        {i.regions.map((r, k) =>
                          r.contour && r.contour.length >= 3 ? (
                            <path key={k} d={polylinePath(r.contour as Array<[number, number]>, true)} fill="none" className="stroke-white" strokeWidth={1.5} vectorEffect="non-scaling-stroke" />
                          ) : (
                            <rect key={k} x={r.bbox[0]} y={r.bbox[1]} width={r.bbox[2]} height={r.bbox[3]} fill="none" className="stroke-white" strokeWidth={1.5} vectorEffect="non-scaling-stroke" />
                          ),
                        )}
                      </svg>
                    )}
                  </HeatmapOverlay>
                ) : (
                  <p className="text-sm text-slate-500" data-testid="crop-missing">
                    {i.evidenceExpiredAt
                      ? `Image expired: the crop and heatmap were deleted on ${formatDateTime(i.evidenceExpiredAt)} by the retention policy (the result is kept).`
                      : "This inspection did not keep its crop."}
                  </p>
                )}
                {i.heatmapUrl && <HeatmapScale range={i.heatmapRange} threshold={i.threshold} aboveOnly={!!i.heatmapRange && i.threshold != null && mode === "above"} />}
                <div>
                  <h3 className="text-sm font-semibold text-slate-900">Regions ({i.regions.length})</h3>
                  {i.regions.length === 0 ? (
                    <p className="text-sm text-slate-500">No region above the area threshold{i.calibration ? ` (${i.calibration.areaMm2Thr} mm²)` : ""}.</p>
                  ) : (
                    <table className="mt-1 w-full text-sm" data-testid="regions-table">
                      <thead className="text-left text-xs text-slate-500">
                        <tr>
                          <th className="py-1">#</th>
                          <th className="py-1 text-right">Area</th>
                          <th className="py-1 text-right">px</th>
                          <th className="py-1 text-right">Peak</th>
                          <th className="hidden py-1 text-right sm:table-cell">Box (x, y, w, h)</th>
                        </tr>
                      </thead>
                      <tbody className="divide-y divide-slate-100">
                        {[...i.regions]
                          .sort((a, b) => (b.areaMm2 ?? b.areaPx) - (a.areaMm2 ?? a.areaPx))
                          .map((r, k) => (
                            <tr key={k} data-testid="region-row">
                              <td className="py-1">{k + 1}</td>
                              <td className="py-1 text-right font-mono tabular-nums" data-testid="region-mm2">
                                {r.areaMm2 != null ? `${r.areaMm2.toFixed(2)} mm²` : "—"}
                              </td>
                              <td className="py-1 text-right tabular-nums">{Math.round(r.areaPx)}</td>
                              <td className="py-1 text-right font-mono tabular-nums">{formatScore(r.scoreMax)}</td>
                              <td className="hidden py-1 text-right font-mono text-xs text-slate-500 sm:table-cell">{r.bbox.map((v) => Math.round(v)).join(", ")}</td>
                            </tr>
                          ))}
                      </tbody>
                    </table>
                  )}
                  {i.mmPerPx == null && i.regions.length > 0 && <p className="mt-1 text-xs text-slate-500">No mm/px known for this crop: areas in mm² need one on the recipe or ROI.</p>}
                </div>
                <div className="flex flex-wrap gap-2 border-t border-slate-100 pt-3">
                  <Button variant="ng" onClick={actions.confirmNg} disabled={actions.busy || i.reviewStatus === "confirmed_ng"} data-testid="review-confirm-ng">
                    Confirm NG <Kbd>n</Kbd>
                  </Button>
                  <Button variant="ok" onClick={actions.falsePositive} disabled={actions.busy || i.reviewStatus === "false_positive"} data-testid="review-false-positive">
                    False positive <Kbd>o</Kbd>
                  </Button>
                  {i.reviewStatus !== "pending" && (
                    <Button variant="ghost" onClick={actions.pending} disabled={actions.busy}>
                      Back to pending
                    </Button>
                  )}
                </div>
                <div className="flex flex-wrap items-center gap-2">
                  {added ? (
                    <p className="text-sm text-slate-600" data-testid="added-to-dataset">
                      In the dataset as <LabelBadge label={added.label} /> since {formatDateTime(added.createdAt)}.
                    </p>
                  ) : (
                    <>
                      <span className="text-sm text-slate-600">Add the crop to the dataset as</span>
                      <Button size="sm" onClick={actions.addOk} disabled={actions.busy} data-testid="add-ok">
                        OK <Kbd>Shift+O</Kbd>
                      </Button>
                      <Button size="sm" onClick={actions.addNg} disabled={actions.busy} data-testid="add-ng">
                        NG <Kbd>Shift+N</Kbd>
                      </Button>
                    </>
                  )}
                </div>
              </CardBody>
            </>
          );
        }}
      </QueryState>
    </Card>
  );
}

export function Kbd({ children }: { children: React.ReactNode }) {
  return <kbd className="rounded border border-current/30 px-1 font-mono text-[10px] opacity-80">{children}</kbd>;
}
