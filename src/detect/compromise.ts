import type { AuthEvent } from '../core/types.js';
import type { Detector } from './types.js';
import type { DetectContext } from './context.js';
import { DAY, type AccountState, type IpState } from './context.js';
import { distanceKm, locate } from './country-centroids.js';
import { IMPOSSIBLE_TRAVEL } from './impossible-travel.js';
import { accountKey, isCredentialSuccess } from './classify.js';
import { listSome } from './explain.js';
import { explanationTemplate } from './explanation.js';

export const COMPROMISE = {
  /** a success on an attacked account counts while the attack is this recent */
  attackedWithinMs: 14 * DAY,
  /** an address that failed on this many other accounts and never signed anyone in is attack infrastructure */
  infraAccounts: 5,
  /** an account needs this many past successes before "new network" means anything */
  minHistory: 3,
  gapMs: 7 * DAY,
};

/** Why a success looks like the attacker's, or undefined. */
export function compromiseReason(e: AuthEvent, ctx: DetectContext): string | undefined {
  const acct = accountKey(e);
  const ipState = e.srcIp ? ctx.ip(e.srcIp) : undefined;
  if (e.srcIp && ctx.attackIps.peek(e.srcIp) && !coincidentalHome(e, ctx, ipState)) {
    return `from ${e.srcIp}, an address that was attacking accounts`;
  }
  if (ipState && e.srcIp && !ctx.hasHonestHistory(e.srcIp)) {
    const others = ipState.guessAccounts.count - (ipState.guessAccounts.has(acct) ? 1 : 0);
    if (others >= COMPROMISE.infraAccounts) return `from ${e.srcIp}, which had just failed on ${others} other accounts`;
  }
  if (e.intel && e.intel.length > 0) return `from ${e.srcIp}, listed as hostile in ${e.intel.join(', ')}`;
  const hist = ctx.account(e.tenant, e.user);
  const known = hist !== undefined && hist.successes >= COMPROMISE.minHistory;
  const newAsn = known && e.asn !== undefined && !hist.asns.includes(e.asn);
  const newCountry = known && e.geo?.country !== undefined && hist.countries.length > 0 && !hist.countries.includes(e.geo.country);
  // at most one other account of the organization signs in from this network: colleagues share home
  // ISPs and carriers, attackers do not (one server in a data centre does not make it the org's network)
  const foreignToOrg = e.asn !== undefined && ctx.tenantAsnCount(e.tenant, e.asn) <= 1;
  const where = (): string => [e.asOrg ?? (e.asn !== undefined ? `AS${e.asn}` : ''), e.geo?.country].filter(Boolean).join(', ');
  if (e.srcIp && (ctx.isSharedEgress(e.srcIp) || hist?.ips.includes(e.srcIp))) return undefined;

  const mark = ctx.attackedAccounts.peek(acct);
  if (mark && e.time - mark.since <= COMPROMISE.attackedWithinMs) {
    if (e.anonymizer === 'tor' || e.anonymizer === 'proxy' || e.anonymizer === 'vpn') {
      return `through ${e.anonymizer === 'tor' ? 'Tor' : `an anonymous ${e.anonymizer}`} while the account was under attack`;
    }
    if (!known) {
      return e.anonymizer === 'hosting' && foreignToOrg ? `from a hosting provider (${where()}) while the account was under attack` : undefined;
    }
    if (newAsn && foreignToOrg && e.anonymizer === 'hosting') {
      return `from a hosting provider this account never used (${where()}), which nobody in the organization uses, while it was under attack`;
    }
    // an ordinary ISP abroad is most often the person travelling: only a trip no one could make counts
    if (newAsn && foreignToOrg && newCountry && travelImpossible(e, hist)) {
      return `from a network and country this account never used (${where()}), too far from its last sign-in to have travelled, while it was under attack`;
    }
    return undefined;
  }
  // no attack seen, but every mark of a sign-in with a stolen (phished) password at once
  // formats without user agents (SSH, Windows) cannot tell the device: the other marks must carry it
  const seenAgents = hist?.userAgents ?? [];
  const newDevice = e.userAgent === undefined ? seenAgents.length === 0 : seenAgents.length > 0 && !seenAgents.includes(e.userAgent);
  // a couple of sign-ins are enough to know the country and device: the other marks are strong
  const someHistory = hist !== undefined && hist.successes >= 2 && hist.countries.length > 0;
  const neverAsn = e.asn !== undefined && hist !== undefined && !hist.asns.includes(e.asn);
  const neverCountry = e.geo?.country !== undefined && hist !== undefined && !hist.countries.includes(e.geo.country);
  if (someHistory && neverAsn && neverCountry && foreignToOrg && newDevice && e.anonymizer !== undefined) {
    return `from ${where()}: a country, network and device this account never used, through ${e.anonymizer === 'hosting' ? 'a hosting provider' : `an anonymizer (${e.anonymizer})`} that nobody in the organization uses — the pattern of a stolen (phished) password`;
  }
  return undefined;
}

