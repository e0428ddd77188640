/**
 * MISP event JSON (one event, `{response: [...]}`, or an array of events) → indicators. Address
 * attributes (ip-src, ip-dst, with `|port`), domains, hostnames and URLs, in the event and its
 * objects; actors from threat-actor galaxy clusters and `misp-galaxy:threat-actor="…"` tags.
 */
import { obj, str } from '../core/normalize.js';
import { canonicalAddress, parseCidrText } from './matcher.js';
import type { IntelParse } from './stix.js';
import type { Indicator, IndicatorKind, IntelActor } from './types.js';

const TAG = /^misp-galaxy:(?:threat-actor|mitre-intrusion-set|microsoft-activity-group)="([^"]{1,100})"$/;
const MAX_ATTRIBUTES = 5_000_000;

function events(input: unknown): Array<Record<string, unknown>> {
  const list: unknown[] = Array.isArray(input) ? input : [input];
  const out: Array<Record<string, unknown>> = [];
  for (const item of list) {
    const o = obj(item);
    if (!o) continue;
    if (Array.isArray(o.response)) out.push(...events(o.response));
    else {
      const ev = obj(o.Event) ?? (Array.isArray(o.Attribute) ? o : undefined);
      if (ev) out.push(ev);
    }
  }
  return out;
}

function actorsOf(ev: Record<string, unknown>): IntelActor[] {
  const found = new Map<string, IntelActor>();
  for (const g of Array.isArray(ev.Galaxy) ? ev.Galaxy : []) {
    const galaxy = obj(g);
    if (!galaxy || !Array.isArray(galaxy.GalaxyCluster)) continue;
    const type = str(galaxy.type) ?? '';
    if (!/threat-actor|intrusion-set|activity-group/.test(type)) continue;
    for (const c of galaxy.GalaxyCluster) {
      const cluster = obj(c);
      const value = cluster ? str(cluster.value) : undefined;
      if (!cluster || !value) continue;
      const meta = obj(cluster.meta);
      const syn = meta && Array.isArray(meta.synonyms) ? meta.synonyms.filter((s): s is string => typeof s === 'string').slice(0, 100) : [];
      const name = value.replace(/\s-\sG\d{4}$/, '');
      const gid = /G\d{4}$/.exec(value)?.[0];
      found.set(name, { name, aliases: syn, ...(gid ? { attackId: gid } : {}) });
    }
  }
  for (const t of Array.isArray(ev.Tag) ? ev.Tag : []) {
    const name = str(obj(t)?.name);
    const m = name ? TAG.exec(name) : null;
    if (m?.[1]) {
      const n = m[1].replace(/\s-\sG\d{4}$/, '');
      if (!found.has(n)) found.set(n, { name: n });
    }
  }
  return [...found.values()];
}

function valueOf(type: string, value: string): { kind: IndicatorKind; value: string } | undefined {
  const base = type.replace(/\|port$/, '');
  if (base === 'ip-src' || base === 'ip-dst') {
    const v = type.endsWith('|port') ? value.slice(0, value.lastIndexOf('|')) : value;
    if (v.includes('/')) {
      const p = parseCidrText(v);
      return p ? { kind: 'cidr', value: `${p[0].toString()}/${p[1]}` } : undefined;
    }
    const ip = canonicalAddress(v);
    return ip ? { kind: 'ip', value: ip } : undefined;
  }
  if (base === 'domain' || base === 'hostname') return value.length <= 253 ? { kind: 'domain', value: value.toLowerCase() } : undefined;
  if (base === 'url') return value.length <= 8192 ? { kind: 'url', value } : undefined;
  return undefined;
}

export function parseMispEvents(input: unknown, source: string): IntelParse {
  const out: Indicator[] = [];
  let skipped = 0;
  const problems: string[] = [];
  const evs = events(input);
  if (evs.length === 0) return { indicators: [], skipped: 1, problems: [`${source}: no MISP Event found`] };
  let count = 0;
  for (const ev of evs) {
    const actors = actorsOf(ev);
    const attrs: unknown[] = Array.isArray(ev.Attribute) ? [...ev.Attribute] : [];
    for (const o of Array.isArray(ev.Object) ? ev.Object : []) {
      const mo = obj(o);
      if (mo && Array.isArray(mo.Attribute)) attrs.push(...mo.Attribute);
    }
    for (const a of attrs) {
      if (++count > MAX_ATTRIBUTES) break;
      const at = obj(a);
      const type = at ? str(at.type) : undefined;
      const value = at ? str(at.value) : undefined;
      if (!at || !type || !value) {
        skipped++;
        continue;
      }
      const v = valueOf(type, value);
      if (!v) {
        if (/^ip-(src|dst)/.test(type)) {
          skipped++;
          if (problems.length < 20) problems.push(`${str(at.uuid) ?? type}: not an address: ${value.slice(0, 60)}`);
        }
        continue;
      }
      const own = actorsOf(at);
      const ts = Number(str(at.first_seen) ? Date.parse(str(at.first_seen)!) : NaN);
      const until = Number(str(at.last_seen) ? Date.parse(str(at.last_seen)!) : NaN);
      out.push({
        ...v,
        actors: own.length > 0 ? own : actors,
        source,
        ...(Number.isFinite(ts) ? { validFrom: ts } : {}),
        ...(Number.isFinite(until) ? { validUntil: until } : {}),
        ref: str(at.uuid),
      });
    }
  }
  return { indicators: out, skipped, problems };
}
