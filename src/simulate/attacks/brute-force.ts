/** Many guesses against one account (Strontium's brute-force mode: ~335/hour over ~200 addresses). */
import type { NetInfo, Org, SimEvent } from '../model.js';
import { HOUR } from '../model.js';
import type { Rng } from '../rng.js';
import type { CampaignSpec } from '../scenario.js';
import { attackerPool, ATTACK_UA, Campaign, pickOrg, pickUser, protocolFor, type Target } from './common.js';

type Spec = Extract<CampaignSpec, { kind: 'brute_force' }>;

export class BruteForce extends Campaign {
  private readonly target?: Target;
  private readonly pool: NetInfo[];
  private readonly begin: number;
  private readonly end: number;

  constructor(private readonly spec: Spec, orgs: Org[], simStart: number, rng: Rng) {
    super(rng, spec.id ?? 'brute-force', 'brute_force', 'T1110.001', ['brute_force'], spec.actor);
    this.begin = simStart + spec.startHour * HOUR;
    this.end = this.begin + spec.durationHours * HOUR;
    const org = pickOrg(orgs, spec.org, rng);
    const user = org ? pickUser(org, spec.user, rng) : undefined;
    if (org && user) this.target = { org, login: user.email, user };
    else this.truth.skipped = 'no such organization or account';
    this.pool = attackerPool(Math.max(spec.ipsPerHour * 2, 1), spec.useTor ? 0.8 : 0, rng);
  }

  step(start: number, emit: (e: SimEvent) => void): void {
    if (!this.target || start < this.begin || start >= this.end) return;
    const r = this.rng;
    const hourIps = r.sample(this.pool, this.spec.ipsPerHour);
    const n = r.poisson(this.spec.attemptsPerHour);
    for (let i = 0; i < n; i++) {
      const t = start + Math.floor(r.next() * HOUR);
      this.attempt(emit, t, this.target, r.pick(hourIps), 'failure', protocolFor(this.target.org), this.spec.userAgent ?? ATTACK_UA, 'bad_password');
    }
  }
}
