/** How much a campaign's observable behaviour resembles an actor's published profile (0..1, with words). */
import type { Campaign } from '../correlate/types.js';
import type { ActorProfile } from './catalog.js';

const HOUR = 3_600_000;
/** credential-attack techniques: a profile without one of the campaign's is not compared */
const CREDENTIAL_TECHNIQUES = /^T1110(\.\d{3})?$|^T1621$/;
/** fewer comparable figures than this and the resemblance says nothing */
const MIN_FEATURES = 3;

export interface CampaignFeatures {
  techniques: string[];
  tor: number;
  hosting: number;
  /** share of addresses neither Tor, hosting, VPN nor proxy (residential or business lines) */
  residential: number;
  /** whether address facts were known at all */
  infraKnown: boolean;
  attemptsPerAccountHour: number;
  days: number;
  organizations: number;
}

export function campaignFeatures(c: Campaign): CampaignFeatures {
  const s = c.anonymizerShare;
  const infraKnown = s.tor + s.hosting + s.vpn + s.proxy > 0;
  const hours = Math.max(1, (c.lastSeen - c.firstSeen) / HOUR);
  return {
    techniques: c.techniques,
    tor: s.tor,
    hosting: s.hosting,
    residential: Math.max(0, 1 - s.tor - s.hosting - s.vpn - s.proxy),
    infraKnown,
    attemptsPerAccountHour: c.attempts / Math.max(1, c.userCount) / hours,
    days: hours / 24,
    organizations: c.tenants.length,
  };
}

export interface BehaviourMatch {
  similarity: number;
  details: string[];
}

const pct = (x: number): string => `${Math.round(x * 100)}%`;
const ratio = (a: number, b: number): number => (a <= 0 || b <= 0 ? 0 : Math.min(a, b) / Math.max(a, b));

export function behaviourMatch(f: CampaignFeatures, p: ActorProfile): BehaviourMatch | undefined {
  const shared = f.techniques.filter((t) => CREDENTIAL_TECHNIQUES.test(t) && p.techniques.includes(t));
  if (shared.length === 0) return undefined;
  const b = p.behaviour;
  const scores: number[] = [];
  const details: string[] = [`same technique ${shared.join(', ')}`];
  const infra = b.infrastructure;
  if (f.infraKnown && infra.tor !== null) {
    scores.push(1 - Math.abs(f.tor - infra.tor));
    details.push(`Tor ${pct(f.tor)} of addresses vs ${pct(infra.tor)}`);
  }
  if (f.infraKnown && infra.residentialProxy !== null) {
    scores.push(1 - Math.abs(f.residential - infra.residentialProxy));
    details.push(`residential ${pct(f.residential)} vs ${pct(infra.residentialProxy)}`);
  }
  if (b.attemptsPerAccountHour !== null) {
    scores.push(ratio(f.attemptsPerAccountHour, b.attemptsPerAccountHour));
    details.push(`${f.attemptsPerAccountHour.toFixed(1)} attempts per account per hour vs ${b.attemptsPerAccountHour}`);
  }
  if (b.campaignDays !== null) {
    const [lo, hi] = b.campaignDays;
    scores.push(f.days >= lo && f.days <= hi ? 1 : f.days >= lo / 2 && f.days <= hi * 2 ? 0.5 : 0);
    details.push(`${f.days.toFixed(1)} days vs ${lo}-${hi}`);
  }
  if (b.organizationsPerCampaign !== null) {
    scores.push(ratio(f.organizations, b.organizationsPerCampaign));
    details.push(`${f.organizations} organizations vs ${b.organizationsPerCampaign}`);
  }
  if (scores.length < MIN_FEATURES) return undefined;
  const similarity = scores.reduce((a, x) => a + x, 0) / scores.length;
  return { similarity: Math.round(similarity * 100) / 100, details };
}
