import type { Alert, AlertKind, AuthEvent, Severity } from '../core/types.js';
import { SEVERITY_RANK } from '../core/types.js';
import { stableId } from '../core/ids.js';
import { CappedSet, type CappedSetSnapshot } from './state/ttl-map.js';
import { SnapshotError } from './state/snapshot-error.js';
import { actionsFor } from './explain.js';
import { checkedExplanation, renderExplanation, type Explanation } from './explanation.js';

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
  /** how the alert explains itself; the first update of an episode decides */
  explain: Explanation;
}

/** An episode as plain data (the alert as it stands, not as outputs see it). */
export interface EpisodeSnapshot {
  alert: Alert;
  explanation: Explanation;
  users: CappedSetSnapshot<string>;
  ips: CappedSetSnapshot<string>;
  /** the same event object as elsewhere in the snapshot */
  last: AuthEvent | undefined;
}

/** Every episode once; the open index, closed list and changed set refer to them by position. */
export interface AlertBookSnapshot {
  episodes: EpisodeSnapshot[];
  open: Map<AlertKind, Map<string, Map<string, number>>>;
  closed: number[];
  /** changed and not yet drained, in the order they changed */
  dirty: number[];
}

/** One alert under construction: it grows while its attack goes on. */
export class Episode {
  readonly users: CappedSet<string>;
  readonly ips: CappedSet<string>;
  readonly alert: Alert;
  private readonly explanation: Explanation;
  /** the last event counted: two detectors reaching the same conclusion on one event count it once */
  private last: AuthEvent | undefined;

  private constructor(alert: Alert, explanation: Explanation, users: CappedSet<string>, ips: CappedSet<string>, last: AuthEvent | undefined) {
    this.alert = alert;
    this.explanation = explanation;
    this.users = users;
    this.ips = ips;
    this.last = last;
  }

  /** a new alert for `u`, its attack begun at `start`, detected at `now` */
  static open(u: AlertUpdate, start: number, now: number): Episode {
    const alert: Alert = {
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
    return new Episode(alert, u.explain, new CappedSet<string>(MAX_LISTED), new CappedSet<string>(MAX_LISTED), undefined);
  }

  toSnapshot(): EpisodeSnapshot {
    return { alert: this.alert, explanation: this.explanation, users: this.users.toSnapshot(), ips: this.ips.toSnapshot(), last: this.last };
  }

  static fromSnapshot(s: EpisodeSnapshot): Episode {
    if (typeof s.alert?.id !== 'string' || typeof s.alert.evidence !== 'object') throw new SnapshotError('alert snapshot without an id or evidence');
    return new Episode(
      s.alert,
      checkedExplanation(s.explanation),
      CappedSet.fromSnapshot(s.users, MAX_LISTED),
      CappedSet.fromSnapshot(s.ips, MAX_LISTED),
      s.last,
    );
  }

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
    a.explanation = renderExplanation(this.explanation, a);
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
      ep = Episode.open(u, start, now);
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

  toSnapshot(): AlertBookSnapshot {
    const episodes: EpisodeSnapshot[] = [];
    const index = new Map<Episode, number>();
    const ref = (ep: Episode): number => {
      let i = index.get(ep);
      if (i === undefined) {
        index.set(ep, (i = episodes.length));
        episodes.push(ep.toSnapshot());
      }
      return i;
    };
    const open = new Map<AlertKind, Map<string, Map<string, number>>>();
    for (const [kind, byTenant] of this.open) {
      const t = new Map<string, Map<string, number>>();
      open.set(kind, t);
      for (const [tenant, byKey] of byTenant) {
        const k = new Map<string, number>();
        t.set(tenant, k);
        for (const [key, ep] of byKey) k.set(key, ref(ep));
      }
    }
    return { episodes, open, closed: this.closed.map(ref), dirty: [...this.dirty].map(ref) };
  }

  /** Load a snapshot into this (empty) book. */
  restoreFrom(s: AlertBookSnapshot): void {
    if (this.open.size > 0 || this.closed.length > 0) throw new SnapshotError('restoring into an alert book that is not empty');
    const episodes = s.episodes.map((e) => Episode.fromSnapshot(e));
    const at = (i: number): Episode => {
      const ep = episodes[i];
      if (!ep) throw new SnapshotError(`alert book refers to episode ${i}, which the snapshot does not hold`);
      return ep;
    };
    for (const [kind, byTenant] of s.open) {
      const t = new Map<string, Map<string, Episode>>();
      this.open.set(kind, t);
      for (const [tenant, byKey] of byTenant) {
        const k = new Map<string, Episode>();
        t.set(tenant, k);
        for (const [key, i] of byKey) k.set(key, at(i));
      }
    }
    for (const i of s.closed) this.closed.push(at(i));
    for (const i of s.dirty) this.dirty.add(at(i));
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
