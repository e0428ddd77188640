import type { ActorAttribution, AlertKind, Anonymizer, Severity } from '../core/types.js';

/** What the events said about one source address (built from runScan's onEvent hook). */
export interface IpFacts {
  asn?: number;
  anonymizer?: Anonymizer;
  /** the most recent user agent seen from the address */
  userAgent?: string;
}

export type IpInfo = Map<string, IpFacts>;

/** Why two alerts were put in one campaign, in words. */
export interface CampaignLink {
  from: string;
  to: string;
  reason: string;
}

export interface Campaign {
  /** stable: hash of the earliest alert id of the group */
  id: string;
  name: string;
  kinds: AlertKind[];
  techniques: string[];
  severity: Severity;
  tenants: string[];
  /** targeted accounts by organization (each list capped) */
  usersByTenant: Record<string, string[]>;
  userCount: number;
  sourceIps: { count: number; sample: string[] };
  /** autonomous systems of the source addresses, most used first (when known) */
  asns: Array<{ asn: number; addresses: number }>;
  /** the user agents last seen from the source addresses, most common first (a tool fingerprint) */
  userAgents: Array<{ userAgent: string; addresses: number }>;
  /** share (0..1) of the source addresses with known facts that are Tor exits, hosting, VPN, proxy */
  anonymizerShare: Record<Anonymizer, number>;
  firstSeen: number;
  lastSeen: number;
  alertIds: string[];
  attempts: number;
  successes: number;
  links: CampaignLink[];
  actor?: ActorAttribution;
}
