/** A phished password used from the attacker's server: a success from a new network and country. */
import type { NetInfo, Org, SimEvent } from '../model.js';
import { HOUR, MINUTE } from '../model.js';
import { prefixes, netFrom } from '../networks.js';
import type { Rng } from '../rng.js';
import type { CampaignSpec } from '../scenario.js';
import { ATTACK_UA, Campaign, pickOrg, pickUser, protocolFor, type Target } from './common.js';

type Spec = Extract<CampaignSpec, { kind: 'phishing' }>;

export class PhishingSignIn extends Campaign {
  private readonly target?: Target;
  private readonly net?: NetInfo;
  private readonly begin: number;
  private done = false;

  constructor(private readonly spec: Spec, orgs: Org[], simStart: number, rng: Rng) {
    super(rng, spec.id ?? 'phishing', 'phishing_signin', 'T1078.004', ['unfamiliar_signin', 'compromise'], spec.actor);
    this.begin = simStart + spec.startHour * HOUR;
    const org = pickOrg(orgs, spec.org, rng, (o) => o.format !== 'windows');
    const user = org ? pickUser(org, spec.user, rng) : undefined;
    if (!org || !user) {
      this.truth.skipped = 'no such organization or account';
      return;
    }
    this.target = { org, login: user.email, user };
    const foreign = prefixes('hosting').filter((p) => p.country !== org.country && p.asn !== user.home.asn);
    this.net = netFrom(rng.pick(foreign), 'hosting', rng);
    this.truth.notes = `phishing link clicked; attacker signs in from AS${this.net.asn} (${this.net.country})`;
  }

  step(start: number, emit: (e: SimEvent) => void): void {
    if (!this.target || !this.net || this.done || this.begin < start || this.begin >= start + HOUR) return;
    this.done = true;
    const r = this.rng;
    const ua = this.spec.userAgent ?? ATTACK_UA;
    let t = this.begin + r.int(0, 50) * MINUTE;
    this.attempt(emit, t, this.target, this.net, 'success', protocolFor(this.target.org), ua);
    for (let i = 0; i < this.spec.followUps; i++) {
      t += r.int(30, 240) * MINUTE;
      this.attempt(emit, t, this.target, this.net, 'success', protocolFor(this.target.org), ua);
    }
  }
}
