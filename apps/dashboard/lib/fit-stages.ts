// The fit's stages in one language (the service reports short codes: reading, extract, coreset, calibrating, …),
// and the time estimate shown beside the progress bar.

const STAGES: Record<string, string> = {
  queued: "Waiting for the fit before it",
  starting: "Starting",
  reading: "Reading the OK crops",
  extract: "Extracting features",
  coreset: "Building the memory bank",
  calibrating: "Scoring held-out OK crops (out-of-sample)",
  calibrate: "Scoring held-out OK crops (out-of-sample)",
  writing: "Writing the model files",
  activating: "Activating the new version",
  done: "Done",
  failed: "Failed",
  cancelled: "Cancelled",
};

/** The stage's name for people; the code itself for a stage this list does not know yet. */
export function fitStageName(code: string | null | undefined): string {
  return (code && STAGES[code]) ?? code ?? "Running";
}

/**
 * Seconds left, from the time spent and the share done (a straight-line guess): null before 5 % or 3 s, when it
 * would say nothing useful.
 */
export function fitRemainingSeconds(elapsedMs: number, progress: number): number | null {
  if (!(progress >= 0.05) || progress >= 1 || elapsedMs < 3000) return null;
  return ((elapsedMs / progress) * (1 - progress)) / 1000;
}
