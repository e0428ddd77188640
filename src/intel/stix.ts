/**
 * STIX 2.1 bundles → indicators. Reads indicator patterns that name addresses, networks, domains or
 * URLs (`=` and `ISSUBSET` comparisons joined by OR, inside one or several observation brackets),
 * intrusion-sets and threat-actors, and the relationships that tie an indicator to an actor:
 * indicator indicates intrusion-set / threat-actor / campaign, campaign attributed-to intrusion-set,
 * intrusion-set attributed-to threat-actor. Patterns with AND, FOLLOWEDBY or qualifiers are not
 * plain lists of infrastructure and are skipped.
 */
import { obj, str } from '../core/normalize.js';
import { canonicalAddress, parseCidrText } from './matcher.js';
import type { Indicator, IndicatorKind, IntelActor } from './types.js';

export interface IntelParse {
  indicators: Indicator[];
  /** objects or entries that could not be used, with why (bounded) */
  skipped: number;
  problems: string[];
}

const MAX_PROBLEMS = 20;
const MAX_PATTERN = 100_000;
const COMPARISON = /(ipv4-addr|ipv6-addr|domain-name|url):value\s{0,8}(=|ISSUBSET)\s{0,8}'((?:[^'\\]|\\.){0,2048})'/g;
const UNSUPPORTED = /\b(AND|FOLLOWEDBY|WITHIN|REPEATS|START|STOP|NOT|MATCHES|LIKE|IN)\b|!=|<|>/;

/** the comparisons of a STIX pattern as indicator kinds and values; undefined when unsupported */
export function patternValues(pattern: string): Array<{ kind: IndicatorKind; value: string }> | undefined {
  if (pattern.length > MAX_PATTERN) return undefined;
  // quoted values may contain anything; look for operators outside them only
  const outside = pattern.replace(/'(?:[^'\\]|\\.){0,2048}'/g, "''");
  if (UNSUPPORTED.test(outside)) return undefined;
  const out: Array<{ kind: IndicatorKind; value: string }> = [];
  for (const m of pattern.matchAll(COMPARISON)) {
    const type = m[1];
    const raw = (m[3] ?? '').replace(/\\(.)/g, '$1');
    if (type === 'ipv4-addr' || type === 'ipv6-addr') {
      if (raw.includes('/')) {
        const p = parseCidrText(raw);
        if (!p) return undefined;
        const full = p[0].kind() === 'ipv4' ? 32 : 128;
        out.push(p[1] === full ? { kind: 'ip', value: p[0].toString() } : { kind: 'cidr', value: `${p[0].toString()}/${p[1]}` });
      } else {
        const ip = canonicalAddress(raw);
        if (!ip) return undefined;
        out.push({ kind: 'ip', value: ip });
      }
    } else if (type === 'domain-name') out.push({ kind: 'domain', value: raw.toLowerCase() });
    else out.push({ kind: 'url', value: raw });
  }
  return out.length > 0 ? out : undefined;
}

function time(v: unknown): number | undefined {
  const s = str(v);
  if (!s || s.length > 40) return undefined;
  const t = Date.parse(s);
  return Number.isFinite(t) ? t : undefined;
}

function actorFrom(o: Record<string, unknown>): IntelActor | undefined {
  const name = str(o.name);
  if (!name) return undefined;
  const aliases = Array.isArray(o.aliases) ? o.aliases.filter((a): a is string => typeof a === 'string').slice(0, 100) : [];
  let attackId: string | undefined;
  if (Array.isArray(o.external_references)) {
    for (const r of o.external_references) {
      const ref = obj(r);
      if (ref && ref.source_name === 'mitre-attack' && typeof ref.external_id === 'string' && /^G\d{4}$/.test(ref.external_id)) attackId = ref.external_id;
    }
  }
  const id = str(o.id);
  return { name, aliases, ...(attackId ? { attackId } : {}), ...(id?.startsWith('intrusion-set--') ? { stixId: id } : {}) };
}

export function parseStixBundle(input: unknown, source: string): IntelParse {
  const problems: string[] = [];
  let skipped = 0;
  const note = (p: string): void => {
    skipped++;
    if (problems.length < MAX_PROBLEMS) problems.push(p);
  };
  const bundle = obj(input);
  const objects = bundle && Array.isArray(bundle.objects) ? bundle.objects : Array.isArray(input) ? input : undefined;
  if (!objects) return { indicators: [], skipped: 1, problems: [`${source}: not a STIX bundle (no objects array)`] };
  const actors = new Map<string, IntelActor>();
  const edges = new Map<string, string[]>();
  const indicators: Array<Record<string, unknown>> = [];
  for (const raw of objects) {
    const o = obj(raw);
    const type = o ? str(o.type) : undefined;
    if (!o || !type) {
      note('object without a type');
      continue;
    }
    if (type === 'intrusion-set' || type === 'threat-actor') {
      const a = actorFrom(o);
      const id = str(o.id);
      if (a && id) actors.set(id, a);
      else note(`${id ?? type}: ${type} without a name or id`);
    } else if (type === 'relationship') {
      const rt = str(o.relationship_type);
      const from = str(o.source_ref);
      const to = str(o.target_ref);
      if ((rt === 'indicates' || rt === 'attributed-to') && from && to) {
        const l = edges.get(from);
        if (l) l.push(to);
        else edges.set(from, [to]);
      }
    } else if (type === 'indicator') indicators.push(o);
  }
  /** actors reached from an object through indicates / attributed-to, at most a few hops */
  const reach = (id: string, depth = 0, seen = new Set<string>()): IntelActor[] => {
    if (depth > 4 || seen.has(id)) return [];
    seen.add(id);
    const own = actors.get(id);
    const found = own ? [own] : [];
    for (const next of edges.get(id) ?? []) found.push(...reach(next, depth + 1, seen));
    return found;
  };
  const out: Indicator[] = [];
  for (const o of indicators) {
    const id = str(o.id) ?? '';
    const pattern = str(o.pattern);
    if (!pattern || (o.pattern_type !== undefined && o.pattern_type !== 'stix')) {
      note(`${id || 'indicator'}: no STIX pattern`);
      continue;
    }
    const values = patternValues(pattern);
    if (!values) {
      note(`${id || 'indicator'}: pattern is not a list of addresses, networks, domains or URLs`);
      continue;
    }
    const validFrom = time(o.valid_from);
    const validUntil = time(o.valid_until);
    const seenActors = new Map<string, IntelActor>();
    for (const a of reach(id)) seenActors.set(a.stixId ?? a.name, a);
    for (const v of values) {
      out.push({ ...v, actors: [...seenActors.values()], source, validFrom, validUntil, ref: id || undefined });
    }
  }
  return { indicators: out, skipped, problems };
}
