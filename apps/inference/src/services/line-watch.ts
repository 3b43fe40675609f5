// The line watch: after the line's inspections (the legacy client's /infer) and their reviews, each calibration they
// were judged under has its two verdicts computed again — the promise (reports.ts, core's linePromise) and its scores
// against the OK samples (core's scoreShift) — and a change that needs someone (promise broken, scores higher or
// lower, or back to normal) is reported where people hear of it without looking at the panel: the audit log
// ("line.promise" / "line.shift" on the calibration, actor "line-watch"), the service log, /metrics
// (bdi_line_alarms_total), and BDI_ALERT_WEBHOOK_URL when set. Which changes count, and the hysteresis that keeps an
// alarm from flapping, are core's `lineWatchStep`; reporting once across replicas is the db's `advanceLineWatch`.
import { isLineAlarm, lineWatchAction, lineWatchStep, SHIFT_WINDOW, type LineWatchChange } from "@bdi/core";
import { activeLineWatches, advanceLineWatch, findCalibration, getRoi } from "@bdi/db";
import type { Services } from "./index.ts";
import { calibrationPromise, calibrationScoreShift } from "./reports.ts";

/** The actor of the watch's audit events. */
export const LINE_WATCH_ACTOR = "line-watch";

/**
 * Least time between two checks of one calibration. A check reads two indexed queries (the promise's counts, the last
 * `SHIFT_WINDOW` scores); at the line's pace (a crop every ~0.3 s per client) checking every crop would double the
 * database's reads for verdicts that move over hundreds of crops.
 */
export const LINE_WATCH_MIN_INTERVAL_MS = 2_000;

/** How long the alert webhook may take to answer, and how many tries it gets (then the failure is logged and counted). */
const WEBHOOK_TIMEOUT_MS = 5_000;
const WEBHOOK_TRIES = 3;

/** What the alert webhook receives: one message per change (`text` is what chat webhooks such as Slack's show). */
export type LineAlert = {
  event: ReturnType<typeof lineWatchAction>;
  alarm: boolean;
  from: string | null;
  to: string;
  text: string;
  at: string;
  roi: { id: string; recipeId: string; roleId: string; roiId: string };
  calibration: { id: string; threshold: number; active: boolean };
  detail: Record<string, unknown>;
  replica: string;
};

/** Computes a calibration's verdicts now and reports what changed since the last check (nothing: an empty list). */
export async function checkLine(svc: Services, calibrationId: string): Promise<LineWatchChange[]> {
  const db = svc.ctx.db.prisma;
  const cal = await findCalibration(db, calibrationId);
  if (!cal) return [];
  const [promise, shift] = await Promise.all([calibrationPromise(svc, cal), calibrationScoreShift(svc, cal)]);
  const detail = {
    promise: {
      promised: promise.promised, goodParts: promise.goodParts, falseRejects: promise.falseRejects,
      pendingNg: promise.pendingNg, interval95: promise.interval95,
    },
    ...(shift.available
      ? {
        shift: {
          crops: shift.crops, aboveOkMedian: shift.aboveOkMedian, share: shift.share, interval95: shift.interval95,
          tolerance: shift.tolerance, okMedian: shift.okMedian, lineMedian: shift.lineMedian, window: SHIFT_WINDOW,
        },
      }
      : {}),
  };
  const changes = await advanceLineWatch(
    db, cal.id,
    (prev) => lineWatchStep(prev, { promise: promise.verdict, shift: shift.available ? shift.verdict : null }),
    detail, { actor: LINE_WATCH_ACTOR },
  );
  if (!changes.length) return changes;
  const roi = await getRoi(db, cal.roiId);
  for (const c of changes) {
    svc.metrics.lineAlarms.inc({ kind: c.kind, verdict: c.to });
    const alert: LineAlert = {
      event: lineWatchAction(c.kind), alarm: c.alarm, from: c.from, to: c.to,
      text: alertText(`${roi.recipeId}/${roi.roleId}/${roi.roiId}`, c, detail),
      at: new Date().toISOString(),
      roi: { id: roi.id, recipeId: roi.recipeId, roleId: roi.roleId, roiId: roi.roiId },
      calibration: { id: cal.id, threshold: cal.threshold, active: roi.activeCalibration?.id === cal.id },
      detail: detail[c.kind] ?? {},
      replica: svc.ctx.config.replicaId,
    };
    svc.ctx.log?.[c.alarm ? "warn" : "info"]?.({ alert: { ...alert, detail: undefined } }, alert.text);
    if (svc.ctx.config.alertWebhookUrl) svc.lineWatch.track(postAlert(svc, svc.ctx.config.alertWebhookUrl, alert));
  }
  return changes;
}

/**
 * Sets `bdi_line_alarm` from the database, one sample per ROI with an active calibration and kind (1 while an alarm is
 * in force): a Prometheus rule fires on it and resolves when the line is back, whichever replica reported either. On a
 * database error the last values stay (and the error is logged): /metrics still answers.
 */
