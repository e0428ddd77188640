/**
 * Attribution of campaigns: imported indicators (addresses and networks a source attributes to an
 * intrusion set) are the evidence; the behaviour profiles of data/actors.json only add weight or,
 * alone, give a low-confidence lead (never above LEAD_MAX). Addresses shared by everyone (Tor exits,
 * commercial VPN, open proxies) matching an indicator are weak evidence too.
 */
import type { ActorAttribution, Alert } from '../core/types.js';
import type { Campaign, IpInfo } from '../correlate/types.js';
import type { CorrelateResult } from '../correlate/correlate.js';
import { IndicatorMatcher, validAt } from '../intel/matcher.js';
import type { Indicator, IntelActor } from '../intel/types.js';
import { findActor, nameKey, type ActorCatalog, type ActorProfile } from './catalog.js';
import { behaviourMatch, campaignFeatures } from './behaviour.js';

/** below this a campaign is "unattributed" */
export const ATTRIBUTION_THRESHOLD = 0.15;
/** the most a weak feature alone (behaviour, shared exits) may give */
export const LEAD_MAX = 0.3;
const SHARED_EXITS = new Set(['tor', 'vpn', 'proxy']);

export interface AttributeOptions {
  catalog: ActorCatalog;
  indicators?: IndicatorMatcher;
  ipInfo?: IpInfo;
}

interface Evidence {
  actor: IntelActor;
  profile?: ActorProfile;
  specific: Set<string>;
  exits: Set<string>;
  sources: Set<string>;
}

/** Adds `actor` to every campaign and its alerts when the evidence is enough. */
export function attribute(result: CorrelateResult, opts: AttributeOptions): CorrelateResult {
  const alertsOf = new Map<string, Alert[]>();
  for (const a of result.alerts) {
    if (!a.campaignId) continue;
    const l = alertsOf.get(a.campaignId);
    if (l) l.push(a);
    else alertsOf.set(a.campaignId, [a]);
  }
  const actorOf = new Map<string, ActorAttribution>();
  const campaigns = result.campaigns.map((c) => {
    const actor = attributeCampaign(c, alertsOf.get(c.id) ?? [], opts);
    if (!actor) return c;
    actorOf.set(c.id, actor);
    return { ...c, actor };
  });
  const alerts = result.alerts.map((a) => {
    const actor = a.campaignId ? actorOf.get(a.campaignId) : undefined;
    return actor ? { ...a, actor } : a;
  });
  return { campaigns, alerts };
}

export function attributeCampaign(c: Campaign, alerts: Alert[], opts: AttributeOptions): ActorAttribution | undefined {
  const info = opts.ipInfo ?? new Map();
  const evidence = opts.indicators ? indicatorEvidence(c, alerts, opts.indicators, opts.catalog, info) : [];
  const features = campaignFeatures(c);
  let best: ActorAttribution | undefined;
  const consider = (a: ActorAttribution): void => {
    if (!best || a.confidence > best.confidence) best = a;
  };
  const withIndicators = new Set<string>();
  for (const ev of evidence) {
    const key = ev.profile?.id ?? nameKey(ev.actor.name);
    withIndicators.add(key);
    const b = ev.profile ? behaviourMatch(features, ev.profile) : undefined;
    const from = [...ev.sources].sort().join(', ');
    const name = ev.profile?.name ?? ev.actor.name;
    const called = name === ev.actor.name ? '' : ` (which calls it ${ev.actor.name})`;
    const reasons: string[] = [];
    let confidence: number;
    if (ev.specific.size > 0) {
      confidence = 0.5 + 0.1 * Math.min(4, Math.log2(1 + ev.specific.size));
      reasons.push(`${ev.specific.size} of the campaign's ${c.sourceIps.count} source addresses are ${name} infrastructure according to ${from}${called}, valid at the time`);
      if (ev.exits.size > 0) reasons.push(`${ev.exits.size} more are Tor/VPN/proxy exits that intelligence also lists (shared by everyone: little weight)`);
      if (b && b.similarity >= 0.6) {
        confidence += 0.05;
        reasons.push(`behaviour agrees with ${name}'s profile: ${b.details.join('; ')}`);
      }
    } else {
      confidence = Math.min(LEAD_MAX - 0.05, 0.1 * ev.exits.size);
      reasons.push(
        `low-confidence lead: only ${ev.exits.size} Tor/VPN/proxy exit${ev.exits.size === 1 ? '' : 's'} listed as ${name}'s by ${from}${called}; exits are shared by everyone`,
      );
      if (b && b.similarity >= 0.6) {
        confidence += 0.05;
        reasons.push(`behaviour resembles ${name}'s profile: ${b.details.join('; ')}`);
      }
    }
    consider(toAttribution(ev.actor, ev.profile, Math.min(0.95, confidence), reasons));
  }
  if (isAttack(c)) {
    for (const p of opts.catalog.actors) {
      if (withIndicators.has(p.id)) continue;
      const b = behaviourMatch(features, p);
      if (!b || b.similarity < 0.6) continue;
      const reasons = [`low-confidence lead: behaviour resembles ${p.name}'s profile (${b.details.join('; ')}); no indicator`];
      consider(toAttribution({ name: p.name }, p, LEAD_MAX * b.similarity, reasons));
    }
  }
  if (!best || best.confidence < ATTRIBUTION_THRESHOLD) return undefined;
  return { ...best, confidence: Math.round(best.confidence * 100) / 100 };
}

/** a campaign made of attack alerts, big enough that its behaviour says something */
function isAttack(c: Campaign): boolean {
  const attackKinds = c.kinds.some((k) => k === 'distributed_spray' || k === 'password_spray' || k === 'brute_force' || k === 'credential_stuffing');
  return attackKinds && (c.tenants.length >= 2 || c.attempts >= 100);
}

function indicatorEvidence(c: Campaign, alerts: Alert[], matcher: IndicatorMatcher, catalog: ActorCatalog, info: IpInfo): Evidence[] {
  const byActor = new Map<string, Evidence>();
  const seen = new Set<string>();
  for (const a of alerts) {
    for (const ip of a.sourceIps) {
      if (seen.has(ip)) continue;
      seen.add(ip);
      const hits = matcher.match(ip).filter((i: Indicator) => validAt(i, c.firstSeen, c.lastSeen));
      for (const ind of hits) {
        for (const actor of ind.actors) {
          const profile = findActor(catalog, actor);
          const key = profile?.id ?? nameKey(actor.name);
          let ev = byActor.get(key);
          if (!ev) byActor.set(key, (ev = { actor, profile, specific: new Set(), exits: new Set(), sources: new Set() }));
          const anon = info.get(ip)?.anonymizer;
          if (anon && SHARED_EXITS.has(anon)) ev.exits.add(ip);
          else ev.specific.add(ip);
          ev.sources.add(ind.source);
        }
      }
    }
  }
  return [...byActor.values()];
}

function toAttribution(actor: IntelActor, profile: ActorProfile | undefined, confidence: number, reasons: string[]): ActorAttribution {
  const name = profile?.name ?? actor.name;
  const aliases = [...new Set([...(profile?.aliases ?? []), ...(actor.aliases ?? [])])].filter((a) => a !== name);
  const attackId = profile?.attackId ?? actor.attackId;
  return attackId ? { name, aliases, attackId, confidence, reasons } : { name, aliases, confidence, reasons };
}
