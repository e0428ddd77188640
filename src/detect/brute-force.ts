import type { AuthEvent } from '../core/types.js';
import type { Detector } from './types.js';
import type { DetectContext } from './context.js';
import { HOUR } from './context.js';
import { SlidingWindow, type PackedWindows } from './state/window.js';
import { TtlMap, type TtlMapSnapshot } from './state/ttl-map.js';
import { accountKey, isCredentialSuccess, isGuessFailure } from './classify.js';
import { plural, span } from './explain.js';
import { explanationTemplate, fixedExplanation } from './explanation.js';

const MIN = 60_000;

/** Thresholds, per account. Named for what they mean, documented in docs/detectors.md. */
export const BRUTE_FORCE = {
  /** fast guessing: this many failures within `fastWindowMs` (a human who forgot a password stops near 10: lockout) */
  fastFailures: 20,
  fastWindowMs: 30 * MIN,
  /** slow guessing: this many failures in a day, from at least `slowMinIps` addresses that never signed this account in */
  slowFailures: 40,
  slowWindowMs: 24 * HOUR,
  slowMinIps: 3,
  /** rotated guessing: this many failures within `rotatedWindowMs` from at least `rotatedMinIps` strange addresses */
  rotatedFailures: 10,
  rotatedWindowMs: 10 * MIN,
  rotatedMinIps: 3,
  gapMs: 6 * HOUR,
};

interface AccountWindow {
  fast: SlidingWindow<AuthEvent>;
  slow: SlidingWindow<AuthEvent>;
}

const FAST_ITEMS = BRUTE_FORCE.fastFailures * 4;
const SLOW_ITEMS = BRUTE_FORCE.slowFailures * 4;
const newFast = (): SlidingWindow<AuthEvent> => new SlidingWindow<AuthEvent>(BRUTE_FORCE.fastWindowMs, FAST_ITEMS);
const newSlow = (): SlidingWindow<AuthEvent> => new SlidingWindow<AuthEvent>(BRUTE_FORCE.slowWindowMs, SLOW_ITEMS);

function newAccountWindow(): AccountWindow {
  return { fast: newFast(), slow: newSlow() };
}

interface BruteForceState {
  windows: TtlMapSnapshot<string, { fast: PackedWindows<AuthEvent>; slow: PackedWindows<AuthEvent> }>;
  guessers: TtlMapSnapshot<string, Map<string, number>[]>;
}

/**
 * The addresses doing the guessing: those with at least three failures, so that the person's own
 * typo from their office or home, caught in the same window, does not mark that address hostile.
 */
function attackingIps(events: readonly AuthEvent[], ctx: DetectContext): string[] {
  const counts = new Map<string, number>();
  for (const f of events) if (f.srcIp) counts.set(f.srcIp, (counts.get(f.srcIp) ?? 0) + 1);
  return [...counts].filter(([ip, n]) => n >= 3 || (ctx.ip(ip)?.guessFailures ?? 0) >= 3).map(([ip]) => ip);
}

/** attackingIps([e], ctx) without building its maps: this runs on every failure of an open brute force */
function attackingIp(e: AuthEvent, ctx: DetectContext): string[] {
  return e.srcIp && (ctx.ip(e.srcIp)?.guessFailures ?? 0) >= 3 ? [e.srcIp] : [];
}

const explainGuessedPassword = explanationTemplate(
  'brute_force.compromise',
  (a, p: { tries: number; ip: string }) =>
    `After ${plural(p.tries, 'wrong password')} from ${p.ip}, the password of ${a.users[0] ?? 'the account'} was accepted from that same address: ` +
    'the guessing worked. Assume the account is in the attacker\'s hands until the password is reset and sessions are revoked.',
);

const explainBruteForce = fixedExplanation(
  'brute_force',
  (a) =>
    `Someone tried ${plural(a.evidence.failures, 'wrong password')} on ${a.users[0] ?? 'one account'} over ${span(a)}` +
    ` from ${plural(a.sourceIps.length, 'address', 'addresses')}. ` +
    (a.evidence.successes > 0 ? 'Some attempts succeeded.' : 'None succeeded so far.'),
);

/** Slow failures on an account already counted in its organization's rotating spray are that spray. */
function partOfDistributedSpray(e: AuthEvent, ctx: DetectContext): boolean {
  const spray = ctx.alerts.find('distributed_spray', e.tenant, 'tenant', e.time, 48 * HOUR);
  return spray !== undefined && spray.users.has(e.user);
}

