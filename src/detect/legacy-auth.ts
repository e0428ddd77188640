import type { AuthEvent } from '../core/types.js';
import type { Detector } from './types.js';
import type { DetectContext } from './context.js';
import { DAY } from './context.js';
import { accountKey } from './classify.js';
import { listSome } from './explain.js';
import { explanationTemplate } from './explanation.js';

const explainLegacy = explanationTemplate(
  'legacy_auth',
  (a, p: { proto: string; usual: boolean }) =>
    `${listSome(a.users)} signed in with ${p.proto} (a protocol without MFA) while being attacked` +
    (p.usual ? ', from an address this account uses normally. ' : `, from ${listSome(a.sourceIps)}, an address it never used before. `) +
    'As long as legacy sign-ins are allowed, a guessed password is enough to read the mailbox.',
);

/**
 * A successful legacy-protocol sign-in (IMAP, POP, SMTP AUTH, EWS / ActiveSync basic auth) on an
 * account under attack (T1078.004, T1110.003): those protocols skip MFA, so a guessed password works
 * there even when MFA is on everywhere else.
 */
export function legacyAuthDetector(): Detector {
  return {
    id: 'legacy_auth',
    onEvent(e: AuthEvent, ctx: DetectContext) {
      if (e.outcome !== 'success' || !e.legacyAuth || !e.user) return;
      const mark = ctx.attackedAccounts.peek(accountKey(e));
      if (!mark || e.time - mark.since > 14 * DAY) return;
      const usual = ctx.account(e.tenant, e.user)?.ips.includes(e.srcIp) ?? false;
      const proto = e.protocol ?? 'a legacy protocol';
      ctx.alerts.upsert(
        {
          kind: 'legacy_auth',
          technique: 'T1078.004',
          tenant: e.tenant,
          key: e.user,
          severity: usual ? 'medium' : 'high',
          confidence: usual ? 0.5 : 0.75,
          gapMs: 7 * DAY,
          explain: explainLegacy({ proto, usual }),
        },
        e.time,
        e.time,
        [e],
      );
    },
  };
}
