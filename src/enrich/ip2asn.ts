/**
 * iptoasn.com `ip2asn` TSV (`--asn-db FILE`, plain or gzip): one range per line,
 * `range_start \t range_end \t AS_number \t country_code \t AS_description`. Covers the v4, v6,
 * combined and `-u32` (decimal IPv4) variants. AS 0 ("Not routed") rows give no ASN.
 */
import { VigilError } from '../core/errors.js';
import { readLines } from './files.js';
import { parseIPv4, parseIPv6 } from './ipnum.js';
import { RangeTable, RangeTableBuilder } from './ranges.js';

const MAX_LINE = 4096;

/** Decimal uint32 (the -u32 files) or dotted IPv4; -1 otherwise. */
function v4Field(s: string): number {
  if (s.length > 0 && s.length <= 10 && !s.includes('.')) {
    let v = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 48 || c > 57) return -1;
      v = v * 10 + (c - 48);
    }
    return v <= 0xffffffff ? v : -1;
  }
  return parseIPv4(s);
}

function asnField(s: string): number {
  if (s.length === 0 || s.length > 10) return -1;
  let v = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    v = v * 10 + (c - 48);
  }
  return v <= 0xffffffff ? v : -1;
}

/** Adds one TSV line to the builder; returns an error reason, or undefined when it was added. */
export function addIp2asnLine(b: RangeTableBuilder, line: string, s6: Uint32Array, e6: Uint32Array): string | undefined {
  if (line.length > MAX_LINE) return 'line too long';
  const t1 = line.indexOf('\t');
  const t2 = t1 < 0 ? -1 : line.indexOf('\t', t1 + 1);
  const t3 = t2 < 0 ? -1 : line.indexOf('\t', t2 + 1);
  if (t3 < 0) return 'expected range_start<TAB>range_end<TAB>AS_number<TAB>country_code<TAB>AS_description';
  const t4 = line.indexOf('\t', t3 + 1);
  const startS = line.slice(0, t1);
  const endS = line.slice(t1 + 1, t2);
  const asn = asnField(line.slice(t2 + 1, t3));
  if (asn < 0) return `AS_number: not a number: ${JSON.stringify(line.slice(t2 + 1, Math.min(t3, t2 + 21)))}`;
  const cc = line.slice(t3 + 1, t4 < 0 ? line.length : t4);
  const desc = t4 < 0 ? '' : line.slice(t4 + 1).trim();
  // AS 0 is iptoasn's "Not routed": keep the country, drop the name
  const org = asn === 0 || desc === 'Not routed' ? undefined : desc.slice(0, 200);
  const s4 = v4Field(startS);
  if (s4 >= 0) {
    const e4 = v4Field(endS);
    if (e4 < 0) return `range_end: not an IPv4 address: ${JSON.stringify(endS.slice(0, 50))}`;
    if (e4 < s4) return 'range_end is before range_start';
    b.addV4(s4, e4, asn, org, cc);
    return undefined;
  }
  if (!parseIPv6(startS, s6)) return `range_start: not an IP address: ${JSON.stringify(startS.slice(0, 50))}`;
  if (!parseIPv6(endS, e6)) return `range_end: not an IPv6 address: ${JSON.stringify(endS.slice(0, 50))}`;
  b.addV6(s6, e6, asn, org, cc);
  return undefined;
}

export interface Ip2asnDb {
  readonly file: string;
  readonly table: RangeTable;
}

/** Streams the file into a range table. Throws VigilError naming file:line on the first bad line. */
export async function loadIp2asn(file: string): Promise<Ip2asnDb> {
  const b = new RangeTableBuilder();
  const s6 = new Uint32Array(4);
  const e6 = new Uint32Array(4);
  let lineNo = 0;
  for await (const raw of readLines(file)) {
    lineNo++;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '' || line.startsWith('#')) continue;
    const problem = addIp2asnLine(b, line, s6, e6);
    if (problem !== undefined) throw new VigilError('CONFIG', `not an ip2asn TSV line: ${problem}`, file, lineNo);
  }
  const size = b.size;
  if (size.v4 + size.v6 === 0) throw new VigilError('CONFIG', 'no IP ranges found (expected an iptoasn.com ip2asn TSV file)', file);
  return { file, table: b.build() };
}
