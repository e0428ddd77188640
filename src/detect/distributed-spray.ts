import type { Alert, AlertKind, AuthEvent } from '../core/types.js';
import type { Detector } from './types.js';
import type { DetectContext } from './context.js';
import { HOUR } from './context.js';
import {
  DistinctWindow,
  MultiDistinctWindow,
  SlidingWindow,
  type DistinctWindowSnapshot,
  type MultiDistinctWindowSnapshot,
  type SlidingWindowSnapshot,
} from './state/window.js';

const H1 = 0;
const H6 = 1;
const H24 = 2;
import { accountKey } from './classify.js';
import { listSome, plural, span } from './explain.js';
import { fixedExplanation } from './explanation.js';

/**
 * Thresholds on "hostile failures": unresolved password failures from addresses that never signed
 * anyone in. Each condition is a number of distinct addresses and accounts inside one organization
 * within a window; any one met raises the alert. They hold for organizations of 10 to 5,000 people:
 * benign unresolved failures come from few addresses per account (a phone with an old password
 * retries from the same address), an attacker's rotation gives a fresh address per attempt.
 */
export const DISTRIBUTED_SPRAY = {
  hour: { ips: 10, users: 5 },
  sixHours: { ips: 15, users: 3 },
  day: { ips: 25, users: 2 },
  /** rotation: nearly one attempt per address, which no benign retrying device does */
  rotationSixHours: { ips: 10, users: 2, maxAttemptsPerIp: 1.5 },
  /** Tor / anonymous proxy / hosting addresses are rarer in benign failures */
  anonymizerSixHours: { ips: 5, users: 2 },
  /** addresses that also failed against other organizations: shared attack infrastructure */
  multiOrgDay: { ips: 3, users: 1 },
  stuffingShare: 0.6,
  gapMs: 48 * HOUR,
};

interface TenantState {
  /** accounts and addresses over 1 h, 6 h and 24 h (indexes H1, H6, H24) */
  users: MultiDistinctWindow;
  ips: MultiDistinctWindow;
  anon6: DistinctWindow;
  multiOrg24: DistinctWindow;
  unknown24: DistinctWindow;
  events: SlidingWindow<AuthEvent>;
  /** the single-width windows above, in one list made once */
  all: DistinctWindow[];
}

function newState(): TenantState {
  const cap = 200_000;
  const t: Omit<TenantState, 'all'> = {
    users: new MultiDistinctWindow([HOUR, 6 * HOUR, 24 * HOUR], cap),
    ips: new MultiDistinctWindow([HOUR, 6 * HOUR, 24 * HOUR], cap),
    anon6: new DistinctWindow(6 * HOUR, cap),
    multiOrg24: new DistinctWindow(24 * HOUR, cap),
    unknown24: new DistinctWindow(24 * HOUR, cap),
    events: new SlidingWindow<AuthEvent>(24 * HOUR, 20_000),
  };
  return { ...t, all: [t.anon6, t.multiOrg24, t.unknown24] };
}

interface TenantStateSnapshot {
  users: MultiDistinctWindowSnapshot;
  ips: MultiDistinctWindowSnapshot;
  anon6: DistinctWindowSnapshot;
  multiOrg24: DistinctWindowSnapshot;
  unknown24: DistinctWindowSnapshot;
  events: SlidingWindowSnapshot<AuthEvent>;
}

function stateSnapshot(t: TenantState): TenantStateSnapshot {
  return {
    users: t.users.toSnapshot(),
    ips: t.ips.toSnapshot(),
    anon6: t.anon6.toSnapshot(),
    multiOrg24: t.multiOrg24.toSnapshot(),
    unknown24: t.unknown24.toSnapshot(),
    events: t.events.toSnapshot(),
  };
}

function stateFromSnapshot(s: TenantStateSnapshot): TenantState {
  const t = newState();
  t.users.restoreFrom(s.users);
  t.ips.restoreFrom(s.ips);
  t.anon6.restoreFrom(s.anon6);
  t.multiOrg24.restoreFrom(s.multiOrg24);
  t.unknown24.restoreFrom(s.unknown24);
  t.events.restoreFrom(s.events);
  return t;
}

const explainDistributedSpray = fixedExplanation('distributed_spray', (a: Alert): string => {
  const stuffing = a.kind === 'credential_stuffing';
  return (
    `${plural(a.sourceIps.length, 'address', 'addresses')} that never signed anyone in took turns failing ` +
    `${plural(a.evidence.failures, 'sign-in')} on ${plural(a.users.length, 'account')} (${listSome(a.users)}) over ${span(a)}, ` +
    `each address only a few times so that per-address limits never trip. ` +
    (stuffing
      ? 'Most account names do not exist: a list of names or leaked credentials is being tried.'
      : 'This is the low-and-slow password spray used by state-backed groups such as APT28.')
  );
});

/**
 * Password spray rotated over many addresses (T1110.003), the Strontium 2020 shape: every address
 * and every account below any per-address or per-account threshold, visible only when the
 * organization's unresolved failures from never-successful addresses are pooled.
 */
