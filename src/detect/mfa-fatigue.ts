import type { AuthEvent } from '../core/types.js';
import type { Detector } from './types.js';
import type { DetectContext } from './context.js';
import { HOUR } from './context.js';
import { SlidingWindow, type PackedWindows } from './state/window.js';
import { TtlMap, type TtlMapSnapshot } from './state/ttl-map.js';
import { accountKey } from './classify.js';
import { listSome, plural } from './explain.js';
import { explanationTemplate, fixedExplanation } from './explanation.js';

export const MFA_FATIGUE = {
  /** denied or unanswered prompts within the window (a person fumbling a phone stays at two or three) */
  minPrompts: 5,
  windowMs: 1 * HOUR,
  /** an accepted prompt this soon after the bombing is a compromise */
  acceptWithinMs: 1 * HOUR,
  gapMs: 12 * HOUR,
};

const explainAccepted = explanationTemplate(
  'mfa_fatigue.compromise',
  (a, p: { floods: number }) =>
    `${listSome(a.users)} accepted an MFA prompt right after being flooded with ${plural(p.floods, 'prompt')}: ` +
    'the person who sent them knows the password and is probably signed in now.',
);

const explainFlood = fixedExplanation(
  'mfa_fatigue',
  (a) =>
    `${listSome(a.users)} received ${plural(a.evidence.failures, 'MFA prompt')} that were denied or ignored. ` +
    'A prompt is only sent after the right password: someone else knows it and hopes the person will tap "approve".',
);

/**
 * MFA push bombing (T1621): someone who has the password sends prompt after prompt until the person
 * accepts one. A success soon after is raised as a compromise.
 */
export function mfaFatigueDetector(): Detector {
  const windows = new TtlMap<string, SlidingWindow<AuthEvent>>(MFA_FATIGUE.windowMs, 100_000);
  const maxItems = 500;
  const newWindow = (): SlidingWindow<AuthEvent> => new SlidingWindow<AuthEvent>(MFA_FATIGUE.windowMs, maxItems);

  return {
    id: 'mfa_fatigue',
    onEvent(e: AuthEvent, ctx: DetectContext) {
      if (!e.user) return;
      const key = accountKey(e);
      const denied = e.outcome === 'mfa' && (e.reason === 'mfa_denied' || e.reason === 'mfa_timeout');
      if (e.outcome === 'success') {
        // the accepted prompt completes the attacker's own sign-in: same address as the flood, soon after it
        const open = ctx.alerts.find('mfa_fatigue', e.tenant, e.user, e.time, MFA_FATIGUE.acceptWithinMs);
        if (!open || !open.ips.has(e.srcIp)) return;
        const floods = open.alert.evidence.failures;
        const ep = ctx.alerts.upsert(
          {
            kind: 'compromise',
            technique: 'T1621',
            tenant: e.tenant,
            key: e.user,
            severity: 'critical',
            confidence: 0.85,
            gapMs: 7 * 24 * HOUR,
            explain: explainAccepted({ floods }),
          },
          e.time,
          e.time,
          [e],
        );
        ctx.markAttack(ep.alert, [key], [e.srcIp]);
        return;
      }
      if (!denied) return;
      const open = ctx.alerts.find('mfa_fatigue', e.tenant, e.user, e.time, MFA_FATIGUE.gapMs);
      const w = windows.upsert(key, e.time, newWindow);
      w.push(e.time, e);
      w.evict(e.time);
      if (!open && w.length < MFA_FATIGUE.minPrompts) return;
      const evidence = open ? [e] : [...w.values()];
      const ep = ctx.alerts.upsert(
        {
          kind: 'mfa_fatigue',
          technique: 'T1621',
          tenant: e.tenant,
          key: e.user,
          severity: 'high',
          confidence: 0.8,
          gapMs: MFA_FATIGUE.gapMs,
          explain: explainFlood,
        },
        evidence[0]!.time,
        e.time,
        evidence,
      );
      ctx.markAttack(ep.alert, [key], evidence.map((f) => f.srcIp));
    },
    onTick(now) {
      windows.expire(now);
    },
    saveState(): TtlMapSnapshot<string, PackedWindows<AuthEvent>> {
      return windows.toSnapshot((ws) => SlidingWindow.pack(ws, MFA_FATIGUE.windowMs, maxItems));
    },
    loadState(state: unknown) {
      windows.restoreFrom(state as TtlMapSnapshot<string, PackedWindows<AuthEvent>>, (p, n) => SlidingWindow.unpack(p, n, newWindow));
    },
  };
}