export async function refreshLineAlarms(svc: Services): Promise<void> {
  let rows;
  try {
    rows = await activeLineWatches(svc.ctx.db.prisma);
  } catch (err) {
    svc.ctx.log?.warn?.({ err: (err as Error).message }, "line alarms not refreshed for /metrics");
    return;
  }
  const gauge = svc.metrics.lineAlarm;
  gauge.clear();
  for (const r of rows) {
    for (const kind of ["promise", "shift"] as const) {
      gauge.set({ recipe_id: r.recipeId, role_id: r.roleId, roi_id: r.roiId, kind }, isLineAlarm(kind, r[kind]) ? 1 : 0);
    }
  }
}

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

/** One sentence a QA engineer reads in a chat channel. */
function alertText(
  roi: string,
  c: LineWatchChange,
  d: { promise: { promised: number | null; goodParts: number; falseRejects: number }; shift?: { crops: number; share: number | null } },
): string {
  if (c.kind === "promise") {
    const seen = `${d.promise.falseRejects} false rejects in ${d.promise.goodParts} good parts, ${d.promise.promised === null ? "no promise" : `${pct(d.promise.promised)} promised`}`;
    return c.alarm
      ? `ROI ${roi}: the line rejects more good parts than its calibration promised (${seen}); add the false rejects as OK samples and refit`
      : `ROI ${roi}: the line keeps its calibration's promise again (${seen})`;
  }
  const share = d.shift?.share ?? null;
  const seen = share === null ? "" : ` (${pct(share)} of the last ${d.shift!.crops} crops above the OK samples' median)`;
  if (!c.alarm) return `ROI ${roi}: the line's scores are like the OK samples' again${seen}`;
  return `ROI ${roi}: the line's crops score ${c.to} than the OK samples${seen}; check the lighting, the focus and the part before trusting the decisions`;
}

/** POSTs one alert, retried with a short back-off; a failure is logged and counted, never thrown. */
async function postAlert(svc: Services, url: string, alert: LineAlert): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await fetch(url, {
        method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(alert),
        signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
      });
      await res.body?.cancel();
      if (res.ok) return;
      throw new Error(`HTTP ${res.status}`);
    } catch (err) {
      if (attempt >= WEBHOOK_TRIES) {
        svc.metrics.alertWebhookFailures.inc();
        svc.ctx.log?.error?.({ err: (err as Error).message, event: alert.event }, "the alert webhook did not take a line alert (it is in the audit log)");
        return;
      }
      await new Promise((r) => setTimeout(r, 500 * 2 ** attempt));
    }
  }
}

/**
 * Runs `checkLine` for the calibrations it is told of, at most once per `LINE_WATCH_MIN_INTERVAL_MS` each, in the
 * background: notes arriving while a check runs, or within the interval, fold into one later check.
 */
export class LineWatcher {
  private readonly due = new Map<string, number>();
  private readonly lastRun = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private readonly inFlight = new Set<Promise<unknown>>();
  private closed = false;

  constructor(
    private readonly check: (calibrationId: string) => Promise<unknown>,
    private readonly onError: (err: unknown, calibrationId: string) => void,
    private readonly minIntervalMs = LINE_WATCH_MIN_INTERVAL_MS,
  ) {}

  /** Something the calibration's verdicts depend on changed (an inspection under it, a review of one). */
  note(calibrationId: string): void {
    if (this.closed) return;
    // forget the run times that no longer hold a check back (calibrations replaced long ago)
    if (this.lastRun.size > 1000) for (const [id, at] of this.lastRun) if (Date.now() - at > this.minIntervalMs) this.lastRun.delete(id);
    const earliest = (this.lastRun.get(calibrationId) ?? -Infinity) + this.minIntervalMs;
    if (!this.due.has(calibrationId)) this.due.set(calibrationId, Math.max(Date.now(), earliest));
    this.schedule();
  }

  /** Keeps a background task (an alert being sent) so that `idle` and `close` wait for it. */
  track(p: Promise<unknown>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  /** Resolves when nothing is due, running or being sent (tests; shutdown). */
  async idle(): Promise<void> {
    while (this.due.size || this.running || this.inFlight.size) {
      if (this.due.size && !this.running) this.runDue(true);
      await Promise.all([this.running, ...this.inFlight]);
    }
  }

  /** Stops taking notes; waits for the check and the alerts in flight. */
  async close(): Promise<void> {
    this.closed = true;
    this.due.clear();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await Promise.all([this.running, ...this.inFlight]);
  }

  private schedule(): void {
    if (this.timer || this.running || !this.due.size) return;
    const wait = Math.max(0, Math.min(...this.due.values()) - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.runDue(false);
    }, wait);
    this.timer.unref();
  }

  /** Checks every calibration that is due now (all of them when `all`), one at a time. */
  private runDue(all: boolean): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const now = Date.now();
    const ids = [...this.due].filter(([, at]) => all || at <= now).map(([id]) => id);
    for (const id of ids) this.due.delete(id);
    this.running = (async () => {
      for (const id of ids) {
        this.lastRun.set(id, Date.now());
        try {
          await this.check(id);
        } catch (err) {
          this.onError(err, id);
        }
      }
    })().finally(() => {
      this.running = null;
      this.schedule();
    });
  }
}
