import type { AuthEvent, Severity } from '../core/types.js';
import type { Detector } from './types.js';
import type { DetectContext } from './context.js';
import { DAY } from './context.js';
import { listSome } from './explain.js';
import { explanationTemplate } from './explanation.js';

const explainWarning = explanationTemplate(
  'provider_warning',
  (a, p: { source: string; success: boolean; risk: string; govWarning: boolean }) =>
    `The identity provider (${p.source}) flagged ${p.success ? 'a sign-in' : 'an attempt'} of ${listSome(a.users)}: "${p.risk}".` +
    (p.govWarning ? ' Google warns that a government-backed attacker is targeting this account.' : ''),
);

/** Provider verdicts worth passing on, and how serious each is. */
const WARNINGS: Record<string, Severity> = {
  high: 'high',
  medium: 'medium',
  gov_attack_warning: 'critical',
  account_disabled_hijacked: 'critical',
  account_disabled_password_leak: 'high',
  suspicious_login: 'high',
  suspicious_login_less_secure_app: 'high',
  suspicious_programmatic_login: 'high',
  leakedcredentials: 'high',
  maliciousipaddress: 'high',
  nationstateip: 'critical',
};

/**
 * What the identity provider itself flagged (Google's government-backed attack warning, Entra risk
 * levels, Okta ThreatInsight), passed on with the provider's words so it is not lost in an export.
 */
export function providerWarningDetector(): Detector {
  return {
    id: 'provider_warning',
    onEvent(e: AuthEvent, ctx: DetectContext) {
      if (!e.providerRisk || !e.user) return;
      const words = e.providerRisk.toLowerCase().split(/[,\s]+/).filter(Boolean);
      let severity: Severity | undefined;
      for (const w of words) {
        const s = WARNINGS[w];
        if (s && (!severity || ['low', 'medium', 'high', 'critical'].indexOf(s) > ['low', 'medium', 'high', 'critical'].indexOf(severity))) severity = s;
      }
      if (!severity) return;
      ctx.alerts.upsert(
        {
          kind: 'provider_warning',
          technique: 'T1078.004',
          tenant: e.tenant,
          key: `${e.user}\u0000${e.providerRisk}`,
          severity,
          confidence: 0.7,
          gapMs: DAY,
          explain: explainWarning({
            source: e.source,
            success: e.outcome === 'success',
            risk: e.providerRisk,
            govWarning: words.includes('gov_attack_warning'),
          }),
        },
        e.time,
        e.time,
        [e],
      );
    },
  };
}
