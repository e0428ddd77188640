/** Password spray over IMAP basic auth, which cannot ask for a second factor. */
import type { NetInfo, Org, SimEvent } from '../model.js';
import { HOUR, LEGACY_FORMATS } from '../model.js';
import { randomNet } from '../networks.js';
import type { Rng } from '../rng.js';
import type { CampaignSpec } from '../scenario.js';
import { Campaign, pickOrg, type Target } from './common.js';

type Spec = Extract<CampaignSpec, { kind: 'legacy_spray' }>;

export class LegacySpray extends Campaign {
  private readonly targets: Target[] = [];
  private readonly sources: NetInfo[] = [];
  private readonly begin: number;
  private readonly end: number;

  constructor(private readonly spec: Spec, orgs: Org[], simStart: number, rng: Rng) {
    super(rng, spec.id ?? 'legacy-spray', 'legacy_spray', 'T1110.003', ['legacy_auth', 'password_spray'], spec.actor);
    this.begin = simStart + spec.startHour * HOUR;
    this.end = this.begin + spec.durationHours * HOUR;
    const org = pickOrg(orgs, spec.org, rng, (o) => LEGACY_FORMATS.includes(o.format));
    if (!org) {
      this.truth.skipped = 'no organization whose log shows IMAP sign-ins';
      return;
    }
    for (const u of rng.sample(org.users, Math.max(1, Math.round(org.users.length * spec.fractionAccounts)))) this.targets.push({ org, login: u.email, user: u });
    for (let i = 0; i < spec.ips; i++) this.sources.push(randomNet('hosting', rng));
  }

  step(start: number, emit: (e: SimEvent) => void): void {
    if (this.targets.length === 0 || start < this.begin || start >= this.end) return;
    const r = this.rng;
    const perHour = this.spec.attemptsPerAccount / this.spec.durationHours;
    for (const target of this.targets) {
      const n = r.poisson(perHour);
      for (let i = 0; i < n; i++) {
        this.attempt(emit, start + Math.floor(r.next() * HOUR), target, r.pick(this.sources), 'failure', 'imap', this.spec.userAgent ?? '', 'bad_password');
      }
    }
  }
}
