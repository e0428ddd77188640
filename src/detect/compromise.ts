import type { Alert, AuthEvent } from '../core/types.js';
import type { Detector } from './types.js';
import type { DetectContext } from './context.js';
import { DAY } from './context.js';
import { accountKey, isCredentialSuccess } from './classify.js';
import { listSome } from './explain.js';

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
  if (e.srcIp && ctx.attackIps.peek(e.srcIp)) return `from ${e.srcIp}, an address that was attacking accounts`;
  if (ipState && ipState.successes === 0) {
    const others = ipState.guessAccounts.count - (ipState.guessAccounts.has(acct) ? 1 : 0);
    if (others >= COMPROMISE.infraAccounts) return `from ${e.srcIp}, which had just failed on ${others} other accounts`;
  }
  if (e.intel && e.intel.length > 0) return `from ${e.srcIp}, listed as hostile in ${e.intel.join(', ')}`;
  const mark = ctx.attackedAccounts.peek(acct);
  if (!mark || e.time - mark.since > COMPROMISE.attackedWithinMs) return undefined;
  if (e.srcIp && ctx.isSharedEgress(e.srcIp)) return undefined;
  if (e.anonymizer === 'tor' || e.anonymizer === 'proxy' || e.anonymizer === 'vpn') {
    return `through ${e.anonymizer === 'tor' ? 'Tor' : `an anonymous ${e.anonymizer}`} while the account was under attack`;
  }
  const hist = ctx.account(e.tenant, e.user);
  if (!hist || hist.successes < COMPROMISE.minHistory) {
    return e.anonymizer === 'hosting' ? `from a hosting provider (${e.asOrg ?? `AS${e.asn}`}) while the account was under attack` : undefined;
  }
  if (hist.ips.includes(e.srcIp)) return undefined;
  const newAsn = e.asn !== undefined && !hist.asns.includes(e.asn);
  const newCountry = e.geo?.country !== undefined && hist.countries.length > 0 && !hist.countries.includes(e.geo.country);
  if (newAsn && (newCountry || e.anonymizer === 'hosting')) {
    const where = [e.asOrg ?? (e.asn !== undefined ? `AS${e.asn}` : ''), e.geo?.country].filter(Boolean).join(', ');
    return `from a network and country this account never used (${where}) while it was under attack`;
  }
  return undefined;
}

function explain(a: Alert): string {
  return (
    `The password of ${listSome(a.users)} was accepted from attacker infrastructure (${listSome(a.sourceIps)}). ` +
    'Assume the attacker can read this mailbox until the password is reset and sessions are revoked.'
  );
}

/**
 * A correct password from attack infrastructure, or on an attacked account from a new network,
 * country or anonymizer soon after (T1078.004). Always critical. A sign-in stopped only by MFA or
 * conditional access counts too: the password was right.
 */
export function compromiseDetector(): Detector {
  return {
    id: 'compromise',
    onEvent(e: AuthEvent, ctx: DetectContext) {
      if (!isCredentialSuccess(e) || !e.user) return;
      const reason = compromiseReason(e, ctx);
      if (!reason) return;
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
          explain: (a) =>
            explain(a) +
            (a.evidence.successes === 0
              ? ' The sign-in was stopped at the MFA or access-policy step, but the password itself is known.'
              : '') +
            ` First sign-in ${reason}.`,
        },
        e.time,
        e.time,
        [e],
      );
      ctx.markAttack(ep.alert, [accountKey(e)], [e.srcIp]);
    },
  };
}
