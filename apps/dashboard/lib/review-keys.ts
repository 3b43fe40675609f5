// The review queue's keyboard shortcuts: one table drives both the handlers and the legend shown on the page.
export type ReviewAction = "next" | "prev" | "confirmNg" | "falsePositive" | "addOk" | "addNg" | "toggleHeatmap";

export const REVIEW_KEYS: ReadonlyArray<{ keys: string[]; label: string; action: ReviewAction }> = [
  { keys: ["j", "ArrowDown"], label: "next inspection", action: "next" },
  { keys: ["k", "ArrowUp"], label: "previous inspection", action: "prev" },
  { keys: ["n"], label: "confirm NG", action: "confirmNg" },
  { keys: ["o"], label: "mark false positive (it is OK)", action: "falsePositive" },
  { keys: ["N"], label: "add the crop to the dataset as NG (Shift+N)", action: "addNg" },
  { keys: ["O"], label: "add the crop to the dataset as OK (Shift+O)", action: "addOk" },
  { keys: ["h"], label: "show / hide the heatmap", action: "toggleHeatmap" },
];

/** The hotkey map for useHotkeys from one handler per action. */
export function reviewHotkeys(on: (a: ReviewAction) => void): Record<string, () => void> {
  const map: Record<string, () => void> = {};
  for (const k of REVIEW_KEYS) for (const key of k.keys) map[key] = () => on(k.action);
  return map;
}

/** The index after moving by `delta` in a list of `n`, clamped (no wrap-around: the end of the page is the end). */
export function step(index: number, delta: number, n: number): number {
  if (n <= 0) return -1;
  if (index < 0) return delta > 0 ? 0 : n - 1;
  return Math.max(0, Math.min(n - 1, index + delta));
}
