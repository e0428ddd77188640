/** MFA fatigue: the attacker has the password and fires push prompts until the tired user accepts. */
import type { NetInfo, Org, SimEvent } from '../model.js';
import { HOUR, MFA_FORMATS, MINUTE } from '../model.js';
import { randomNet } from '../networks.js';
import type { Rng } from '../rng.js';
import type { CampaignSpec } from '../scenario.js';
import { ATTACK_UA, Campaign, pickOrg, pickUser, type Target } from './common.js';

type Spec = Extract<CampaignSpec, { kind: 'mfa_fatigue' }>;

export class MfaFatigue extends Campaign {
  private readonly target?: Target;
  private readonly net: NetInfo;
  private readonly begin: number;
  private done = false;

  constructor(private readonly spec: Spec, orgs: Org[], simStart: number, rng: Rng) {
    super(rng, spec.id ?? 'mfa-fatigue', 'mfa_fatigue', 'T1621', ['mfa_fatigue', 'compromise'], spec.actor);
    this.begin = simStart + spec.startHour * HOUR;
    this.net = randomNet('hosting', rng);
    const org = pickOrg(orgs, spec.org, rng, (o) => MFA_FORMATS.includes(o.format));
    const user = org ? pickUser(org, spec.user, rng) : undefined;
    if (org && user) this.target = { org, login: user.email, user };
    else this.truth.skipped = 'no organization whose log shows MFA prompts';
  }

  step(start: number, emit: (e: SimEvent) => void): void {
    if (!this.target || this.done || this.begin >= start + HOUR || this.begin < start) return;
    this.done = true;
    const r = this.rng;
    const ua = this.spec.userAgent ?? ATTACK_UA;
    let t = this.begin + r.int(0, 20) * MINUTE;
    for (let i = 0; i < this.spec.pushes; i++) {
      const timeout = r.chance(0.3);
      this.attempt(emit, t, this.target, this.net, 'mfa', 'browser', ua, timeout ? 'mfa_timeout' : 'mfa_denied', timeout ? 'push_timeout' : 'push_denied');
      t += Math.round(this.spec.intervalMinutes * MINUTE * (0.7 + 0.6 * r.next()));
    }
    this.attempt(emit, t, this.target, this.net, 'success', 'browser', ua, undefined, 'push_accepted');
  }
}
