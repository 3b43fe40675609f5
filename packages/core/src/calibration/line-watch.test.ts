import { test } from "node:test";
import assert from "node:assert/strict";
import { EMPTY_LINE_WATCH, isLineAlarm, lineWatchStep, type LineWatchState } from "./line-watch.ts";

test("lineWatchStep: a first normal verdict is recorded silently; an undecided one changes nothing", () => {
  const first = lineWatchStep(EMPTY_LINE_WATCH, { promise: "kept", shift: "steady" });
  assert.deepEqual(first.next, { promise: "kept", shift: "steady" });
  assert.deepEqual(first.changes, []);
  const open = lineWatchStep(EMPTY_LINE_WATCH, { promise: "open", shift: "open" });
  assert.deepEqual(open.next, EMPTY_LINE_WATCH);
  assert.deepEqual(open.changes, []);
  // no comparison possible (in-sample OK scores): the shift keeps its state
  assert.deepEqual(lineWatchStep({ promise: null, shift: "higher" }, { promise: "open", shift: null }).next, { promise: null, shift: "higher" });
});

test("lineWatchStep: scores higher raise an alarm once, through open and back; steady clears it", () => {
  let s: LineWatchState = { promise: "kept", shift: "steady" };
  const seen: string[] = [];
  for (const shift of ["higher", "open", "higher", "open", "steady", "open", "steady"] as const) {
    const r = lineWatchStep(s, { promise: "open", shift });
    for (const c of r.changes) seen.push(`${c.kind}:${c.from}->${c.to}:${c.alarm ? "alarm" : "clear"}`);
    s = r.next;
  }
  assert.deepEqual(seen, ["shift:steady->higher:alarm", "shift:higher->steady:clear"]);
  assert.deepEqual(s, { promise: "kept", shift: "steady" });
});

test("lineWatchStep: higher then lower is two alarms; a first verdict that is an alarm is reported", () => {
  const a = lineWatchStep({ promise: null, shift: "higher" }, { promise: "open", shift: "lower" });
  assert.deepEqual(a.changes, [{ kind: "shift", from: "higher", to: "lower", alarm: true }]);
  const b = lineWatchStep(EMPTY_LINE_WATCH, { promise: "broken", shift: "lower" });
  assert.deepEqual(b.changes, [
    { kind: "promise", from: null, to: "broken", alarm: true },
    { kind: "shift", from: null, to: "lower", alarm: true },
  ]);
  assert.deepEqual(b.next, { promise: "broken", shift: "lower" });
});

test("lineWatchStep: a broken promise kept again is reported cleared", () => {
  const r = lineWatchStep({ promise: "broken", shift: "steady" }, { promise: "kept", shift: "steady" });
  assert.deepEqual(r.changes, [{ kind: "promise", from: "broken", to: "kept", alarm: false }]);
  assert.equal(isLineAlarm("promise", "broken"), true);
  assert.equal(isLineAlarm("promise", "kept"), false);
  assert.equal(isLineAlarm("shift", "steady"), false);
  assert.equal(isLineAlarm("shift", null), false);
});
