/**
 * Campaigns as a STIX 2.1 bundle: the producer's identity, one identity per targeted organization,
 * the campaign, the ATT&CK techniques it used, an indicator per attacking address (or per /24 or
 * /48 network beyond `maxIndicators`), a sighting of each indicator by the organizations that saw
 * it, and when attributed the intrusion set. TLP:AMBER by default: sharing more widely is a choice.
 */
import type { Alert } from '../core/types.js';
import type { Campaign } from '../correlate/types.js';
import type { IpInfo } from '../correlate/types.js';
import { networkOf } from '../correlate/prefix.js';
import { stixId, stixTime } from './stix-ids.js';

export type Tlp = 'white' | 'green' | 'amber' | 'red';

/** TLP 1.0 marking definitions predefined by the STIX 2.1 specification */
const TLP: Record<Tlp, string> = {
  white: 'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9',
  green: 'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da',
  amber: 'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82',
  red: 'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed',
};
/** an address or network in canonical text: nothing that could break out of a pattern's quotes */
const SAFE_VALUE = /^[0-9a-fA-F:.]{2,45}(\/\d{1,3})?$/;
const TLP_CREATED = '2017-01-20T00:00:00.000Z';

const TECHNIQUE_NAMES: Record<string, { name: string; tactic: string }> = {
  'T1110.001': { name: 'Brute Force: Password Guessing', tactic: 'credential-access' },
  'T1110.003': { name: 'Brute Force: Password Spraying', tactic: 'credential-access' },
  'T1110.004': { name: 'Brute Force: Credential Stuffing', tactic: 'credential-access' },
  T1078: { name: 'Valid Accounts', tactic: 'initial-access' },
  'T1078.004': { name: 'Valid Accounts: Cloud Accounts', tactic: 'initial-access' },
  T1621: { name: 'Multi-Factor Authentication Request Generation', tactic: 'credential-access' },
  'T1090.003': { name: 'Proxy: Multi-hop Proxy', tactic: 'command-and-control' },
};

export type StixObject = Record<string, unknown> & { type: string; id: string };

export interface StixBundle {
  type: 'bundle';
  id: string;
  objects: StixObject[];
}

export interface StixExportOptions {
  /** the producing organization's name (default "Vigil") */
  producer?: string;
  tlp?: Tlp;
  /** creation time of the objects (default now) */
  now?: number;
  ipInfo?: IpInfo;
  /** above this many addresses a campaign's indicators are its /24 (/48) networks (default 5000) */
  maxIndicators?: number;
}

interface Seen {
  first: number;
  last: number;
  alerts: number;
  tenants: Set<string>;
}

