import type { Alert, AlertKind, AuthEvent, Severity } from '../core/types.js';
import { SEVERITY_RANK } from '../core/types.js';
import { stableId } from '../core/ids.js';
import { CappedSet } from './state/ttl-map.js';
import { actionsFor } from './explain.js';

const MAX_LISTED = 5000;
const MAX_REFS = 50;

/** What a detector says when it raises or extends an alert. */
export interface AlertUpdate {
  kind: AlertKind;
  technique: string;
  tenant: string;
  /** what makes this alert one thing: an account, a source address, the whole tenant */
  key: string;
  severity: Severity;
  confidence: number;
  /** a new alert after this much quiet; the same alert before */
  gapMs: number;
  explain: (a: Alert) => string;
}

/** One alert under construction: it grows while its attack goes on. */
export class Episode {
  readonly users = new CappedSet<string>(MAX_LISTED);
  readonly ips = new CappedSet<string>(MAX_LISTED);
  readonly alert: Alert;
  private readonly explain: (a: Alert) => string;

  constructor(u: AlertUpdate, start: number, now: number) {
    this.explain = u.explain;
    this.alert = {
      id: stableId('al', u.kind, u.tenant, u.key, start),
      kind: u.kind,
      technique: u.technique,
      severity: u.severity,
      confidence: u.confidence,
      tenant: u.tenant,
      users: [],
      sourceIps: [],
      firstSeen: start,
      lastSeen: start,
      evidence: { attempts: 0, failures: 0, successes: 0, refs: [] },
      explanation: '',
      detectedAt: now,
    };
  }

  /** the last event counted: two detectors reaching the same conclusion on one event count it once */
  private last: AuthEvent | undefined;

  /** count one event as evidence of this alert */
  add(e: AuthEvent): void {
    if (e === this.last) return;
    this.last = e;
    const a = this.alert;
    a.evidence.attempts++;
    if (e.outcome === 'success') a.evidence.successes++;
    else a.evidence.failures++;
    if (e.time < a.firstSeen) a.firstSeen = e.time;
    if (e.time > a.lastSeen) a.lastSeen = e.time;
    if (e.user) this.users.add(e.user);
    if (e.srcIp) this.ips.add(e.srcIp);
    if (e.ref && a.evidence.refs.length < MAX_REFS) a.evidence.refs.push(e.ref);
  }

  raise(severity: Severity, confidence: number): void {
    if (SEVERITY_RANK[severity] > SEVERITY_RANK[this.alert.severity]) this.alert.severity = severity;
    if (confidence > this.alert.confidence) this.alert.confidence = Math.min(1, confidence);
  }

  /** the alert as outputs see it: sorted lists, explanation and actions up to date */
  snapshot(): Alert {
    const a = this.alert;
    a.users = [...this.users.values].sort();
    a.sourceIps = [...this.ips.values].sort();
    a.explanation = this.explain(a);
    a.actions = actionsFor(a);
    a.confidence = Math.round(a.confidence * 100) / 100;
    return { ...a, users: a.users, sourceIps: a.sourceIps, evidence: { ...a.evidence, refs: [...a.evidence.refs] } };
  }
}

/** Every alert of a run, keyed so that the same attack extends one alert instead of raising many. */
export class AlertBook {
  /** open episodes by kind, organization and key: nested maps, so a lookup builds no key string */
  private readonly open = new Map<AlertKind, Map<string, Map<string, Episode>>>();
  private readonly closed: Episode[] = [];
  /** ids of alerts changed since the last drain, for streaming consumers */
  private readonly dirty = new Set<Episode>();

  /** the open episode for this key, if any and not gone quiet */
  find(kind: AlertKind, tenant: string, key: string, now: number, gapMs: number): Episode | undefined {
    const byKey = this.open.get(kind)?.get(tenant);
    const ep = byKey?.get(key);
    if (ep && now - ep.alert.lastSeen > gapMs) {
      byKey!.delete(key);
      this.closed.push(ep);
      return undefined;
    }
    return ep;
  }

  private place(u: AlertUpdate, ep: Episode): void {
    let byTenant = this.open.get(u.kind);
    if (!byTenant) this.open.set(u.kind, (byTenant = new Map()));
    let byKey = byTenant.get(u.tenant);
    if (!byKey) byTenant.set(u.tenant, (byKey = new Map()));
    byKey.set(u.key, ep);
  }

  /**
   * Raise (first time) or extend the alert for `u`, counting `evidence` events. `start` is when the
   * attack began (first event of the detector's window), `now` the event time of detection.
   */
  upsert(u: AlertUpdate, start: number, now: number, evidence: Iterable<AuthEvent>): Episode {
    let ep = this.find(u.kind, u.tenant, u.key, now, u.gapMs);
    if (!ep) {
      ep = new Episode(u, start, now);
      this.place(u, ep);
    }
    ep.raise(u.severity, u.confidence);
    for (const e of evidence) ep.add(e);
    this.dirty.add(ep);
    return ep;
  }

  /** alerts changed since the last call */
  drainChanged(): Alert[] {
    const out = [...this.dirty].map((e) => e.snapshot());
    this.dirty.clear();
    return out;
  }

  /** every alert of the run, oldest first, ties by id */
  all(): Alert[] {
    const eps = [...this.closed];
    for (const byTenant of this.open.values()) for (const byKey of byTenant.values()) eps.push(...byKey.values());
    return eps
      .map((e) => e.snapshot())
      .sort((a, b) => a.firstSeen - b.firstSeen || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
}
