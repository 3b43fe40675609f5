import { Badge, type Tone } from "@/components/ui/badge";
import { Stat } from "@/components/ui/stat";
import { formatDateTime, formatPercent, formatScore } from "@/lib/format";
import type { RouterOutputs } from "@/lib/trpc";

type Scores = NonNullable<RouterOutputs["reports"]["line"]>["scores"];
type Shift = Extract<Scores, { available: true }>;

const VERDICTS: Record<Shift["verdict"], { tone: Tone; text: string }> = {
  steady: { tone: "ok", text: "like the OK samples" },
  higher: { tone: "warn", text: "scoring higher than the OK samples" },
  lower: { tone: "warn", text: "scoring lower than the OK samples" },
  open: { tone: "neutral", text: "too few crops to tell" },
};

/**
 * The line's last crops against the OK samples the calibration was made from: new good crops land above the OK
 * samples' median half of the time, so a share well away from one half says the parts or the view changed — before
 * it shows as false rejects, and without waiting for reviews. In the calibration view (the line's last crops) and the
 * shift report (the shift's crops under the active threshold).
 */
export function LineScores({ scores, threshold }: { scores: Scores; threshold: number | null }) {
  if (!scores.available) {
    return (
      <p className="mt-3 text-xs text-slate-500" data-testid="line-scores-unavailable">
        Scores on the line are not compared: {scores.reason}.
      </p>
    );
  }
  const fewOk = scores.okScores < scores.minOkScores;
  const v = fewOk ? { tone: "neutral" as Tone, text: "too few OK samples to tell" } : VERDICTS[scores.verdict];
  // at least 40–60 %, wider when the OK samples are few (shiftTolerance in @bdi/core)
  const band = `${formatPercent(0.5 - scores.tolerance, 0)}–${formatPercent(0.5 + scores.tolerance, 0)}`;
  return (
    <div className="mt-4 border-t border-slate-100 pt-3" data-testid="line-scores" data-verdict={scores.verdict}>
      <div className="flex flex-wrap items-center gap-2">
        <h4 className="text-sm font-semibold text-slate-900">
          {scores.crops ? `Scores of the line's last ${scores.crops} crop${scores.crops === 1 ? "" : "s"}` : "Scores of the line's crops"}
        </h4>
        <Badge tone={v.tone} data-testid="line-scores-verdict">
          {v.text}
        </Badge>
      </div>
      <p className="mt-1 text-xs text-slate-600">
        The last {scores.window} at most, against the calibration&apos;s {scores.okScores} OK samples scored out of sample: new good crops score above their median half
        of the time (the dev sets&apos; unseen good crops: 50 % and 47 %); defects score above it too.
        {scores.from && scores.to ? ` Crops judged ${formatDateTime(scores.from)} – ${formatDateTime(scores.to)}.` : ""}
      </p>
      {!fewOk && scores.crops < scores.minCrops && (
        <p className="mt-1 text-xs text-slate-600" data-testid="line-scores-few-crops">
          {scores.crops} of the {scores.minCrops} line crops a verdict needs: a line sends its crops in runs (one batch, one position
          after another), and a few runs alone can sit on one side of the median.
        </p>
      )}
      {fewOk && (
        <p className="mt-1 text-xs text-slate-600" data-testid="line-scores-few-ok">
          The calibration has {scores.okScores} OK samples: their median is too uncertain to tell a shift from (at least {scores.minOkScores}{" "}
          are needed). Add OK samples and refit.
        </p>
      )}
      <dl className="mt-3 grid grid-cols-2 gap-4 text-sm md:grid-cols-3">
        <Stat
          label="Above the OK median"
          value={scores.share == null ? "—" : `${scores.aboveOkMedian} of ${scores.crops}`}
          hint={
            scores.share == null
              ? undefined
              : `${formatPercent(scores.share)}; ${formatPercent(scores.interval95.lower)}–${formatPercent(scores.interval95.upper)} (95 %${
                  scores.effectiveCrops < scores.crops - 0.5 ? `, the crops coming in runs count as ${Math.round(scores.effectiveCrops)}` : ""
                }) against ${band}`
          }
          testId="line-scores-share"
        />
        <Stat label="Median score" value={formatScore(scores.lineMedian)} hint={`OK samples: ${formatScore(scores.okMedian)}`} testId="line-scores-median" />
        <Stat
          label="90th percentile"
          value={formatScore(scores.lineP90)}
          hint={`OK samples: ${formatScore(scores.okP90)}; threshold ${formatScore(threshold)}`}
          testId="line-scores-p90"
        />
      </dl>
      {scores.verdict === "higher" && (
        <p className="mt-2 text-xs text-slate-700">
          The line&apos;s crops score higher than the OK samples did: the parts, the surface, the lighting or the camera have changed
          since the fit. Look at recent crops (Review); if they are good parts, add some to the dataset as OK and refit before the false
          rejects rise.
        </p>
      )}
      {scores.verdict === "lower" && (
        <p className="mt-2 text-xs text-slate-700">
          The line&apos;s crops score lower than the OK samples did: check the camera, the lighting and where the ROI sits on the part. A
          view that changed can hide defects as well as good parts&apos; marks.
        </p>
      )}
    </div>
  );
}
