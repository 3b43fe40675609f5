// A tiny Prometheus registry (text exposition format 0.0.4): counters, gauges and histograms with labels.
// No dependency; enough for /metrics (requests and latency per route, infer latency, fit durations, bank sizes).
// Labels every sample with the registry's constant labels too (the replica: one scrape target per replica, and a
// dashboard summing over replicas still tells them apart).

type Labels = Record<string, string>;

function labelKey(names: readonly string[], labels: Labels): string {
  return names.map((n) => labels[n] ?? "").join("\u0000");
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

type LabelPairs = ReadonlyArray<readonly [string, string]>;

function fmtLabels(names: readonly string[], values: string[], extra: LabelPairs = []): string {
  const parts = names.map((n, i) => `${n}="${escapeLabel(values[i] ?? "")}"`);
  for (const [k, v] of extra) parts.push(`${k}="${escapeLabel(v)}"`);
  return parts.length ? `{${parts.join(",")}}` : "";
}

function fmtNum(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}

interface Metric {
  readonly name: string;
  /** `constLabels` follow the metric's own labels (and precede a histogram's `le`) */
  render(constLabels: LabelPairs): string;
}

/** A counter or a gauge: one number per label set. */
abstract class ValueMetric implements Metric {
  private values = new Map<string, { labels: string[]; v: number }>();
  protected abstract readonly type: "counter" | "gauge";
  constructor(readonly name: string, readonly help: string, readonly labelNames: readonly string[] = []) {}
  protected entry(labels: Labels): { labels: string[]; v: number } {
    const k = labelKey(this.labelNames, labels);
    let e = this.values.get(k);
    if (!e) this.values.set(k, (e = { labels: this.labelNames.map((n) => labels[n] ?? ""), v: 0 }));
    return e;
  }
  get(labels: Labels = {}): number {
    return this.values.get(labelKey(this.labelNames, labels))?.v ?? 0;
  }
  /** Forgets every label set (a gauge rebuilt from the database at each scrape). */
  clear(): void {
    this.values.clear();
  }
  render(constLabels: LabelPairs = []): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`];
    for (const e of this.values.values()) lines.push(`${this.name}${fmtLabels(this.labelNames, e.labels, constLabels)} ${fmtNum(e.v)}`);
    return lines.join("\n");
  }
}

export class Counter extends ValueMetric {
  protected readonly type = "counter";
  inc(labels: Labels = {}, by = 1): void {
    this.entry(labels).v += by;
  }
}

export class Gauge extends ValueMetric {
  protected readonly type = "gauge";
  set(labels: Labels, v: number): void {
    this.entry(labels).v = v;
  }
}

export class Histogram implements Metric {
  private values = new Map<string, { labels: string[]; counts: number[]; sum: number; count: number }>();
  readonly buckets: number[];
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[] = [],
    buckets: number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  ) {
    this.buckets = [...buckets].sort((a, b) => a - b);
  }
  observe(labels: Labels, v: number): void {
    const k = labelKey(this.labelNames, labels);
    let e = this.values.get(k);
    if (!e) {
      e = { labels: this.labelNames.map((n) => labels[n] ?? ""), counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.values.set(k, e);
    }
    for (let i = 0; i < this.buckets.length; i++) if (v <= this.buckets[i]!) e.counts[i]!++;
    e.sum += v;
    e.count++;
  }
  count(labels: Labels = {}): number {
    return this.values.get(labelKey(this.labelNames, labels))?.count ?? 0;
  }
  render(constLabels: LabelPairs = []): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const e of this.values.values()) {
      this.buckets.forEach((b, i) =>
        lines.push(`${this.name}_bucket${fmtLabels(this.labelNames, e.labels, [...constLabels, ["le", fmtNum(b)]])} ${e.counts[i]}`),
      );
      lines.push(`${this.name}_bucket${fmtLabels(this.labelNames, e.labels, [...constLabels, ["le", "+Inf"]])} ${e.count}`);
      lines.push(`${this.name}_sum${fmtLabels(this.labelNames, e.labels, constLabels)} ${fmtNum(e.sum)}`);
      lines.push(`${this.name}_count${fmtLabels(this.labelNames, e.labels, constLabels)} ${e.count}`);
    }
    return lines.join("\n");
  }
}

export class Registry {
  private metrics: Metric[] = [];
  private collectors: Array<() => void> = [];
  private constLabels: Array<[string, string]> = [];
  /** A label every rendered sample carries (e.g. replica="…"). */
  setConstLabel(name: string, value: string): void {
    this.constLabels = [...this.constLabels.filter(([n]) => n !== name), [name, value]];
  }
  register<M extends Metric>(m: M): M {
    this.metrics.push(m);
    return m;
  }
  /** Runs before each render (refresh gauges from live state). */
  onCollect(fn: () => void): void {
    this.collectors.push(fn);
  }
  render(): string {
    for (const c of this.collectors) {
      try {
        c();
      } catch {
        /* a failing collector must not break /metrics */
      }
    }
    return this.metrics.map((m) => m.render(this.constLabels)).join("\n") + "\n";
  }
}

/** The service's metrics (one set per app instance). */
export function createServiceMetrics() {
  const registry = new Registry();
  return {
    registry,
    httpRequests: registry.register(
      new Counter("bdi_http_requests_total", "HTTP requests by method, route and status code.", ["method", "route", "status"]),
    ),
    httpDuration: registry.register(
      new Histogram("bdi_http_request_duration_seconds", "HTTP request latency by method and route.", ["method", "route"]),
    ),
    inferDuration: registry.register(
      new Histogram(
        "bdi_infer_duration_seconds",
        "End-to-end scoring time of one image (backbone, search, post-processing).",
        ["source"],
        [0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10],
      ),
    ),
    inferDecisions: registry.register(new Counter("bdi_infer_decisions_total", "Inference decisions.", ["decision"])),
    fitDuration: registry.register(
      new Histogram("bdi_fit_duration_seconds", "Duration of completed fits.", ["status"], [1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800]),
    ),
    fitsTotal: registry.register(new Counter("bdi_fits_total", "Fit jobs by outcome.", ["status"])),
    evidenceNotStored: registry.register(
      new Counter("bdi_evidence_not_stored_total", "Inferences answered whose crop / heatmap could not be stored (alert on any increase).", ["reason"]),
    ),
    lineAlarms: registry.register(
      new Counter("bdi_line_alarms_total", "Changes of a line's watched verdicts reported by this replica (alert on kind, verdict).", ["kind", "verdict"]),
    ),
    lineAlarm: registry.register(
      new Gauge(
        "bdi_line_alarm",
        "1 while the line watch holds an alarm on a ROI's active calibration (kind promise: broken; shift: higher or lower), else 0; from the database at each scrape, the same on every replica.",
        ["recipe_id", "role_id", "roi_id", "kind"],
      ),
    ),
    alertWebhookFailures: registry.register(
      new Counter("bdi_alert_webhook_failures_total", "Line alerts the alert webhook did not take after its retries (they stay in the audit log)."),
    ),
    recovered: registry.register(
      new Counter("bdi_start_recovered_total", "What the start-up recovery settled after a crash, by kind.", ["kind"]),
    ),
    bankSize: registry.register(
      new Gauge("bdi_bank_size", "Memory bank rows (coreset size) of the last fit per ROI.", ["recipe_id", "role_id", "roi_id"]),
    ),
    backboneInfo: registry.register(new Gauge("bdi_backbone_info", "The loaded backbone (value 1).", ["backbone", "device"])),
    backboneReady: registry.register(new Gauge("bdi_backbone_ready", "1 when the backbone is loaded.")),
    uptime: registry.register(new Gauge("bdi_uptime_seconds", "Seconds since the service started.")),
  };
}
export type ServiceMetrics = ReturnType<typeof createServiceMetrics>;