/** Many failed passwords on one account (T1110.001), from one address or many. */
export function bruteForceDetector(): Detector {
  const windows = new TtlMap<string, AccountWindow>(BRUTE_FORCE.slowWindowMs, 200_000);
  /** failures per address on each account with an open brute-force alert */
  const guessers = new TtlMap<string, Map<string, number>>(BRUTE_FORCE.gapMs, 100_000);

  function countGuess(key: string, ip: string, now: number, n = 1): void {
    if (!ip) return;
    const m = guessers.upsert(key, now, () => new Map());
    if (m.size < 10_000 || m.has(ip)) m.set(ip, (m.get(ip) ?? 0) + n);
  }

  return {
    id: 'brute_force',
    onEvent(e: AuthEvent, ctx: DetectContext) {
      if (!e.user) return;
      const key = accountKey(e);
      if (isCredentialSuccess(e)) {
        // the guessing ends with the right password, from an address that was doing the guessing
        // (even an address that also has honest sign-ins: the victim's own network may be the attacker's)
        const tries = guessers.peek(key)?.get(e.srcIp) ?? 0;
        if (tries < 3 || !ctx.alerts.find('brute_force', e.tenant, e.user, e.time, BRUTE_FORCE.gapMs)) return;
        const ep = ctx.alerts.upsert(
          {
            kind: 'compromise',
            technique: 'T1110.001',
            tenant: e.tenant,
            key: e.user,
            severity: 'critical',
            confidence: 0.9,
            gapMs: 7 * 24 * HOUR,
            explain: explainGuessedPassword({ tries, ip: e.srcIp }),
          },
          e.time,
          e.time,
          [e],
        );
        ctx.markAttack(ep.alert, [key], []);
        guessers.delete(key);
        return;
      }
      if (!isGuessFailure(e)) return;
      const update = {
        kind: 'brute_force' as const,
        technique: 'T1110.001',
        tenant: e.tenant,
        key: e.user,
        severity: 'high' as const,
        confidence: 0.8,
        gapMs: BRUTE_FORCE.gapMs,
        explain: explainBruteForce,
      };
      const open = ctx.alerts.find('brute_force', e.tenant, e.user, e.time, BRUTE_FORCE.gapMs);
      if (open) {
        ctx.alerts.upsert(update, e.time, e.time, [e]);
        ctx.markAttack(open.alert, [key], attackingIp(e, ctx));
        countGuess(key, e.srcIp, e.time);
        return;
      }
      const w = windows.upsert(key, e.time, newAccountWindow);
      w.fast.push(e.time, e);
      w.fast.evict(e.time);
      w.slow.push(e.time, e);
      w.slow.evict(e.time);
      let evidence: SlidingWindow<AuthEvent> | undefined;
      if (w.fast.length >= BRUTE_FORCE.fastFailures) evidence = w.fast;
      else if (w.fast.length >= BRUTE_FORCE.rotatedFailures) {
        // one account failing from several addresses that never signed it in, within minutes: guessing
        // rotated over proxies (a person mistyping stays on one device and one address)
        const since = e.time - BRUTE_FORCE.rotatedWindowMs;
        const ips = new Set<string>();
        let n = 0;
        for (const f of w.fast.values()) {
          if (f.time < since) continue;
          n++;
          if (f.srcIp && !(ctx.ip(f.srcIp)?.successAccounts.has(key) ?? false)) ips.add(f.srcIp);
          // the decision below needs no more than this (the window runs on every failure)
          if (n >= BRUTE_FORCE.rotatedFailures && ips.size >= BRUTE_FORCE.rotatedMinIps) break;
        }
        if (n >= BRUTE_FORCE.rotatedFailures && ips.size >= BRUTE_FORCE.rotatedMinIps) evidence = w.fast;
      }
      else if (w.slow.length >= BRUTE_FORCE.slowFailures && !partOfDistributedSpray(e, ctx)) {
        // slow guessing counts only addresses that never signed this account in (a stale password on
        // the account's own device retries from its usual address)
        const ips = new Set<string>();
        for (const f of w.slow.values()) {
          const s = ctx.ip(f.srcIp);
          if (f.srcIp && !(s && s.successAccounts.has(key))) ips.add(f.srcIp);
          if (ips.size >= BRUTE_FORCE.slowMinIps) break; // enough to decide
        }
        if (ips.size >= BRUTE_FORCE.slowMinIps) evidence = w.slow;
      }
      if (!evidence) return;
      const events = [...evidence.values()];
      const ep = ctx.alerts.upsert(
        { ...update, confidence: events.length >= 100 ? 0.95 : 0.8 },
        events[0]!.time,
        e.time,
        events,
      );
      ctx.markAttack(ep.alert, [key], attackingIps(events, ctx));
      for (const f of events) countGuess(key, f.srcIp, e.time);
      windows.delete(key);
    },
    onTick(now) {
      windows.expire(now);
      guessers.expire(now);
    },
    saveState(): BruteForceState {
      return {
        windows: windows.toSnapshot((ws) => ({
          fast: SlidingWindow.pack(ws.map((w) => w.fast), BRUTE_FORCE.fastWindowMs, FAST_ITEMS),
          slow: SlidingWindow.pack(ws.map((w) => w.slow), BRUTE_FORCE.slowWindowMs, SLOW_ITEMS),
        })),
        guessers: guessers.toSnapshot((ms) => ms),
      };
    },
    loadState(state: unknown) {
      const s = state as BruteForceState;
      windows.restoreFrom(s.windows, (packed, n) => {
        const slow = SlidingWindow.unpack(packed.slow, n, newSlow);
        return SlidingWindow.unpack(packed.fast, n, newFast).map((fast, i) => ({ fast, slow: slow[i]! }));
      });
      guessers.restoreFrom(s.guessers, (ms) => ms);
    },
  };
}
