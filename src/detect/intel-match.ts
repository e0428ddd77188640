import type { AuthEvent } from '../core/types.js';
import type { Detector } from './types.js';
import type { DetectContext } from './context.js';
import { DAY } from './context.js';
import { accountKey } from './classify.js';
import { listSome, plural } from './explain.js';
import { explanationTemplate } from './explanation.js';

const explainIntel = explanationTemplate(
  'intel_match',
  (a, p: { lists: string }) =>
    `${listSome(a.sourceIps)}, listed as hostile in ${p.lists}, made ${plural(a.evidence.attempts, 'sign-in attempt')} ` +
    `on ${listSome(a.users)}.`,
);

/** Sign-in attempts from an address listed in a loaded threat-intelligence indicator list. */
export function intelMatchDetector(): Detector {
  return {
    id: 'intel_match',
    onEvent(e: AuthEvent, ctx: DetectContext) {
      if (!e.intel || e.intel.length === 0 || !e.srcIp) return;
      if (e.outcome === 'success') return; // a success is raised as a compromise
      const lists = e.intel.join(', ');
      const ep = ctx.alerts.upsert(
        {
          kind: 'intel_match',
          technique: 'T1110',
          tenant: e.tenant,
          key: e.srcIp,
          severity: 'high',
          confidence: 0.8,
          gapMs: DAY,
          explain: explainIntel({ lists }),
        },
        e.time,
        e.time,
        [e],
      );
      ctx.markAttack(ep.alert, [accountKey(e)], [e.srcIp]);
    },
  };
}