/**
 * A residential-proxy attacker borrows real homes: an address seen failing once or twice in a
 * rotation, later used by an account in its usual country with its own provider or its own device,
 * is that person, not the attacker's foothold.
 */
function coincidentalHome(e: AuthEvent, ctx: DetectContext, ip: IpState | undefined): boolean {
  if (!ip || ip.guessFailures > 2 || e.anonymizer !== undefined || e.asn === undefined) return false;
  const hist = ctx.account(e.tenant, e.user);
  if (!hist || (e.geo?.country !== undefined && !hist.countries.includes(e.geo.country))) return false;
  // their own provider, or their own device
  return hist.asns.includes(e.asn) || (e.userAgent !== undefined && hist.userAgents.includes(e.userAgent));
}

/** Faster than an airliner since the account's last sign-in (see impossible-travel.ts). */
function travelImpossible(e: AuthEvent, hist: AccountState): boolean {
  const prev = hist.lastSuccess;
  if (!prev || prev.locationHidden) return false;
  const here = locate(e.geo);
  const there = locate({ lat: prev.lat, lon: prev.lon, country: prev.country });
  if (!here || !there) return false;
  const km = distanceKm(here, there);
  const hours = Math.max(e.time - prev.time, 60_000) / 3_600_000;
  return km >= IMPOSSIBLE_TRAVEL.minDistanceKm && km / hours > IMPOSSIBLE_TRAVEL.maxSpeedKmh;
}

const explainCompromise = explanationTemplate(
  'compromise',
  (a, p: { reason: string }) =>
    `The password of ${listSome(a.users)} was accepted from attacker infrastructure (${listSome(a.sourceIps)}). ` +
    'Assume the attacker can read this mailbox until the password is reset and sessions are revoked.' +
    (a.evidence.successes === 0 ? ' The sign-in was stopped at the MFA or access-policy step, but the password itself is known.' : '') +
    ` First sign-in ${p.reason}.`,
);

/**
 * A correct password from attack infrastructure, or on an attacked account from a new network,
 * country or anonymizer soon after (T1078.004). Always critical. A sign-in stopped only by MFA or
 * conditional access counts too: the password was right.
 */
export function compromiseDetector(): Detector {
  /** earlier successes from addresses that turned out to attack, within this long */
  const lookBackMs = 7 * DAY;

  function recheck(ctx: DetectContext): void {
    while (ctx.newlyHostile.length > 0) {
      const ip = ctx.newlyHostile.pop()!;
      for (const s of ctx.ip(ip)?.recentSuccesses ?? []) {
        if (ctx.now - s.time > lookBackMs || !s.user) continue;
        raise(s, ctx, `from ${ip}, an address found attacking accounts afterwards`);
      }
    }
  }

  return {
    id: 'compromise',
    onEvent(e: AuthEvent, ctx: DetectContext) {
      if (ctx.newlyHostile.length > 0) recheck(ctx);
      if (!isCredentialSuccess(e) || !e.user) return;
      const reason = compromiseReason(e, ctx);
      if (reason) raise(e, ctx, reason);
    },
    onTick(_now: number, ctx: DetectContext) {
      if (ctx.newlyHostile.length > 0) recheck(ctx);
    },
  };
}

/** Raise (or extend) the critical compromise alert of the account that signed in with `e`. */
function raise(e: AuthEvent, ctx: DetectContext, reason: string): void {
  const stoppedByMfa = e.outcome !== 'success';
  const ep = ctx.alerts.upsert(
    {
      kind: 'compromise',
      technique: 'T1078.004',
      tenant: e.tenant,
      key: e.user,
      severity: 'critical',
      confidence: stoppedByMfa ? 0.8 : 0.9,
      gapMs: COMPROMISE.gapMs,
      explain: explainCompromise({ reason }),
    },
    e.time,
    ctx.now,
    [e],
  );
  ctx.markAttack(ep.alert, [accountKey(e)], [e.srcIp]);
}
