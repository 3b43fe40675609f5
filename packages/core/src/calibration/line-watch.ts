// The line watch: which of the two line verdicts (the promise, line-promise.ts; the score shift, score-shift.ts) a
// calibration last settled on, and which changes of them are worth telling someone who is not looking at the panel.
//
// Each verdict has an undecided middle ("open": the interval straddles the limit). Only a decided verdict moves the
// watch's state; "open" keeps the last decided one. That is the hysteresis that keeps an alarm from flapping: a share
// whose interval drifts across the "higher" limit and back reads higher / open / higher, and raises one alarm, not
// three; the alarm clears only when the line is decidedly back (steady, kept), not when it merely becomes uncertain.
import type { PromiseVerdict } from "./line-promise.ts";
import type { ShiftVerdict } from "./score-shift.ts";

/** A calibration's last decided verdicts; null: none decided yet (a new threshold starts with none). */
export interface LineWatchState {
  promise: Exclude<PromiseVerdict, "open"> | null;
  shift: Exclude<ShiftVerdict, "open"> | null;
}

export const EMPTY_LINE_WATCH: LineWatchState = { promise: null, shift: null };

export type LineWatchKind = keyof LineWatchState;

/** The decided verdicts each kind can hold (what the LineWatch table stores). */
export const LINE_WATCH_STATES = {
  promise: ["kept", "broken"],
  shift: ["steady", "higher", "lower"],
} as const satisfies { [K in LineWatchKind]: ReadonlyArray<NonNullable<LineWatchState[K]>> };

/** The audit action that reports a change of `kind` ("line.promise", "line.shift"). */
export const lineWatchAction = (kind: LineWatchKind) => `line.${kind}` as const;
export const LINE_WATCH_ACTIONS = [lineWatchAction("promise"), lineWatchAction("shift")] as const;

/** One change of a watched verdict that someone should hear about. */
export interface LineWatchChange {
  kind: LineWatchKind;
  from: string | null;
  to: string;
  /** true: the line needs attention now (promise broken, scores higher or lower); false: it is back to normal */
  alarm: boolean;
}

const ALARMS: Record<LineWatchKind, ReadonlySet<string>> = {
  promise: new Set(["broken"]),
  shift: new Set(["higher", "lower"]),
};

/** Whether a decided verdict of `kind` needs attention. */
export const isLineAlarm = (kind: LineWatchKind, verdict: string | null): boolean => verdict !== null && ALARMS[kind].has(verdict);

/**
 * The watch's next state after the verdicts just computed, and the changes to report. A first decided verdict that
 * is normal (kept, steady) changes the state silently; every change into, out of or between alarms is reported
 * (scores higher, then lower, is two reports).
 */
export function lineWatchStep(
  prev: LineWatchState,
  verdicts: { promise: PromiseVerdict; shift: ShiftVerdict | null },
): { next: LineWatchState; changes: LineWatchChange[] } {
  const next: LineWatchState = {
    promise: verdicts.promise === "open" ? prev.promise : verdicts.promise,
    shift: verdicts.shift === null || verdicts.shift === "open" ? prev.shift : verdicts.shift,
  };
  const changes: LineWatchChange[] = [];
  for (const kind of ["promise", "shift"] as const) {
    const from = prev[kind];
    const to = next[kind];
    if (to === null || to === from) continue;
    if (!isLineAlarm(kind, from) && !isLineAlarm(kind, to)) continue;
    changes.push({ kind, from, to, alarm: isLineAlarm(kind, to) });
  }
  return { next, changes };
}
