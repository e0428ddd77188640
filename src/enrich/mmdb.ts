/**
 * MMDB files (`--geo-db FILE`): MaxMind GeoLite2/GeoIP2 City, Country, ASN, Anonymous-IP,
 * IPinfo, and ip-location-db's flat records. One adapter reads every known record shape, so a
 * file is usable whatever its databaseType says; the type is kept for `describe()`.
 */
import maxmind, { type Reader, type Response } from 'maxmind';
import type { Anonymizer } from '../core/types.js';
import { VigilError } from '../core/errors.js';
import { clip, num, obj } from '../core/normalize.js';
import { unreadable } from './files.js';

/** What an address lookup can tell. */
export interface IpInfo {
  country?: string;
  city?: string;
  lat?: number;
  lon?: number;
  asn?: number;
  asOrg?: string;
  anonymizer?: Anonymizer;
}

export type MmdbKind = 'city' | 'country' | 'asn' | 'anonymous-ip' | 'ipinfo' | 'other';

function countryCode(v: unknown): string | undefined {
  if (typeof v !== 'string' || v.length !== 2) return undefined;
  const cc = v.toUpperCase();
  const a = cc.charCodeAt(0);
  const b = cc.charCodeAt(1);
  if (a < 65 || a > 90 || b < 65 || b > 90 || cc === 'ZZ') return undefined;
  return cc;
}

function text(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  return t === '' ? undefined : clip(t, 200);
}

/** "AS15169" or "15169" or 15169 → 15169 */
function asNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && v > 0 && v <= 0xffffffff ? v : undefined;
  if (typeof v !== 'string') return undefined;
  let s = v.trim();
  if (s.length > 2 && (s[0] === 'A' || s[0] === 'a') && (s[1] === 'S' || s[1] === 's')) s = s.slice(2);
  if (s === '' || s.length > 10) return undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  const n = Number(s);
  return n > 0 && n <= 0xffffffff ? n : undefined;
}

/** IPinfo's legacy `org`: "AS15169 Google LLC" → [15169, "Google LLC"] */
function splitAsOrg(v: unknown): [number | undefined, string | undefined] {
  if (typeof v !== 'string') return [undefined, undefined];
  const sp = v.indexOf(' ');
  if (sp < 3 || !/^AS\d{1,10}$/i.test(v.slice(0, sp))) return [undefined, text(v)];
  return [asNumber(v.slice(0, sp)), text(v.slice(sp + 1))];
}

function coordinate(v: unknown, limit: number): number | undefined {
  const n = num(v);
  return n !== undefined && n >= -limit && n <= limit ? n : undefined;
}

function flag(o: Record<string, unknown> | undefined, key: string): boolean {
  return o !== undefined && o[key] === true;
}

/** MaxMind Anonymous-IP / GeoIP2 traits and IPinfo privacy flags → one tag, strongest first. */
function anonymizerOf(o: Record<string, unknown>): Anonymizer | undefined {
  const traits = obj(o.traits);
  const any = (...keys: string[]): boolean => keys.some((k) => flag(o, k) || flag(traits, k));
  if (any('is_tor_exit_node', 'tor')) return 'tor';
  if (any('is_anonymous_vpn', 'vpn')) return 'vpn';
  if (any('is_public_proxy', 'is_residential_proxy', 'proxy')) return 'proxy';
  if (any('is_hosting_provider', 'hosting')) return 'hosting';
  // IPinfo ASN records: {"asn":"AS…","type":"hosting"}
  if (o.type === 'hosting' && o.asn !== undefined) return 'hosting';
  return undefined;
}

/**
 * Any known MMDB record shape → IpInfo. Pure; never throws. Fields the record does not carry stay
 * undefined.
 */
export function adaptRecord(rec: unknown): IpInfo {
  const o = obj(rec);
  const out: IpInfo = {};
  if (!o) return out;
  const traits = obj(o.traits);

  const country =
    countryCode(obj(o.country)?.iso_code) ??
    countryCode(o.country_code) ??
    countryCode(o.country) ??
    countryCode(obj(o.registered_country)?.iso_code);
  if (country) out.country = country;

  const city = text(obj(obj(o.city)?.names)?.en) ?? text(o.city);
  if (city) out.city = city;

  const loc = obj(o.location);
  const lat = coordinate(loc?.latitude ?? o.latitude ?? o.lat, 90);
  const lon = coordinate(loc?.longitude ?? o.longitude ?? o.lng ?? o.lon, 180);
  if (lat !== undefined && lon !== undefined) {
    out.lat = lat;
    out.lon = lon;
  }

  const [orgAsn, orgName] = splitAsOrg(o.org);
  const asn =
    asNumber(o.autonomous_system_number) ?? asNumber(traits?.autonomous_system_number) ?? asNumber(o.asn) ?? orgAsn;
  if (asn !== undefined) {
    out.asn = asn;
    const asOrg =
      text(o.autonomous_system_organization) ??
      text(traits?.autonomous_system_organization) ??
      text(o.as_name) ??
      text(o.as_organization) ??
      text(o.as_org) ??
      orgName ??
      // IPinfo ASN database: {"asn":"AS15169","name":"Google LLC",...}
      (o.asn !== undefined ? text(o.name) : undefined);
    if (asOrg) out.asOrg = asOrg;
  }

  const anon = anonymizerOf(o);
  if (anon) out.anonymizer = anon;
  return out;
}

export function kindOf(databaseType: string): MmdbKind {
  const t = databaseType.toLowerCase();
  if (t.includes('ipinfo')) return 'ipinfo';
  if (t.includes('anonymous')) return 'anonymous-ip';
  if (t.includes('asn')) return 'asn';
  if (t.includes('city')) return 'city';
  if (t.includes('country')) return 'country';
  return 'other';
}

export interface MmdbDb {
  readonly file: string;
  readonly kind: MmdbKind;
  readonly databaseType: string;
  /** metadata.buildEpoch: when the data was built (for `vigil doctor`) */
  readonly buildDate: Date | undefined;
  readonly nodeCount: number;
  lookup(ip: string): IpInfo | undefined;
}

/** Wraps an opened reader. Lookups of addresses the file cannot hold return undefined. */
export function wrapReader(file: string, reader: Reader<Response>): MmdbDb {
  const md = reader.metadata;
  const buildDate = md.buildEpoch instanceof Date && Number.isFinite(md.buildEpoch.getTime()) ? md.buildEpoch : undefined;
  const databaseType = typeof md.databaseType === 'string' ? md.databaseType : '';
  return {
    file,
    kind: kindOf(databaseType),
    databaseType,
    buildDate,
    nodeCount: md.nodeCount,
    lookup(ip: string): IpInfo | undefined {
      let rec: unknown;
      try {
        rec = reader.get(ip);
      } catch {
        // an IPv6 address against an IPv4-only file, or text the reader refuses
        return undefined;
      }
      return rec === null || rec === undefined ? undefined : adaptRecord(rec);
    },
  };
}

export async function openMmdb(file: string): Promise<MmdbDb> {
  let reader: Reader<Response>;
  try {
    // our own per-IP cache sits in front; keep the reader's small
    reader = await maxmind.open<Response>(file, { cache: { max: 1000 } });
  } catch (err) {
    const code = (err as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && code.startsWith('E')) throw unreadable(file, err);
    throw new VigilError('CONFIG', 'not a MaxMind DB (MMDB) file', file);
  }
  return wrapReader(file, reader);
}
