import type { Alert, AuthEvent } from '../core/types.js';
import type { Detector } from './types.js';
import type { DetectContext } from './context.js';
import { HOUR } from './context.js';
import { SlidingWindow } from './state/window.js';
import { TtlMap } from './state/ttl-map.js';
import { isGuessFailure } from './classify.js';
import { listSome, plural } from './explain.js';

export const GUESS_BURST = {
  /** failed passwords from one address faster than anyone types them */
  failures: 6,
  windowMs: 15_000,
  gapMs: 6 * HOUR,
};

/**
 * A burst of failures from one address — six in fifteen seconds is a tool, not a person (T1110.001).
 * What per-host tools (fail2ban, CrowdSec ssh-bf) report. Low severity: on an internet-facing
 * server this is daily background noise; it matters when nothing larger explains it.
 */
export function guessBurstDetector(): Detector {
  const windows = new TtlMap<string, SlidingWindow<AuthEvent>>(GUESS_BURST.windowMs, 100_000);

  return {
    id: 'guess_burst',
    onEvent(e: AuthEvent, ctx: DetectContext) {
      if (!e.srcIp || !isGuessFailure(e) || ctx.hasHonestHistory(e.srcIp)) return;
      const key = `burst:${e.srcIp}`;
      const open = ctx.alerts.find('brute_force', e.tenant, key, e.time, GUESS_BURST.gapMs);
      if (open) {
        open.add(e);
        return;
      }
      // an address already counted in a larger alert needs no alert of its own
      if (ctx.attackIps.peek(e.srcIp)) return;
      const w = windows.upsert(`${e.tenant}\u0000${e.srcIp}`, e.time, () => new SlidingWindow<AuthEvent>(GUESS_BURST.windowMs, 64));
      w.push(e.time, e);
      w.evict(e.time);
      if (w.length < GUESS_BURST.failures) return;
      const events = [...w.values()];
      ctx.alerts.upsert(
        {
          kind: 'brute_force',
          technique: 'T1110.001',
          tenant: e.tenant,
          key,
          severity: 'low',
          confidence: 0.6,
          gapMs: GUESS_BURST.gapMs,
          explain: (a: Alert) =>
            `${listSome(a.sourceIps)} failed ${plural(a.evidence.failures, 'sign-in')} on ${listSome(a.users)} within seconds: ` +
            'an automated password-guessing tool. Common background noise on internet-facing servers; it matters if it goes on or anything succeeds.',
        },
        events[0]!.time,
        e.time,
        events,
      );
    },
    onTick(now) {
      windows.expire(now);
    },
  };
}
