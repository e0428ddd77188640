/**
 * Low-and-slow password spray spread over a rotating pool of mostly-Tor addresses across many
 * organizations (the 2020 Strontium pattern: ~4 attempts per account per hour, nearly every attempt
 * from a different address, ~1,100 addresses with ~20 swapped per day, ~20% of accounts targeted).
 * Per-address and per-account hourly caps are hard limits.
 */
import type { NetInfo, Org, SimEvent } from '../model.js';
import { DAY, HOUR } from '../model.js';
import type { Rng } from '../rng.js';
import type { CampaignSpec } from '../scenario.js';
import { attackerPool, ATTACK_UA, Campaign, guessedTarget, pickOrgs, protocolFor, type Target } from './common.js';
import { randomNet, torNet, TOR_EXITS } from '../networks.js';

type Spec = Extract<CampaignSpec, { kind: 'distributed_spray' }>;

export class DistributedSpray extends Campaign {
  private readonly targets: Target[] = [];
  private pool: NetInfo[];
  private readonly used = new Set<string>();
  private readonly begin: number;
  private readonly end: number;
  private lastChurnDay = 0;
  /** target index → hour index at which the password guess is right */
  private readonly wins = new Map<number, number>();

  constructor(private readonly spec: Spec, orgs: Org[], simStart: number, rng: Rng) {
    super(rng, spec.id ?? 'distributed-spray', 'distributed_spray', 'T1110.003', ['distributed_spray', 'anonymizer_signin', 'compromise'], spec.actor);
    this.begin = simStart + spec.startHour * HOUR;
    this.end = this.begin + spec.durationHours * HOUR;
    for (const org of pickOrgs(orgs, spec.orgs, rng)) {
      const real = rng.sample(org.users, Math.max(1, Math.round(org.users.length * spec.fractionAccounts)));
      for (const u of real) this.targets.push({ org, login: u.email, user: u });
      const guesses = Math.round((real.length * spec.guessedFraction) / Math.max(0.01, 1 - spec.guessedFraction));
      const names = new Set<string>();
      for (let i = 0; i < guesses * 3 && names.size < guesses; i++) {
        const t = guessedTarget(org, rng);
        if (t.user || names.has(t.login)) continue;
        names.add(t.login);
        this.targets.push(t);
      }
    }
    this.pool = attackerPool(spec.poolSize, spec.torFraction, rng);
    for (const n of this.pool) this.used.add(n.ip);
    const existing = this.targets.map((t, i) => [t, i] as const).filter(([t]) => t.user);
    const hours = Math.max(1, Math.floor(spec.durationHours * 0.8));
    for (const [, i] of rng.sample(existing, spec.compromised)) this.wins.set(i, rng.int(Math.min(2, hours - 1), hours - 1));
    if (this.targets.length === 0) this.truth.skipped = 'no organization to target';
  }

  step(start: number, emit: (e: SimEvent) => void): void {
    if (start < this.begin || start >= this.end) return;
    const s = this.spec;
    const r = this.rng;
    const hourIndex = Math.floor((start - this.begin) / HOUR);
    this.churn(Math.floor((start - this.begin) / DAY));
    const perIp = new Map<string, number>();
    const ua = s.userAgent ?? ATTACK_UA;
    for (let ti = 0; ti < this.targets.length; ti++) {
      const target = this.targets[ti]!;
      const win = this.wins.get(ti) === hourIndex;
      // the winning hour has at least the one attempt that gets in
      const n = Math.min(s.maxPerAccountHour, Math.max(win ? 1 : 0, r.poisson(s.attemptsPerAccountHour)));
      const mine = new Set<string>();
      for (let k = 0; k < n; k++) {
        const net = this.freeAddress(perIp, mine);
        if (!net) {
          // pool saturated this hour: a pending win moves to the next hour
          if (win) this.wins.set(ti, hourIndex + 1);
          break;
        }
        perIp.set(net.ip, (perIp.get(net.ip) ?? 0) + 1);
        mine.add(net.ip);
        const t = start + Math.floor(r.next() * HOUR);
        if (win && k === n - 1) {
          this.wins.delete(ti);
          this.attempt(emit, t, target, net, 'success', protocolFor(target.org), ua);
          this.attackerUse(emit, t, target, ua);
        } else if (target.user) {
          this.attempt(emit, t, target, net, 'failure', protocolFor(target.org), ua, 'bad_password');
        } else {
          this.attempt(emit, t, target, net, 'failure', protocolFor(target.org), ua, 'unknown_user');
        }
      }
    }
  }

  /** after the right guess, the operator signs in again over the next hours from the same pool */
  private attackerUse(emit: (e: SimEvent) => void, t: number, target: Target, ua: string): void {
    const r = this.rng;
    const uses = r.int(2, 4);
    for (let i = 0; i < uses; i++) {
      this.attempt(emit, t + r.int(20, 360) * 60_000, target, r.pick(this.pool), 'success', protocolFor(target.org), ua);
    }
  }

  /** a random pool address under its hourly cap and not yet used on this account this hour */
  private freeAddress(perIp: Map<string, number>, mine: Set<string>): NetInfo | undefined {
    for (let tries = 0; tries < 12; tries++) {
      const net = this.rng.pick(this.pool);
      if ((perIp.get(net.ip) ?? 0) < this.spec.maxPerIpHour && !mine.has(net.ip)) return net;
    }
    return undefined;
  }

  /** ~20 addresses leave the pool and ~20 new ones join, once a day */
  private churn(day: number): void {
    if (day <= this.lastChurnDay) return;
    this.lastChurnDay = day;
    const r = this.rng;
    const drop = Math.min(this.spec.churnPerDay, this.pool.length - 1);
    const keep = r.sample(this.pool, this.pool.length - drop);
    const fresh: NetInfo[] = [];
    const unusedTor = TOR_EXITS.filter((ip) => !this.used.has(ip));
    for (let i = 0; i < drop; i++) {
      let net: NetInfo | undefined;
      if (unusedTor.length > 0 && r.chance(this.spec.torFraction)) {
        const ip = unusedTor.splice(r.int(0, unusedTor.length - 1), 1)[0];
        if (ip) net = torNet(ip);
      }
      if (!net) net = randomNet('hosting', r);
      if (this.used.has(net.ip)) continue;
      this.used.add(net.ip);
      fresh.push(net);
    }
    this.pool = keep.concat(fresh);
  }
}
