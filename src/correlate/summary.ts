/** A campaign's description from its alerts: targets, infrastructure, time span, a name. */
import type { Alert, AlertKind, Anonymizer, Severity } from '../core/types.js';
import { SEVERITY_RANK } from '../core/types.js';
import type { Campaign, CampaignLink, IpInfo } from './types.js';

const MAX_USERS_PER_TENANT = 200;
const IP_SAMPLE = 20;
const TOP_ASNS = 10;
const TOP_UAS = 3;

const KIND_NAMES: Partial<Record<AlertKind, string>> = {
  distributed_spray: 'Distributed password spray',
  password_spray: 'Password spray',
  brute_force: 'Brute force',
  credential_stuffing: 'Credential stuffing',
  mfa_fatigue: 'MFA fatigue',
  intel_match: 'Known-bad infrastructure',
};
/** the kind that names a campaign, most telling first */
const NAMING_ORDER: AlertKind[] = ['distributed_spray', 'credential_stuffing', 'password_spray', 'brute_force', 'mfa_fatigue', 'intel_match'];

export function summarize(id: string, alerts: Alert[], links: CampaignLink[], info: IpInfo): Campaign {
  const kinds = new Set<AlertKind>();
  const techniques = new Set<string>();
  const users = new Map<string, Set<string>>();
  const ips = new Set<string>();
  let severity: Severity = 'low';
  let firstSeen = Infinity;
  let lastSeen = -Infinity;
  let attempts = 0;
  let successes = 0;
  for (const a of alerts) {
    kinds.add(a.kind);
    techniques.add(a.technique);
    if (SEVERITY_RANK[a.severity] > SEVERITY_RANK[severity]) severity = a.severity;
    firstSeen = Math.min(firstSeen, a.firstSeen);
    lastSeen = Math.max(lastSeen, a.lastSeen);
    attempts += a.evidence.attempts;
    successes += a.evidence.successes;
    let set = users.get(a.tenant);
    if (!set) users.set(a.tenant, (set = new Set()));
    for (const u of a.users) set.add(u);
    for (const ip of a.sourceIps) ips.add(ip);
  }
  const usersByTenant: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  let userCount = 0;
  for (const [t, set] of [...users].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    userCount += set.size;
    usersByTenant[t] = [...set].sort().slice(0, MAX_USERS_PER_TENANT);
  }
  const asnCount = new Map<number, number>();
  const uaCount = new Map<string, number>();
  const anon: Record<Anonymizer, number> = { tor: 0, hosting: 0, vpn: 0, proxy: 0 };
  let known = 0;
  for (const ip of ips) {
    const f = info.get(ip);
    if (!f) continue;
    known++;
    if (f.asn !== undefined) asnCount.set(f.asn, (asnCount.get(f.asn) ?? 0) + 1);
    if (f.anonymizer) anon[f.anonymizer]++;
    if (f.userAgent) uaCount.set(f.userAgent, (uaCount.get(f.userAgent) ?? 0) + 1);
  }
  const share = (n: number): number => (known === 0 ? 0 : Math.round((n / known) * 1000) / 1000);
  const tenants = Object.keys(usersByTenant);
  const sortedKinds = [...kinds].sort();
  return {
    id,
    name: nameFor(sortedKinds, tenants.length, firstSeen),
    kinds: sortedKinds,
    techniques: [...techniques].sort(),
    severity,
    tenants,
    usersByTenant,
    userCount,
    sourceIps: { count: ips.size, sample: [...ips].sort().slice(0, IP_SAMPLE) },
    asns: [...asnCount]
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .slice(0, TOP_ASNS)
      .map(([asn, addresses]) => ({ asn, addresses })),
    userAgents: [...uaCount]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, TOP_UAS)
      .map(([userAgent, addresses]) => ({ userAgent: userAgent.slice(0, 512), addresses })),
    anonymizerShare: { tor: share(anon.tor), hosting: share(anon.hosting), vpn: share(anon.vpn), proxy: share(anon.proxy) },
    firstSeen,
    lastSeen,
    alertIds: alerts.map((a) => a.id).sort(),
    attempts,
    successes,
    links,
  };
}

function nameFor(kinds: AlertKind[], orgs: number, start: number): string {
  const lead = NAMING_ORDER.find((k) => kinds.includes(k)) ?? kinds[0];
  const what = (lead && KIND_NAMES[lead]) ?? (lead ? lead.replace(/_/g, ' ') : 'activity');
  const day = Number.isFinite(start) ? new Date(start).toISOString().slice(0, 10) : 'unknown date';
  return `${what} against ${orgs} organization${orgs === 1 ? '' : 's'} from ${day}`;
}
