/** Classic password spray from one address: every round, one password against many accounts. */
import type { NetInfo, Org, SimEvent } from '../model.js';
import { HOUR, MINUTE } from '../model.js';
import { randomNet } from '../networks.js';
import type { Rng } from '../rng.js';
import type { CampaignSpec } from '../scenario.js';
import { ATTACK_UA, Campaign, guessedTarget, pickOrg, protocolFor, type Target } from './common.js';

type Spec = Extract<CampaignSpec, { kind: 'spray' }>;

export class SingleSourceSpray extends Campaign {
  private readonly targets: Target[] = [];
  private readonly net: NetInfo;
  private readonly begin: number;
  private readonly end: number;
  private nextRound: number;

  constructor(private readonly spec: Spec, orgs: Org[], simStart: number, rng: Rng) {
    super(rng, spec.id ?? 'spray', 'password_spray', 'T1110.003', ['password_spray'], spec.actor);
    this.begin = simStart + spec.startHour * HOUR;
    this.end = this.begin + spec.durationHours * HOUR;
    this.nextRound = this.begin + rng.int(0, 30) * MINUTE;
    this.net = randomNet('hosting', rng);
    const org = pickOrg(orgs, spec.org, rng);
    if (!org) {
      this.truth.skipped = 'no such organization';
      return;
    }
    for (const u of rng.sample(org.users, Math.max(1, Math.round(org.users.length * spec.fractionAccounts)))) this.targets.push({ org, login: u.email, user: u });
    const guesses = Math.round(this.targets.length * spec.guessedFraction);
    const seen = new Set<string>();
    for (let i = 0; i < guesses * 3 && seen.size < guesses; i++) {
      const t = guessedTarget(org, rng);
      if (!t.user && !seen.has(t.login)) {
        seen.add(t.login);
        this.targets.push(t);
      }
    }
  }

  step(start: number, emit: (e: SimEvent) => void): void {
    if (this.targets.length === 0) return;
    const ua = this.spec.userAgent ?? ATTACK_UA;
    while (this.nextRound < start + HOUR && this.nextRound < this.end) {
      let t = this.nextRound;
      for (const target of this.targets) {
        this.attempt(emit, t, target, this.net, 'failure', protocolFor(target.org), ua, target.user ? 'bad_password' : 'unknown_user');
        t += this.rng.int(1, 4) * 1000;
      }
      this.nextRound += this.spec.roundMinutes * MINUTE;
    }
  }
}