export function campaignsToStix(campaigns: Campaign[], alerts: Alert[], opts: StixExportOptions = {}): StixBundle {
  const producerName = opts.producer ?? 'Vigil';
  const created = stixTime(opts.now ?? Date.now());
  const tlp = opts.tlp ?? 'amber';
  const producer = stixId('identity', 'producer', producerName);
  const marking = [TLP[tlp]];
  const common = { spec_version: '2.1', created, modified: created, created_by_ref: producer, object_marking_refs: marking };
  const objects = new Map<string, StixObject>();
  const put = (o: StixObject): string => {
    if (!objects.has(o.id)) objects.set(o.id, o);
    return o.id;
  };
  put({ type: 'marking-definition', spec_version: '2.1', id: TLP[tlp], created: TLP_CREATED, definition_type: 'tlp', name: `TLP:${tlp.toUpperCase()}`, definition: { tlp } });
  put({ type: 'identity', spec_version: '2.1', id: producer, created, modified: created, name: producerName, identity_class: 'organization', object_marking_refs: marking });
  const relate = (from: string, type: string, to: string, extra: Record<string, unknown> = {}): void => {
    put({ type: 'relationship', id: stixId('relationship', from, type, to), ...common, relationship_type: type, source_ref: from, target_ref: to, ...extra });
  };

  const byCampaign = new Map<string, Alert[]>();
  for (const a of alerts) {
    if (!a.campaignId) continue;
    const l = byCampaign.get(a.campaignId);
    if (l) l.push(a);
    else byCampaign.set(a.campaignId, [a]);
  }

  for (const c of campaigns) {
    const cid = put({
      type: 'campaign',
      id: stixId('campaign', c.id),
      ...common,
      name: c.name,
      description: describe(c),
      first_seen: stixTime(c.firstSeen),
      last_seen: stixTime(c.lastSeen),
      external_references: [{ source_name: 'vigil', external_id: c.id }],
    });
    const orgIds = new Map<string, string>();
    for (const t of c.tenants) {
      const oid = put({ type: 'identity', id: stixId('identity', 'target', t), ...common, name: t, identity_class: 'organization' });
      orgIds.set(t, oid);
      relate(cid, 'targets', oid);
    }
    for (const t of c.techniques) {
      const known = TECHNIQUE_NAMES[t];
      const aid = put({
        type: 'attack-pattern',
        id: stixId('attack-pattern', t),
        ...common,
        name: known?.name ?? t,
        external_references: [{ source_name: 'mitre-attack', external_id: t, url: `https://attack.mitre.org/techniques/${t.replace('.', '/')}/` }],
        ...(known ? { kill_chain_phases: [{ kill_chain_name: 'mitre-attack', phase_name: known.tactic }] } : {}),
      });
      relate(cid, 'uses', aid);
    }
    if (c.actor) {
      const isId = put({
        type: 'intrusion-set',
        id: stixId('intrusion-set', c.actor.attackId ?? c.actor.name),
        ...common,
        name: c.actor.name,
        ...(c.actor.aliases.length > 0 ? { aliases: c.actor.aliases } : {}),
        ...(c.actor.attackId
          ? { external_references: [{ source_name: 'mitre-attack', external_id: c.actor.attackId, url: `https://attack.mitre.org/groups/${c.actor.attackId}/` }] }
          : {}),
      });
      relate(cid, 'attributed-to', isId, { confidence: Math.round(c.actor.confidence * 100), description: c.actor.reasons.join(' ') });
    }
    const seen = sightings(byCampaign.get(c.id) ?? [], opts.maxIndicators ?? 5000);
    for (const [value, s] of seen) {
      if (!SAFE_VALUE.test(value)) continue;
      const anon = opts.ipInfo?.get(value)?.anonymizer;
      const iid = put({
        type: 'indicator',
        id: stixId('indicator', c.id, value),
        ...common,
        name: `${value} in ${c.name}`,
        indicator_types: anon === 'tor' || anon === 'vpn' || anon === 'proxy' ? ['anonymization', 'malicious-activity'] : ['malicious-activity'],
        pattern: patternFor(value),
        pattern_type: 'stix',
        pattern_version: '2.1',
        valid_from: stixTime(s.first),
      });
      relate(iid, 'indicates', cid);
      const where = [...s.tenants].map((t) => orgIds.get(t)).filter((x): x is string => x !== undefined);
      put({
        type: 'sighting',
        id: stixId('sighting', c.id, value),
        ...common,
        sighting_of_ref: iid,
        first_seen: stixTime(s.first),
        last_seen: stixTime(Math.max(s.first, s.last)),
        count: Math.min(999_999_999, s.alerts),
        ...(where.length > 0 ? { where_sighted_refs: where } : {}),
        summary: false,
      });
    }
  }
  return { type: 'bundle', id: stixId('bundle', producerName, created, ...campaigns.map((c) => c.id)), objects: [...objects.values()] };
}

function describe(c: Campaign): string {
  const parts = [
    `${c.kinds.join(', ')} against ${c.tenants.length} organization(s) and ${c.userCount} account(s)`,
    `${c.sourceIps.count} source address(es)`,
    `${c.attempts} attempts, ${c.successes} successful`,
  ];
  if (c.anonymizerShare.tor > 0) parts.push(`${Math.round(c.anonymizerShare.tor * 100)}% Tor exits`);
  return `${parts.join('; ')}.`;
}

/** address or network → where and when alerts saw it; per network when there are too many addresses */
function sightings(alerts: Alert[], max: number): Map<string, Seen> {
  const ips = new Set<string>();
  for (const a of alerts) for (const ip of a.sourceIps) ips.add(ip);
  const byNetwork = ips.size > max;
  const out = new Map<string, Seen>();
  for (const a of alerts) {
    const keys = new Set(a.sourceIps.map((ip) => (byNetwork ? networkOf(ip) || ip : ip)));
    for (const k of keys) {
      const s = out.get(k);
      if (s) {
        s.first = Math.min(s.first, a.firstSeen);
        s.last = Math.max(s.last, a.lastSeen);
        s.alerts++;
        s.tenants.add(a.tenant);
      } else out.set(k, { first: a.firstSeen, last: a.lastSeen, alerts: 1, tenants: new Set([a.tenant]) });
    }
  }
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function patternFor(value: string): string {
  const v6 = value.includes(':');
  const type = v6 ? 'ipv6-addr' : 'ipv4-addr';
  return value.includes('/') ? `[${type}:value ISSUBSET '${value}']` : `[${type}:value = '${value}']`;
}
