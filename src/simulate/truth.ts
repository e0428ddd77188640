/** The ground-truth file written beside the logs: what happened, so detections can be scored. */
import type { CampaignTruth } from './attacks/index.js';
import type { BenignStats } from './benign.js';
import type { Simulation } from './engine.js';
import { WRITERS } from './writers/index.js';

export interface OrgTruth {
  name: string;
  domain: string;
  tenantId: string;
  customerId: string;
  format: string;
  file: string;
  host: string;
  country: string;
  utcOffsetHours: number;
  users: number;
  /** every name a parser may give this organization as `tenant` (domain, tenant GUID, customer id, host, NetBIOS) */
  tenantAliases: string[];
}

export interface Truth {
  generator: string;
  seed: string;
  start: string;
  end: string;
  events: number;
  eventsByFormat: Record<string, number>;
  /** how account names are written: "tenant|name" where name is the UPN/e-mail, or the local login for sshd and windows */
  userKey: string;
  orgs: OrgTruth[];
  campaigns: CampaignTruth[];
  benign: BenignStats[];
  torExitsFile: string;
  /** addresses every simulated user shares through a carrier's NAT, with how many users and orgs */
  sharedMobileAddresses: { ip: string; users: number; orgs: number }[];
}

export function buildTruth(sim: Simulation, eventsByFormat: Record<string, number>): Truth {
  const shared = new Map<string, { users: number; orgs: Set<string> }>();
  for (const org of sim.orgs) {
    for (const u of org.users) {
      const s = shared.get(u.mobile.ip) ?? { users: 0, orgs: new Set<string>() };
      s.users++;
      s.orgs.add(org.domain);
      shared.set(u.mobile.ip, s);
    }
  }
  return {
    generator: 'vigil simulate',
    seed: sim.opts.seed,
    start: new Date(sim.start).toISOString(),
    end: new Date(sim.end).toISOString(),
    events: sim.emitted,
    eventsByFormat,
    userKey: 'tenant-domain|name-as-logged',
    orgs: sim.orgs.map((o) => ({
      name: o.name,
      domain: o.domain,
      tenantId: o.tenantId,
      customerId: o.customerId,
      format: o.format,
      file: `${o.format}/${o.name}.${WRITERS[o.format].ext}`,
      host: o.host,
      country: o.country,
      utcOffsetHours: o.utcOffset,
      users: o.users.length,
      tenantAliases: [...new Set([o.domain, o.tenantId, o.customerId.toLowerCase(), o.host.toLowerCase(), o.netbios.toLowerCase()])],
    })),
    campaigns: sim.campaigns.map((c) => c.finish()),
    benign: sim.benign.map((b) => b.stats),
    torExitsFile: 'tor-exits.txt',
    sharedMobileAddresses: [...shared]
      .filter(([, s]) => s.users > 1)
      .map(([ip, s]) => ({ ip, users: s.users, orgs: s.orgs.size }))
      .sort((a, b) => b.users - a.users || a.ip.localeCompare(b.ip)),
  };
}
