import type { Alert } from '../../core/types.js';

/**
 * Counters and gauges of `vigil serve`, written out in the Prometheus text exposition format
 * (version 0.0.4) by GET /metrics. Other parts of the server increment them: sources (events in,
 * parse errors, lag), the detection loop (alerts), the notifier (failures).
 */

type Labels = Record<string, string>;

/** label values escaped as the format requires: backslash, double quote, line feed */
const escapeLabel = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const escapeHelp = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** a label set beyond this many series per metric is dropped (a bug must not exhaust memory) */
const MAX_SERIES = 10_000;

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

class Metric {
  protected readonly series = new Map<string, { labels: Labels; value: number }>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'gauge',
    readonly labelNames: readonly string[],
  ) {
    if (!METRIC_NAME.test(name)) throw new Error(`metric name ${name}`);
    for (const l of labelNames) if (!LABEL_NAME.test(l)) throw new Error(`label name ${l}`);
  }

  protected update(labels: Labels, fn: (old: number) => number): void {
    const own: Labels = {};
    for (const l of this.labelNames) own[l] = String(labels[l] ?? '');
    const key = this.labelNames.map((l) => own[l]).join('\u0000');
    const s = this.series.get(key);
    if (s) s.value = fn(s.value);
    else if (this.series.size < MAX_SERIES) this.series.set(key, { labels: own, value: fn(0) });
  }

  /** current value of one label set (0 when never touched) */
  value(labels: Labels = {}): number {
    return this.series.get(this.labelNames.map((l) => String(labels[l] ?? '')).join('\u0000'))?.value ?? 0;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${this.type}`];
    const sorted = [...this.series.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [, s] of sorted) {
      const labels = this.labelNames.map((l) => `${l}="${escapeLabel(s.labels[l] ?? '')}"`).join(',');
      lines.push(`${this.name}${labels === '' ? '' : `{${labels}}`} ${formatValue(s.value)}`);
    }
    return `${lines.join('\n')}\n`;
  }
}

export class Counter extends Metric {
  constructor(name: string, help: string, labelNames: readonly string[] = []) {
    super(name, help, 'counter', labelNames);
  }

  /** counters only go up: a negative or non-finite amount is ignored */
  inc(labels: Labels = {}, by = 1): void {
    if (!Number.isFinite(by) || by < 0) return;
    this.update(labels, (v) => v + by);
  }
}

export class Gauge extends Metric {
  constructor(name: string, help: string, labelNames: readonly string[] = []) {
    super(name, help, 'gauge', labelNames);
  }

  set(labels: Labels, value: number): void {
    this.update(labels, () => value);
  }

  /** drop every series (a gauge recomputed at each scrape) */
  reset(): void {
    this.series.clear();
  }
}

/** How many alert ids are remembered to count each alert once (then the oldest are forgotten). */
const SEEN_ALERTS = 200_000;

/** The metrics every part of `vigil serve` shares. */
export class VigilMetrics {
  readonly eventsIngested = new Counter('vigil_events_ingested_total', 'Sign-in records committed to the journal, by source and tenant.', ['source', 'tenant']);
  readonly parseErrors = new Counter('vigil_parse_errors_total', 'Records refused by their format parser, by source.', ['source']);
  readonly alerts = new Counter('vigil_alerts_total', 'Alerts raised since start (each counted once, at its severity when first seen), by severity and kind.', ['severity', 'kind']);
  readonly notificationsFailed = new Counter('vigil_notifications_failed_total', 'Notifications that could not be delivered, by channel.', ['channel']);
  readonly sourceLag = new Gauge('vigil_source_lag_seconds', 'Now minus the newest event time a source has delivered, in seconds.', ['source']);
  readonly journalLag = new Gauge('vigil_journal_lag_records', 'Journal records not yet processed by detection.');
  private readonly extra: Metric[] = [];
  private readonly seenAlerts = new Set<string>();

  /** `n` records of `tenant` from `source` are in the journal */
  recordEventsIngested(source: string, tenant: string, n = 1): void {
    this.eventsIngested.inc({ source, tenant }, n);
  }

  recordParseErrors(source: string, n = 1): void {
    this.parseErrors.inc({ source }, n);
  }

  /**
   * Alerts the detection loop stored (changed ones included): each id is counted the first time it
   * is seen, so a growing attack is one alert, not one per update.
   */
  recordAlerts(alerts: ReadonlyArray<Pick<Alert, 'id' | 'severity' | 'kind'>>): void {
    for (const a of alerts) {
      if (this.seenAlerts.has(a.id)) continue;
      if (this.seenAlerts.size >= SEEN_ALERTS) {
        const oldest = this.seenAlerts.values().next().value;
        if (oldest !== undefined) this.seenAlerts.delete(oldest);
      }
      this.seenAlerts.add(a.id);
      this.alerts.inc({ severity: a.severity, kind: a.kind });
    }
  }

  recordNotificationFailures(channel: string, n = 1): void {
    this.notificationsFailed.inc({ channel }, n);
  }

  setSourceLag(source: string, seconds: number): void {
    this.sourceLag.set({ source }, seconds);
  }

  /** A metric of another part, written out after these. */
  register<M extends Counter | Gauge>(metric: M): M {
    this.extra.push(metric);
    return metric;
  }

  /** The exposition text. */
  render(): string {
    return [this.eventsIngested, this.parseErrors, this.alerts, this.notificationsFailed, this.sourceLag, this.journalLag, ...this.extra]
      .map((m) => m.render())
      .join('');
  }
}
