"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";
import Link from "next/link";
import type { RoiItem } from "@/components/roi/roi-select";
import { Badge, LabelBadge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { ConfusionMatrix } from "@/components/ui/confusion-matrix";
import { EmptyState } from "@/components/ui/empty-state";
import { ErrorBanner } from "@/components/ui/error-banner";
import { Histogram } from "@/components/ui/histogram";
import { HighestOkSamples } from "./highest-ok-samples";
import { LinePromise } from "./line-promise";
import { ProgressBar } from "@/components/ui/progress-bar";
import { ReasonDialog } from "@/components/ui/reason-dialog";
import { RocCurve } from "@/components/ui/roc-curve";
import { Stat } from "@/components/ui/stat";
import { useAssetUrl } from "@/lib/assets";
import { operatingPoint, thresholdRange } from "@/lib/calibration";
import { describeError } from "@/lib/errors";
import { ruleWords, scoreRuleWords } from "@/lib/audit-words";
import { formatDateTime, formatPercent, formatScore } from "@/lib/format";
import { useTRPC, type RouterOutputs } from "@/lib/trpc";

type Data = RouterOutputs["calibration"]["data"];

/** Calibration of the ROI's active version: histograms, rule, expected false-reject rate and the live threshold slider. */
export function CalibrationPanel({ roi }: { roi: RoiItem }) {
  const trpc = useTRPC();
  const q = useQuery(trpc.calibration.data.queryOptions({ roiId: roi.id }, { enabled: roi.activeModelVersionId != null, staleTime: 30_000 }));
  if (roi.activeModelVersionId == null) {
    return (
      <Card data-testid="calibration-panel">
        <CardHeader title="Calibration" />
        <CardBody>
          <EmptyState title="Nothing to calibrate yet" description="Fit a first version above; its threshold is then calibrated here." testId="calibration-empty" />
        </CardBody>
      </Card>
    );
  }
  return (
    <Card data-testid="calibration-panel">
      <CardHeader
        title="Calibration"
        description="Scores of the ROI's current labelled set under the active version: OK scored out-of-sample where the version trained on them."
        actions={q.data ? <Badge tone="brand">v{q.data.modelVersion.versionNumber}</Badge> : null}
      />
      <CardBody>
        {q.error ? (
          <ErrorBanner title="Could not score the labelled set" onRetry={() => void q.refetch()} retrying={q.isFetching}>
            {describeError(q.error).code ? `${describeError(q.error).code}: ` : ""}
            {describeError(q.error).message}
          </ErrorBanner>
        ) : !q.data ? (
          <ProgressBar label="Scoring the labelled set (the first time after a dataset change takes a while)…" testId="calibration-loading" />
        ) : (
          <CalibrationBody key={q.data.modelVersion.id} data={q.data} roiId={roi.id} />
        )}
      </CardBody>
    </Card>
  );
}

function CalibrationBody({ data, roiId }: { data: Data; roiId: string }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const asset = useAssetUrl();
  const range = useMemo(() => thresholdRange([...data.okScores, ...data.ngScores], [data.threshold, data.rule?.threshold]), [data]);
  const [t, setT] = useState<number | null>(data.threshold);
  const [tq, setTq] = useState<number | null>(data.threshold);
  useEffect(() => {
    const h = setTimeout(() => setTq(t), 120);
    return () => clearTimeout(h);
  }, [t]);
  const rescore = useQuery(
    trpc.calibration.rescore.queryOptions(
      { modelVersionId: data.modelVersion.id, threshold: tq ?? 0 },
      { enabled: tq != null, placeholderData: (prev) => prev, staleTime: 60_000 },
    ),
  );
  const [saving, setSaving] = useState(false);
  const save = useMutation(trpc.calibration.save.mutationOptions({ onSuccess: () => qc.invalidateQueries() }));
  const active = data.activeCalibration?.threshold ?? null;
  const r = rescore.data;
  const op = r ? operatingPoint(r.confusion) : null;

  if (data.okScores.length === 0 || !range || t == null) {
    return <EmptyState title="No OK sample could be scored" description="Upload OK crops on Datasets and come back." testId="calibration-noscores" />;
  }
  return (
    <div className="space-y-5">
      {!data.outOfSample && (
        <ErrorBanner tone="warn" title="Some OK scores are in-sample" testId="calibration-insample">
          These OK samples are in the version&apos;s memory bank, so their scores are optimistic; the expected false-reject rate is a lower bound.
        </ErrorBanner>
      )}
      {data.errors.length > 0 && (
        <ErrorBanner tone="warn" title={`${data.errors.length} sample(s) could not be scored`}>
          {data.errors.slice(0, 5).map((e) => `${e.fileName}: ${e.error}`).join("; ")}
        </ErrorBanner>
      )}
      <dl className="grid grid-cols-2 gap-4 text-sm md:grid-cols-4" data-testid="calibration-summary">
        <Stat label="Threshold in force" value={formatScore(active)} hint={data.activeCalibration ? `${ruleWords(data.activeCalibration.rule)} · ${formatDateTime(data.activeCalibration.createdAt)}` : "none saved"} testId="cal-active" />
        <Stat label="Rule's threshold" value={formatScore(data.rule?.threshold)} hint={data.rule ? `${ruleWords(data.rule.rule)} (image score = ${scoreRuleWords(data.scoreRule, data.percentile, data.baseline, data.channelWeights, data.brightness)})` : "needs OK scores"} testId="cal-rule" />
        <Stat
          label="Expected false rejects"
          value={formatPercent(data.expected?.promisedFalseRejectRate)}
          hint={data.expected ? `on new OK crops; ${data.expected.falseRejects} of these ${data.expected.nOk} over it · ≤ ${formatPercent(data.expected.falseRejectRateUpper95)} (95 %) · ${data.outOfSample ? "out-of-sample" : "in-sample"}` : undefined}
          testId="cal-frr"
        />
        <Stat label="Labelled set" value={`${data.okScores.length} OK · ${data.ngScores.length} NG`} hint={`scored ${formatDateTime(data.computedAt)}`} testId="cal-set" />
      </dl>

      {data.ruleSpread && (
        <p className="text-xs text-slate-600" data-testid="cal-rule-spread">
          With another {data.okScores.length} OK samples like these, the rule&apos;s threshold could land anywhere in{" "}
          <span className="font-mono tabular-nums">{formatScore(data.ruleSpread.threshold[0])}–{formatScore(data.ruleSpread.threshold[1])}</span> (95 %),
          rejecting {formatPercent(data.ruleSpread.okRejected[0])}–{formatPercent(data.ruleSpread.okRejected[1])} of these OK samples
          {data.ruleSpread.ngCaught ? ` and catching ${formatPercent(data.ruleSpread.ngCaught[0])}–${formatPercent(data.ruleSpread.ngCaught[1])} of the NG ones` : ""}.
          A wide range means the rule rests on a few samples: add OK samples, and look at the highest-scoring ones below.
        </p>
      )}

      <LinePromise roiId={roiId} />

      <Histogram
        series={[
          { name: "OK", values: data.okScores, color: "#10b981" },
          { name: "NG", values: data.ngScores, color: "#f43f5e" },
        ]}
        threshold={t}
        inForce={data.activeCalibration?.threshold ?? null}
        testId="calibration-histogram"
      />

      <HighestOkSamples items={data.okHighest} roiId={roiId} percentile={data.percentile} />

      <div className="rounded-lg border border-slate-200 p-4" data-testid="threshold-slider">
        <div className="flex flex-wrap items-center gap-3">
          <label htmlFor="threshold" className="text-sm font-medium text-slate-800">
            Threshold
          </label>
          <input
            id="threshold"
            type="range"
            min={range.min}
            max={range.max}
            step={range.step}
            value={t}
            onChange={(e) => setT(Number(e.target.value))}
            className="min-w-48 grow accent-brand-600"
            data-testid="threshold-range"
          />
          <output className="w-24 text-right font-mono text-sm tabular-nums" data-testid="threshold-value">
            {formatScore(t)}
          </output>
        </div>
        <div className="mt-2 flex flex-wrap gap-2">
          {active != null && (
            <Button size="sm" onClick={() => setT(active)}>
              Back to the active threshold
            </Button>
          )}
          {data.rule && (
            <Button size="sm" onClick={() => setT(data.rule!.threshold)} data-testid="use-rule">
              Use the rule&apos;s threshold
            </Button>
          )}
          <span className="grow" />
          <Button variant="primary" size="sm" disabled={!(t > 0) || t === active} onClick={() => setSaving(true)} data-testid="threshold-save">
            Save threshold {formatScore(t)}…
          </Button>
        </div>
        {save.isSuccess && (
          <p className="mt-2 text-sm text-emerald-700" role="status" data-testid="threshold-saved">
            Saved {formatScore(save.data.calibration.threshold)} (was {formatScore(save.data.previousThreshold)}){save.data.inForce ? "; inference uses it now." : "."}
          </p>
        )}
      </div>

      {rescore.error ? (
        <ErrorBanner title="Could not re-score at this threshold" onRetry={() => void rescore.refetch()}>
          {describeError(rescore.error).message}
        </ErrorBanner>
      ) : r ? (
        <div className={`grid gap-6 md:grid-cols-[1fr_auto] ${rescore.isFetching ? "opacity-70" : ""}`} data-testid="rescore" data-threshold={r.threshold}>
          <div className="space-y-4">
            <ConfusionMatrix tp={r.confusion.tp} fp={r.confusion.fp} tn={r.confusion.tn} fn={r.confusion.fn} />
            <p className="text-xs text-slate-600">
              At {formatScore(r.threshold)}: false rejects ≤ {formatPercent(r.rates.falseRejectRateUpper95)} and misses ≤ {formatPercent(r.rates.missRateUpper95)} at 95 % confidence
              (n = {r.nOk} OK, {r.nNg} NG).
            </p>
            <div data-testid="flips">
              <h3 className="text-sm font-semibold text-slate-900">
                Samples that flip against {r.baselineSource === "active_calibration" ? "the active threshold" : "the rule's threshold"} ({r.flips.length})
              </h3>
              {r.flips.length === 0 ? (
                <p className="mt-1 text-sm text-slate-500">None: every decision is the same as at {formatScore(r.baselineThreshold)}.</p>
              ) : (
                <ul className="mt-2 grid grid-cols-3 gap-2 sm:grid-cols-4 lg:grid-cols-6">
                  {r.flips.slice(0, 24).map((f) => (
                    <li key={f.sampleId} className="overflow-hidden rounded border border-slate-200 bg-white text-xs" data-testid="flip">
                      <Link href={`/datasets?roi=${roiId}&sample=${f.sampleId}`} title={`${f.originalFileName ?? f.fileName} (stored as ${f.fileName})`}>
                        <div className="relative aspect-square bg-slate-100">
                          <img src={asset(f.thumbUrl, { size: "128" })!} alt={f.originalFileName ?? f.fileName} loading="lazy" className="absolute inset-0 size-full object-contain" />
                        </div>
                        <div className="flex items-center justify-between gap-1 px-1.5 py-1">
                          <LabelBadge label={f.label} />
                          <span className={f.nowCorrect ? "text-emerald-700" : "text-rose-700"}>
                            {f.before.toUpperCase()}→{f.after.toUpperCase()}
                          </span>
                        </div>
                      </Link>
                    </li>
                  ))}
                </ul>
              )}
            </div>
          </div>
          <RocCurve points={r.roc} current={op} auc={r.auc} />
        </div>
      ) : null}

      <ReasonDialog
        open={saving}
        title={`Save threshold ${formatScore(t)} for v${data.modelVersion.versionNumber}`}
        confirmLabel="Save threshold"
        onClose={() => setSaving(false)}
        onConfirm={async (reason) => {
          await save.mutateAsync({ modelVersionId: data.modelVersion.id, threshold: t, reason });
        }}
      >
        Inference on this ROI uses the new threshold at once (when v{data.modelVersion.versionNumber} is the active version). Currently {formatScore(active)}.
      </ReasonDialog>
    </div>
  );
}
