/** Credential stuffing: leaked e-mail/password pairs replayed through residential proxies; most names do not exist here. */
import type { NetInfo, Org, SimEvent } from '../model.js';
import { HOUR } from '../model.js';
import { randomNet } from '../networks.js';
import type { Rng } from '../rng.js';
import type { CampaignSpec } from '../scenario.js';
import { Campaign, pickOrgs, protocolFor, type Target } from './common.js';
import { USER_AGENTS } from '../orgs.js';

type Spec = Extract<CampaignSpec, { kind: 'credential_stuffing' }>;

const LEAK_FIRST = ['anna', 'mike', 'sarah', 'tom', 'laura', 'kevin', 'nora', 'peter', 'lisa', 'chris', 'jenny', 'mark'];
const LEAK_LAST = ['fischer', 'novak', 'rossi', 'kowalski', 'jensen', 'silva', 'meyer', 'costa', 'weber', 'ward'];

export class CredentialStuffing extends Campaign {
  private readonly orgs: Org[];
  private readonly proxies: NetInfo[] = [];
  private readonly begin: number;
  private readonly end: number;
  private successesLeft: number;

  constructor(private readonly spec: Spec, orgs: Org[], simStart: number, rng: Rng) {
    super(rng, spec.id ?? 'credential-stuffing', 'credential_stuffing', 'T1110.004', ['credential_stuffing'], spec.actor);
    this.begin = simStart + spec.startHour * HOUR;
    this.end = this.begin + spec.durationHours * HOUR;
    this.orgs = pickOrgs(orgs, spec.orgs, rng);
    if (this.orgs.length === 0) this.truth.skipped = 'no organization to target';
    for (let i = 0; i < spec.ips; i++) this.proxies.push(randomNet(rng.chance(0.7) ? 'residential' : 'mobile', rng));
    this.successesLeft = spec.successes;
  }

  step(start: number, emit: (e: SimEvent) => void): void {
    if (this.orgs.length === 0 || start < this.begin || start >= this.end) return;
    const r = this.rng;
    const n = r.poisson(this.spec.attemptsPerHour);
    const hoursLeft = Math.max(1, (this.end - start) / HOUR);
    for (let i = 0; i < n; i++) {
      const org = r.pick(this.orgs);
      const t = start + Math.floor(r.next() * HOUR);
      const net = r.pick(this.proxies);
      const ua = this.spec.userAgent ?? r.pick(USER_AGENTS);
      if (r.chance(this.spec.unknownFraction) || org.users.length === 0) {
        const name = `${r.pick(LEAK_FIRST)}.${r.pick(LEAK_LAST)}${r.int(1, 99)}@${org.domain}`;
        this.attempt(emit, t, { org, login: name }, net, 'failure', protocolFor(org), ua, 'unknown_user');
        continue;
      }
      const user = r.pick(org.users);
      const target: Target = { org, login: user.email, user };
      // reused passwords work now and then: spread the configured successes over the campaign
      const win = this.successesLeft > 0 && r.chance(1 / Math.max(1, (this.spec.attemptsPerHour * (1 - this.spec.unknownFraction) * hoursLeft) / this.successesLeft));
      if (win) this.successesLeft--;
      this.attempt(emit, t, target, net, win ? 'success' : 'failure', protocolFor(org), ua, win ? undefined : 'bad_password');
    }
  }
}
