/**
 * Hosting / VPS / cloud autonomous systems (data/hosting-asns.json): an event whose ASN is listed
 * gets anonymizer 'hosting' (or 'vpn' for entries of kind 'vpn'). The identity providers' own
 * networks are excluded in the data file itself; see its `policy` and `excluded` fields.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Anonymizer } from '../core/types.js';
import { VigilError } from '../core/errors.js';
import { obj } from '../core/normalize.js';

export interface HostingAsn {
  asn: number;
  name: string;
  kind: 'hosting' | 'vpn';
}

export interface HostingList {
  file: string;
  version: number;
  updated: string;
  byAsn: ReadonlyMap<number, HostingAsn>;
  /** ASNs the file deliberately leaves out (identity providers, CDNs) */
  excluded: ReadonlySet<number>;
}

/** data/ sits two levels above this module both in src/enrich and in dist/enrich. */
export const DEFAULT_HOSTING_FILE = fileURLToPath(new URL('../../data/hosting-asns.json', import.meta.url));

/** Validates the parsed JSON; throws VigilError naming the file and the bad entry. */
export function parseHostingList(json: unknown, file: string): HostingList {
  const o = obj(json);
  const bad = (msg: string): VigilError => new VigilError('CONFIG', `hosting ASN list: ${msg}`, file);
  if (!o || !Array.isArray(o.asns)) throw bad('expected an object with an "asns" array');
  const byAsn = new Map<number, HostingAsn>();
  const excluded = new Set<number>();
  for (const [i, x] of (Array.isArray(o.excluded) ? o.excluded : []).entries()) {
    const asn = obj(x)?.asn;
    if (typeof asn !== 'number' || !Number.isInteger(asn) || asn <= 0) throw bad(`excluded[${i}].asn: not an AS number`);
    excluded.add(asn);
  }
  for (const [i, x] of o.asns.entries()) {
    const e = obj(x);
    const asn = e?.asn;
    if (typeof asn !== 'number' || !Number.isInteger(asn) || asn <= 0) throw bad(`asns[${i}].asn: not an AS number`);
    if (typeof e?.name !== 'string') throw bad(`asns[${i}].name: missing`);
    const kind = e.kind === 'vpn' ? 'vpn' : 'hosting';
    if (excluded.has(asn)) throw bad(`asns[${i}]: AS${asn} is also listed as excluded`);
    byAsn.set(asn, { asn, name: e.name, kind });
  }
  return {
    file,
    version: typeof o.version === 'number' ? o.version : 0,
    updated: typeof o.updated === 'string' ? o.updated : '',
    byAsn,
    excluded,
  };
}

export function loadHostingList(file: string = DEFAULT_HOSTING_FILE): HostingList {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new VigilError('INPUT_UNREADABLE', `cannot read hosting ASN list: ${err instanceof Error ? err.message : String(err)}`, file);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new VigilError('CONFIG', 'hosting ASN list: not valid JSON', file);
  }
  return parseHostingList(json, file);
}

/** The tag an AS earns by being listed, or undefined. */
export function hostingTag(list: HostingList, asn: number | undefined): Anonymizer | undefined {
  if (asn === undefined) return undefined;
  return list.byAsn.get(asn)?.kind;
}
