import type { AuthEvent } from '../core/types.js';
import type { Detector } from './types.js';
import type { DetectContext } from './context.js';
import { HOUR } from './context.js';
import { listSome } from './explain.js';
import { compromiseReason } from './compromise.js';
import { explanationTemplate } from './explanation.js';

const explainAnonymizer = explanationTemplate(
  'anonymizer_signin',
  (a, p: { what: string }) =>
    `${listSome(a.users)} signed in successfully through ${p.what} from ${listSome(a.sourceIps)}. ` +
    'People rarely do this for work; attackers do it to hide where they are.',
);

/**
 * A successful sign-in through Tor or an anonymous proxy / VPN (T1078, T1090.003). A hosting provider
 * counts only when the organization does not usually sign in from that network (a company VPN
 * running in a cloud is a hosting address too).
 */
export function anonymizerSigninDetector(): Detector {
  return {
    id: 'anonymizer_signin',
    onEvent(e: AuthEvent, ctx: DetectContext) {
      if (e.outcome !== 'success' || !e.anonymizer || !e.user) return;
      if (compromiseReason(e, ctx)) return; // the compromise alert says more
      if (e.srcIp && ctx.isSharedEgress(e.srcIp)) return;
      if (e.anonymizer === 'hosting') {
        if (ctx.tenantAsnCount(e.tenant, e.asn) >= 3) return;
        // a datacenter is only odd for an account whose habits are known (servers and service accounts live there)
        const hist = ctx.account(e.tenant, e.user);
        if (!hist || hist.successes < 3 || (e.asn !== undefined && hist.asns.includes(e.asn))) return;
      }
      const what = e.anonymizer === 'tor' ? 'the Tor network' : e.anonymizer === 'hosting' ? `a hosting provider (${e.asOrg ?? 'datacenter'})` : `an anonymous ${e.anonymizer}`;
      ctx.alerts.upsert(
        {
          kind: 'anonymizer_signin',
          technique: 'T1078.004',
          tenant: e.tenant,
          key: e.user,
          severity: e.anonymizer === 'tor' ? 'high' : 'medium',
          confidence: e.anonymizer === 'tor' ? 0.7 : 0.5,
          gapMs: 24 * HOUR,
          explain: explainAnonymizer({ what }),
        },
        e.time,
        e.time,
        [e],
      );
    },
  };
}
