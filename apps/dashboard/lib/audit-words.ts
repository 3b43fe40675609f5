// Audit action codes in words for people; the code stays in the tooltip, the filter's value and the CSV.
const ACTIONS: Record<string, string> = {
  "sample.create": "Sample uploaded",
  "sample.relabel": "Sample relabelled",
  "sample.delete": "Sample deleted",
  "sample.restore": "Sample restored",
  "sample.set_note": "Note changed",
  "sample.set_ng_regions": "NG regions drawn",
  "model_version.create": "Fit started (new version)",
  "model_version.ready": "Version built",
  "model_version.failed": "Version failed",
  "model_version.activate": "Version activated",
  "model_version.add_samples": "Training samples recorded",
  "calibration.create": "Threshold saved",
  "calibration.activate": "Threshold put in force",
  "inspection.create": "Crop inspected",
  "inspection.review": "Inspection reviewed",
  "roi.create": "ROI created",
  "roi.update": "ROI changed",
  "recipe.create": "Recipe created",
  "recipe.lock_mm_per_px": "Recipe's mm/px locked",
  "recipe.set_mm_per_px": "Recipe's mm/px set",
  "fit.cancel": "Fit cancelled",
  "line.promise": "Line watch: promise verdict changed",
  "line.shift": "Line watch: scores against the OK samples changed",
  "import.legacy_artifacts_skipped": "Legacy import: artifacts skipped",
};

/** "calibration.create" → "Threshold saved"; an unknown code reads as its words ("user.set_role" → "User set role"). */
export function actionWords(code: string): string {
  const known = ACTIONS[code];
  if (known) return known;
  const text = code.replace(/[._]+/g, " ").trim();
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A value of an audit before/after record, short: numbers with 4 significant digits, long text cut. */
export function auditValue(v: unknown): string {
  if (v === null || v === undefined) return "∅";
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : Number(v.toPrecision(4)).toString();
  if (typeof v === "object") return JSON.stringify(v).slice(0, 40);
  return String(v).slice(0, 40);
}

const RULES: Record<string, string> = {
  p99_ok: "99th percentile of the OK scores",
  midpoint_p99ok_p5ng: "midway between the OK scores' 99th and the NG scores' 5th percentile",
  "p99ok_x1.02": "OK scores' 99th percentile + 2 % (OK and NG overlap)",
  manual: "set by hand",
};

/**
 * How a model version makes one image score of its anomaly map, in words: "tail-mean" (every fit since session 6) =
 * the mean of the map's highest (100 − p) %, "percentile" (older versions) = its p-th percentile; with the
 * "crop-median" baseline (crops that are not registered, since session 10) the map is taken over the crop's median;
 * `channelWeights`: the version's features are weighted per channel (registered ROIs, since session 23); `brightness`:
 * its crops are brought to the ROI's brightness before the backbone (registered ROIs, since session 24).
 */
export function scoreRuleWords(
  rule: string | null | undefined, percentile: number, baseline?: string | null, channelWeights?: boolean, brightness?: boolean,
): string {
  let words = rule === "tail-mean" ? `mean of the map's top ${Number((100 - percentile).toPrecision(3))} %` : `p${percentile} of the map`;
  if (baseline === "crop-median") words += ", over the crop's own median";
  const adjust = [...(brightness ? ["crops at the ROI's brightness"] : []), ...(channelWeights ? ["features weighted per channel"] : [])];
  return adjust.length ? `${words}; ${adjust.join(", ")}` : words;
}

/**
 * How a model version turns 1-NN distances into its map, in words, for its card: the distances normalised per grid
 * cell by the fit's out-of-sample OK statistics (z-scores; fits of 20+ OK crops) or raw, the crop-median baseline,
 * and what a registered ROI does to its crops (one brightness, per-channel weights). `null` (no readable artifact) gives "—".
 */
export function mapWords(scoring: { normalised: boolean; baseline: string | null; channelWeights: boolean; brightness: boolean } | null): string {
  if (!scoring) return "—";
  const parts = [scoring.normalised ? "z-scores per grid cell" : "raw distances"];
  if (scoring.baseline === "crop-median") parts.push("over the crop's own median");
  if (scoring.brightness) parts.push("crops at the ROI's brightness");
  if (scoring.channelWeights) parts.push("features weighted per channel");
  return parts.join(", ");
}

/** A calibration rule in words ("midpoint_p99ok_p5ng" → "midway between …"); unknown codes as they are. */
export function ruleWords(rule: string | null | undefined): string {
  return rule ? (RULES[rule] ?? rule) : "—";
}
