import type { AuthEvent } from '../core/types.js';
import type { Detector } from './types.js';
import type { DetectContext } from './context.js';
import { DAY } from './context.js';
import { listSome } from './explain.js';
import { compromiseReason } from './compromise.js';
import { explanationTemplate } from './explanation.js';

const explainUnfamiliar = explanationTemplate(
  'unfamiliar_signin',
  (a, p: { country: string; network: string }) =>
    `${listSome(a.users)} signed in from ${p.country} through ${p.network}, with a device never seen before; ` +
    'nobody in the organization signs in from there. This is what a sign-in with a phished password looks like.',
);

export const UNFAMILIAR = {
  /** the account's habits must be known: this many successes over this many days */
  minSuccesses: 5,
  minDays: 3,
  gapMs: 3 * DAY,
};

/**
 * A success from a network and a country the account never used, which the organization never
 * signs in from either, with a device the account never used (T1078.004) — the shape of a sign-in
 * with phished credentials. A traveller keeps their own device (same user agent), so a new country
 * alone is not enough.
 */
export function unfamiliarSigninDetector(): Detector {
  return {
    id: 'unfamiliar_signin',
    onEvent(e: AuthEvent, ctx: DetectContext) {
      if (e.outcome !== 'success' || !e.user || !e.srcIp || e.privateIp || e.asn === undefined) return;
      const hist = ctx.account(e.tenant, e.user);
      if (!hist || hist.successes < UNFAMILIAR.minSuccesses || hist.successDays < UNFAMILIAR.minDays) return;
      if (hist.ips.includes(e.srcIp) || hist.asns.includes(e.asn)) return;
      const country = e.geo?.country;
      if (!country || hist.countries.length === 0 || hist.countries.includes(country)) return;
      if (ctx.isSharedEgress(e.srcIp) || ctx.tenantAsnCount(e.tenant, e.asn) > 1) return;
      const newDevice = e.userAgent !== undefined && hist.userAgents.length > 0 && !hist.userAgents.includes(e.userAgent);
      if (!newDevice && e.anonymizer !== 'hosting') return;
      if (compromiseReason(e, ctx)) return;
      ctx.alerts.upsert(
        {
          kind: 'unfamiliar_signin',
          technique: 'T1078.004',
          tenant: e.tenant,
          key: e.user,
          severity: e.anonymizer === 'hosting' ? 'high' : 'medium',
          confidence: e.anonymizer === 'hosting' ? 0.7 : 0.55,
          gapMs: UNFAMILIAR.gapMs,
          explain: explainUnfamiliar({ country, network: e.asOrg ?? `AS${e.asn}` }),
        },
        e.time,
        e.time,
        [e],
      );
    },
  };
}
