import type { Alert, AlertKind, AuthEvent } from '../core/types.js';
import type { Detector } from './types.js';
import type { DetectContext } from './context.js';
import { HOUR } from './context.js';
import { DistinctWindow, SlidingWindow, type DistinctWindowSnapshot, type SlidingWindowSnapshot } from './state/window.js';
import { TtlMap, type TtlMapSnapshot } from './state/ttl-map.js';
import { accountKey } from './classify.js';
import { plural, span } from './explain.js';
import { explanationTemplate } from './explanation.js';

/** Thresholds for one source address failing on many accounts. */
export const SOURCE_SPRAY = {
  /** distinct accounts with unresolved failures from one address within `windowMs` */
  minAccounts: 5,
  windowMs: 1 * HOUR,
  /** or this many within a day (slower sprays) */
  dayAccounts: 10,
  /** share of unknown user names above which it is stuffing / name guessing rather than a spray */
  stuffingShare: 0.5,
  gapMs: 24 * HOUR,
};

interface SourceState {
  hour: DistinctWindow;
  day: DistinctWindow;
  unknown: DistinctWindow;
  events: SlidingWindow<AuthEvent>;
}

function newSourceState(): SourceState {
  return {
    hour: new DistinctWindow(SOURCE_SPRAY.windowMs, 50_000),
    day: new DistinctWindow(24 * HOUR, 50_000),
    unknown: new DistinctWindow(24 * HOUR, 50_000),
    events: new SlidingWindow<AuthEvent>(24 * HOUR, 5_000),
  };
}

interface SourceSprayState {
  sources: TtlMapSnapshot<
    string,
    Array<{ hour: DistinctWindowSnapshot; day: DistinctWindowSnapshot; unknown: DistinctWindowSnapshot; events: SlidingWindowSnapshot<AuthEvent> }>
  >;
  alerted: TtlMapSnapshot<string, AlertKind[]>;
}

function partOfDistributedSpray(e: AuthEvent, ctx: DetectContext): boolean {
  if (!e.srcIp) return false;
  return ctx.alerts.find('distributed_spray', e.tenant, 'tenant', ctx.now, 48 * HOUR)?.ips.has(e.srcIp) ?? false;
}

const explainSourceSpray = explanationTemplate('source_spray', (a, p: { source: string }) => explain(a, p.source));

function explain(a: Alert, source: string): string {
  const stuffing = a.kind === 'credential_stuffing';
  const who = source.startsWith('host:') ? `The computer ${source.slice(5)}` : `The address ${source}`;
  return (
    `${who} failed ${plural(a.evidence.failures, 'sign-in')} on ` +
    `${plural(a.users.length, stuffing ? 'account name' : 'account')} over ${span(a)}` +
    (stuffing
      ? '; most names do not exist here: someone is guessing account names or replaying a leaked password list.'
      : ': a few passwords tried on many accounts (a password spray).')
  );
}

/**
 * One address failing on many accounts (T1110.003), or on many account names that do not exist
 * (T1110.004). Counts only unresolved failures (typos are followed by a success), and ignores
 * addresses where at least as many accounts succeed as fail (office NAT, carrier CGNAT, VPN egress).
 */
