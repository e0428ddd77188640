import type { AuthEvent } from '../../src/core/types.js';
import { DetectionEngine } from '../../src/detect/engine.js';
import type { Alert } from '../../src/core/types.js';

export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;
/** Monday 2024-03-04 00:00 UTC */
export const T0 = Date.UTC(2024, 2, 4);

/** Small deterministic PRNG so scenarios are the same on every run. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let refCounter = 0;

export function ev(p: Partial<AuthEvent> & { time: number; user: string }): AuthEvent {
  return {
    tenant: 'org.example',
    srcIp: '198.51.100.1',
    outcome: 'success',
    source: 'test',
    ref: `t:${++refCounter}`,
    ...p,
  };
}

export function fail(p: Partial<AuthEvent> & { time: number; user: string }): AuthEvent {
  return ev({ outcome: 'failure', reason: 'bad_password', ...p });
}

/** Run events (sorted by time here) through a fresh engine. */
export function detect(events: AuthEvent[]): Alert[] {
  const engine = new DetectionEngine();
  for (const e of [...events].sort((a, b) => a.time - b.time)) engine.process(e);
  return engine.finish();
}

export function kinds(alerts: Alert[]): string[] {
  return [...new Set(alerts.map((a) => a.kind))].sort();
}

/** A public-looking address from a number, in a range the test treats as one ISP. */
export function ipOf(prefix: string, n: number): string {
  return `${prefix}.${Math.floor(n / 250) % 250}.${(n % 250) + 1}`;
}

export interface OrgOptions {
  tenant: string;
  users: number;
  days: number;
  seed: number;
  /** share of sign-ins preceded by a typo */
  typoRate?: number;
  start?: number;
}

/**
 * Benign office life: each user signs in on weekdays between 8 and 10 local (UTC here), a few more
 * times during the day, from the office NAT (shared by everyone) or from their home ISP address;
 * some sign-ins are preceded by a typo from the same address a minute earlier.
 */
export function officeLife(o: OrgOptions): AuthEvent[] {
  const r = rng(o.seed);
  const out: AuthEvent[] = [];
  const start = o.start ?? T0;
  const nat = `203.0.113.${(o.seed % 200) + 1}`;
  for (let d = 0; d < o.days; d++) {
    const day = start + d * DAY;
    const weekday = new Date(day).getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    for (let u = 0; u < o.users; u++) {
      const user = `user${u}@${o.tenant}`;
      const home = `192.0.2.${(u % 250) + 1}`;
      const sessions = 1 + Math.floor(r() * 3);
      for (let s = 0; s < sessions; s++) {
        const t = day + 8 * HOUR + Math.floor(r() * 9 * HOUR);
        const ip = r() < 0.7 ? nat : home;
        const asn = ip === nat ? 64500 : 64501;
        const common = { tenant: o.tenant, user, srcIp: ip, asn, geo: { country: 'US' }, userAgent: `UA-${u % 7}` };
        if (r() < (o.typoRate ?? 0.05)) out.push(fail({ ...common, time: t - MIN }));
        out.push(ev({ ...common, time: t }));
      }
    }
  }
  return out;
}
