/** Builds the campaign objects a scenario describes. */
import type { Org } from '../model.js';
import type { Rng } from '../rng.js';
import type { CampaignSpec } from '../scenario.js';
import { BruteForce } from './brute-force.js';
import type { Campaign } from './common.js';
import { CredentialStuffing } from './stuffing.js';
import { DistributedSpray } from './distributed-spray.js';
import { LegacySpray } from './legacy-spray.js';
import { MfaFatigue } from './mfa-fatigue.js';
import { PhishingSignIn } from './phishing.js';
import { SingleSourceSpray } from './spray.js';

export type { Campaign, CampaignTruth } from './common.js';

export function buildCampaign(spec: CampaignSpec, index: number, orgs: Org[], start: number, rng: Rng): Campaign {
  const r = rng.fork(`campaign/${index}/${spec.kind}`);
  const s = { ...spec, id: spec.id ?? `${spec.kind.replace(/_/g, '-')}-${index + 1}` };
  switch (s.kind) {
    case 'distributed_spray':
      return new DistributedSpray(s, orgs, start, r);
    case 'brute_force':
      return new BruteForce(s, orgs, start, r);
    case 'spray':
      return new SingleSourceSpray(s, orgs, start, r);
    case 'credential_stuffing':
      return new CredentialStuffing(s, orgs, start, r);
    case 'mfa_fatigue':
      return new MfaFatigue(s, orgs, start, r);
    case 'phishing':
      return new PhishingSignIn(s, orgs, start, r);
    case 'legacy_spray':
      return new LegacySpray(s, orgs, start, r);
  }
}