export function sourceSprayDetector(): Detector {
  const sources = new TtlMap<string, SourceState>(24 * HOUR, 200_000);
  /** addresses already alerted, with the kind: another organization they hit is alerted at once */
  const alerted = new TtlMap<string, AlertKind>(SOURCE_SPRAY.gapMs, 200_000);

  return {
    id: 'source_spray',
    onUnresolvedFailure(e: AuthEvent, ctx: DetectContext) {
      // the source is the address, or the workstation name where a Windows log gives no address
      const source = e.srcIp || (e.srcHost ? `host:${e.srcHost}` : '');
      if (!source) return;
      const acct = accountKey(e);
      const open =
        ctx.alerts.find('password_spray', e.tenant, source, ctx.now, SOURCE_SPRAY.gapMs) ??
        ctx.alerts.find('credential_stuffing', e.tenant, source, ctx.now, SOURCE_SPRAY.gapMs);
      // an address that is one of many in the organization's rotating spray is that spray, not a spray of its own
      if (!open && partOfDistributedSpray(e, ctx)) return;
      const known = open?.alert.kind ?? alerted.touch(source, ctx.now);
      if (known) {
        const ep = ctx.alerts.upsert(updateFor(known, e.tenant, source, 0.8), e.time, ctx.now, [e]);
        ctx.markAttack(ep.alert, [acct], [e.srcIp]);
        return;
      }
      // most addresses fail on one account only (a person, a stale device): track an address once
      // it has failed on a second account, which is where a spray begins
      const seen = e.srcIp ? ctx.ip(e.srcIp) : undefined;
      if (seen && seen.guessAccounts.count < 2 && !sources.peek(source)) return;
      const s = sources.upsert(source, e.time, newSourceState);
      s.hour.add(e.time, acct);
      s.day.add(e.time, acct);
      if (e.reason === 'unknown_user') s.unknown.add(e.time, acct);
      s.events.push(e.time, e);
      s.hour.evict(ctx.now);
      s.day.evict(ctx.now);
      s.unknown.evict(ctx.now);
      s.events.evict(ctx.now);
      const accounts = s.day.distinct;
      if (s.hour.distinct < SOURCE_SPRAY.minAccounts && accounts < SOURCE_SPRAY.dayAccounts) return;
      const ip = e.srcIp ? ctx.ip(e.srcIp) : undefined;
      if ((ip?.successAccounts.count ?? 0) >= accounts) return;
      const kind: AlertKind = s.unknown.distinct / accounts >= SOURCE_SPRAY.stuffingShare ? 'credential_stuffing' : 'password_spray';
      const byTenant = new Map<string, AuthEvent[]>();
      for (const f of s.events.values()) {
        let list = byTenant.get(f.tenant);
        if (!list) byTenant.set(f.tenant, (list = []));
        list.push(f);
      }
      for (const [tenant, events] of byTenant) {
        if (e.srcIp && ctx.alerts.find('distributed_spray', tenant, 'tenant', ctx.now, 48 * HOUR)?.ips.has(e.srcIp)) continue;
        const ep = ctx.alerts.upsert(
          updateFor(kind, tenant, source, Math.min(0.95, 0.6 + accounts / 50)),
          events[0]!.time,
          ctx.now,
          events,
        );
        ctx.markAttack(ep.alert, events.map(accountKey), [e.srcIp]);
      }
      sources.delete(source);
      alerted.upsert(source, ctx.now, () => kind);
    },
    onTick(now) {
      sources.expire(now);
      alerted.expire(now);
    },
    saveState(): SourceSprayState {
      return {
        sources: sources.toSnapshot((ss) =>
          ss.map((s) => ({
            hour: s.hour.toSnapshot(),
            day: s.day.toSnapshot(),
            unknown: s.unknown.toSnapshot(),
            events: s.events.toSnapshot(),
          })),
        ),
        alerted: alerted.toSnapshot((ks) => ks),
      };
    },
    loadState(state: unknown) {
      const saved = state as SourceSprayState;
      sources.restoreFrom(saved.sources, (vs) =>
        vs.map((v) => {
          const s = newSourceState();
          s.hour.restoreFrom(v.hour);
          s.day.restoreFrom(v.day);
          s.unknown.restoreFrom(v.unknown);
          s.events.restoreFrom(v.events);
          return s;
        }),
      );
      alerted.restoreFrom(saved.alerted, (ks) => ks);
    },
  };
}

function updateFor(kind: AlertKind, tenant: string, ip: string, confidence: number) {
  return {
    kind,
    technique: kind === 'credential_stuffing' ? 'T1110.004' : 'T1110.003',
    tenant,
    key: ip,
    severity: 'high' as const,
    confidence,
    gapMs: SOURCE_SPRAY.gapMs,
    explain: explainSourceSpray({ source: ip }),
  };
}
