import type { Alert, AuthEvent } from '../core/types.js';
import type { Detector } from './types.js';
import type { DetectContext } from './context.js';
import { HOUR } from './context.js';
import { SlidingWindow, type PackedWindows } from './state/window.js';
import { TtlMap, type TtlMapSnapshot } from './state/ttl-map.js';
import { isGuessFailure } from './classify.js';
import { listSome, plural } from './explain.js';
import { fixedExplanation } from './explanation.js';

export const GUESS_BURST = {
  /** failed passwords from one address faster than anyone types them */
  failures: 6,
  windowMs: 15_000,
  gapMs: 6 * HOUR,
};

const explainBurst = fixedExplanation(
  'guess_burst',
  (a: Alert) =>
    `${listSome(a.sourceIps)} failed ${plural(a.evidence.failures, 'sign-in')} on ${listSome(a.users)} within seconds: ` +
    'an automated password-guessing tool. Common background noise on internet-facing servers; it matters if it goes on or anything succeeds.',
);

/**
 * A burst of failures from one address — six in fifteen seconds is a tool, not a person (T1110.001).
 * What per-host tools (fail2ban, CrowdSec ssh-bf) report. Low severity: on an internet-facing
 * server this is daily background noise; it matters when nothing larger explains it.
 */
export function guessBurstDetector(): Detector {
  const windows = new TtlMap<string, SlidingWindow<AuthEvent>>(GUESS_BURST.windowMs, 100_000);
  const maxItems = 64;
  const newWindow = (): SlidingWindow<AuthEvent> => new SlidingWindow<AuthEvent>(GUESS_BURST.windowMs, maxItems);

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
      const w = windows.upsert(`${e.tenant}\u0000${e.srcIp}`, e.time, newWindow);
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
          explain: explainBurst,
        },
        events[0]!.time,
        e.time,
        events,
      );
    },
    onTick(now) {
      windows.expire(now);
    },
    saveState(): TtlMapSnapshot<string, PackedWindows<AuthEvent>> {
      return windows.toSnapshot((ws) => SlidingWindow.pack(ws, GUESS_BURST.windowMs, maxItems));
    },
    loadState(state: unknown) {
      windows.restoreFrom(state as TtlMapSnapshot<string, PackedWindows<AuthEvent>>, (p, n) => SlidingWindow.unpack(p, n, newWindow));
    },
  };
}
