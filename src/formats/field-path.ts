import { RecordError } from '../core/errors.js';
import { clip, obj } from '../core/normalize.js';
import type { AuthEvent, Geo } from '../core/types.js';

/** Deepest nesting getPath follows; JSON from logs never needs more, hostile input cannot recurse far. */
const MAX_PARTS = 8;

/** A path split into its parts, and for each position the flattened keys that could start there. */
interface SplitPath {
  parts: readonly string[];
  /** flats[i]: "p[i].p[i+1]…p[n-1]" for n from the end down to i+2, longest first */
  flats: readonly (readonly string[])[];
}

/** Split paths, by path text: paths are constants in parser code, so this stays small. */
const SPLIT = new Map<string, SplitPath>();

function split(path: string): SplitPath | undefined {
  const parts = path.split('.');
  if (parts.length > MAX_PARTS) return undefined;
  const flats = parts.map((_, i) => {
    const out: string[] = [];
    for (let n = parts.length; n > i + 1; n--) out.push(parts.slice(i, n).join('.'));
    return out;
  });
  return { parts, flats };
}

/**
 * Value at a dotted path in parsed JSON, whether the record nests it ({"event":{"code":1}}), flattens
 * it ({"event.code":1}) or mixes both. Own properties only, so `__proto__`/`constructor` never leak in.
 */
export function getPath(root: unknown, path: string): unknown {
  let sp = SPLIT.get(path);
  if (!sp) {
    sp = split(path);
    if (!sp) return undefined;
    if (SPLIT.size < 1000) SPLIT.set(path, sp);
  }
  return lookup(root, sp, 0);
}

function lookup(node: unknown, sp: SplitPath, i: number): unknown {
  const parts = sp.parts;
  if (i === parts.length) return node;
  const o = obj(node);
  if (!o) return undefined;
  const key = parts[i] ?? '';
  // nested first: the common shape, and cheap
  if (Object.hasOwn(o, key)) {
    const v = lookup(o[key], sp, i + 1);
    if (v !== undefined) return v;
  }
  // then flattened keys, longest first: a few hash lookups with prebuilt strings
  const flats = sp.flats[i] ?? [];
  for (let k = 0; k < flats.length; k++) {
    const flat = flats[k]!;
    if (Object.hasOwn(o, flat)) {
      const v = lookup(o[flat], sp, parts.length - k);
      if (v !== undefined) return v;
    }
  }
  return undefined;
}

function absent(v: unknown): v is undefined | null {
  return v === undefined || v === null;
}

/** A string field that may be absent; any other type is a malformed record. */
export function optString(root: unknown, path: string): string | undefined {
  const v = getPath(root, path);
  if (absent(v)) return undefined;
  if (typeof v === 'string') return v;
  throw new RecordError(`${path}: expected a string, got ${typeName(v)}`);
}

/** An id-like field: string or number (vendors disagree), returned as text. */
export function optText(root: unknown, path: string): string | undefined {
  const v = getPath(root, path);
  if (absent(v)) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  throw new RecordError(`${path}: expected a string or number, got ${typeName(v)}`);
}

/** A number field that may arrive as a numeric string; other types are malformed. */
export function optNumber(root: unknown, path: string): number | undefined {
  const v = getPath(root, path);
  if (absent(v) || v === '') return undefined;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.length < 32 && Number.isFinite(Number(v))) return Number(v);
  throw new RecordError(`${path}: expected a number, got ${typeName(v)}`);
}

/** A number for enrichment only (ASN, coordinates): wrong types are dropped, not fatal. */
export function looseNumber(root: unknown, path: string): number | undefined {
  const v = getPath(root, path);
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && v.length < 32 && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

/** A string for enrichment only (city, AS name, user agent): wrong types are dropped, not fatal. */
export function looseString(root: unknown, path: string): string | undefined {
  const v = getPath(root, path);
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
}

export function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** Where a format keeps the source network and location of a sign-in. */
export interface NetworkPaths {
  asn: string;
  asOrg: string;
  country: string;
  city: string;
  lat: string;
  lon: string;
  /** longest country value kept: ISO codes are 2, Okta writes names */
  countryMax?: number;
}

/**
 * Copy the record's own ASN, AS organization and location onto the event: values the identity
 * provider gives are better than any offline lookup. Coordinates only when both are in range.
 */
export function applyNetwork(r: Record<string, unknown>, ev: AuthEvent, p: NetworkPaths): void {
  const asn = looseNumber(r, p.asn);
  if (asn !== undefined && Number.isInteger(asn) && asn > 0) ev.asn = asn;
  const asOrg = clip(looseString(r, p.asOrg), 128);
  if (asOrg) ev.asOrg = asOrg;
  const g: Geo = {};
  const country = clip(looseString(r, p.country), p.countryMax ?? 8);
  const city = clip(looseString(r, p.city), 64);
  const lat = looseNumber(r, p.lat);
  const lon = looseNumber(r, p.lon);
  if (country) g.country = country;
  if (city) g.city = city;
  if (lat !== undefined && lon !== undefined && Math.abs(lat) <= 90 && Math.abs(lon) <= 180) {
    g.lat = lat;
    g.lon = lon;
  }
  if (Object.keys(g).length > 0) ev.geo = g;
}