export function distributedSprayDetector(): Detector {
  const tenants = new Map<string, TenantState>();

  function conditionMet(t: TenantState): string | undefined {
    const D = DISTRIBUTED_SPRAY;
    if (t.ips.distinct(H1) >= D.hour.ips && t.users.distinct(H1) >= D.hour.users) return 'hour';
    if (t.ips.distinct(H6) >= D.sixHours.ips && t.users.distinct(H6) >= D.sixHours.users) return 'six hours';
    if (t.ips.distinct(H24) >= D.day.ips && t.users.distinct(H24) >= D.day.users) return 'day';
    if (
      t.ips.distinct(H6) >= D.rotationSixHours.ips &&
      t.users.distinct(H6) >= D.rotationSixHours.users &&
      t.ips.total(H6) / t.ips.distinct(H6) <= D.rotationSixHours.maxAttemptsPerIp
    )
      return 'rotation';
    if (t.anon6.distinct >= D.anonymizerSixHours.ips && t.users.distinct(H6) >= D.anonymizerSixHours.users) return 'anonymizers';
    if (t.multiOrg24.distinct >= D.multiOrgDay.ips && t.users.distinct(H24) >= D.multiOrgDay.users) return 'shared infrastructure';
    return undefined;
  }

  return {
    id: 'distributed_spray',
    onUnresolvedFailure(e: AuthEvent, ctx: DetectContext) {
      // a rotating attacker comes from public addresses it uses a few times each; a private address is
      // an internal host (a single-source matter), and an address failing again and again on one
      // account is a device with a stale password or a brute force (both judged elsewhere)
      if (!e.srcIp || !e.user || e.privateIp) return;
      if (ctx.hasHonestHistory(e.srcIp)) return;
      const ip = ctx.ip(e.srcIp);
      if (ip && ip.guessAccounts.count === 1 && ip.guessFailures >= 3) return;
      const now = ctx.now;
      let t = tenants.get(e.tenant);
      if (!t) tenants.set(e.tenant, (t = newState()));
      const acct = accountKey(e);
      t.users.add(e.time, acct);
      t.ips.add(e.time, e.srcIp);
      if (e.anonymizer) t.anon6.add(e.time, e.srcIp);
      if (ip && ip.guessTenants.count >= 2) t.multiOrg24.add(e.time, e.srcIp);
      if (e.reason === 'unknown_user') t.unknown24.add(e.time, acct);
      t.events.push(e.time, e);
      t.users.evict(now);
      t.ips.evict(now);
      for (const w of t.all) w.evict(now);
      t.events.evict(now);

      const open =
        ctx.alerts.find('distributed_spray', e.tenant, 'tenant', now, DISTRIBUTED_SPRAY.gapMs) ??
        ctx.alerts.find('credential_stuffing', e.tenant, 'distributed', now, DISTRIBUTED_SPRAY.gapMs);
      let evidence: AuthEvent[];
      let kind: AlertKind;
      if (open) {
        evidence = [e];
        kind = open.alert.kind;
      } else {
        if (!conditionMet(t)) return;
        evidence = [...t.events.values()];
        kind = t.unknown24.distinct / Math.max(1, t.users.distinct(H24)) >= DISTRIBUTED_SPRAY.stuffingShare
          ? 'credential_stuffing'
          : 'distributed_spray';
      }
      const anonShare = t.anon6.distinct / Math.max(1, t.ips.distinct(H6));
      const confidence = Math.min(0.97, 0.7 + 0.2 * anonShare + (t.multiOrg24.distinct >= 3 ? 0.1 : 0));
      const ep = ctx.alerts.upsert(
        {
          kind,
          technique: kind === 'credential_stuffing' ? 'T1110.004' : 'T1110.003',
          tenant: e.tenant,
          key: kind === 'credential_stuffing' ? 'distributed' : 'tenant',
          severity: 'high',
          confidence,
          gapMs: DISTRIBUTED_SPRAY.gapMs,
          explain: explainDistributedSpray,
        },
        evidence[0]!.time,
        now,
        evidence,
      );
      ctx.markAttack(ep.alert, evidence.map(accountKey), evidence.map((f) => f.srcIp));
    },
    onTick(now) {
      for (const [tenant, t] of tenants) {
        if (t.events.length === 0 || (t.events.oldestTime ?? now) < now - 24 * HOUR) {
          t.events.evict(now);
          if (t.events.length === 0) tenants.delete(tenant);
        }
      }
    },
    saveState(): Map<string, TenantStateSnapshot> {
      const out = new Map<string, TenantStateSnapshot>();
      for (const [tenant, t] of tenants) out.set(tenant, stateSnapshot(t));
      return out;
    },
    loadState(state: unknown) {
      for (const [tenant, s] of state as Map<string, TenantStateSnapshot>) tenants.set(tenant, stateFromSnapshot(s));
    },
  };
}
