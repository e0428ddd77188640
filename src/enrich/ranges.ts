/**
 * IP range → (ASN, AS org, country) table in typed arrays, searched by binary search.
 * Shared by the ip2asn TSV loader and the bundled @ip-location-db CSV. IPv4 ranges are uint32
 * pairs; IPv6 ranges are four uint32 words each. Org names are stored once in a string table.
 */
import { compareV6 } from './ipnum.js';

export interface RangeInfo {
  asn?: number;
  asOrg?: string;
  country?: string;
}

class GrowU32 {
  data: Uint32Array;
  length = 0;
  constructor(initial = 1024) {
    this.data = new Uint32Array(initial);
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Uint32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  done(): Uint32Array {
    return this.data.slice(0, this.length);
  }
}

/** Two ASCII letters packed into one number; 0 = none. */
export function packCountry(cc: string | undefined): number {
  if (cc === undefined || cc.length !== 2) return 0;
  const a = cc.charCodeAt(0);
  const b = cc.charCodeAt(1);
  const up = (c: number): number => (c >= 97 && c <= 122 ? c - 32 : c);
  const ua = up(a);
  const ub = up(b);
  if (ua < 65 || ua > 90 || ub < 65 || ub > 90) return 0;
  // "ZZ" (unknown) and "None" placeholders carry no information
  if (ua === 90 && ub === 90) return 0;
  return (ua << 8) | ub;
}

function unpackCountry(v: number): string | undefined {
  return v === 0 ? undefined : String.fromCharCode(v >>> 8, v & 255);
}

interface Columns {
  start: Uint32Array;
  end: Uint32Array;
  asn: Uint32Array;
  org: Uint32Array;
  cc: Uint32Array;
}

export class RangeTableBuilder {
  private v4 = { start: new GrowU32(), end: new GrowU32(), asn: new GrowU32(), org: new GrowU32(), cc: new GrowU32() };
  private v6 = { start: new GrowU32(), end: new GrowU32(), asn: new GrowU32(), org: new GrowU32(), cc: new GrowU32() };
  private orgs: string[] = [''];
  private orgIndex = new Map<string, number>([['', 0]]);

  private orgId(org: string | undefined): number {
    if (org === undefined || org === '') return 0;
    // the serialized string table is newline-separated
    if (org.includes('\n')) org = org.replaceAll('\n', ' ');
    let id = this.orgIndex.get(org);
    if (id === undefined) {
      id = this.orgs.length;
      this.orgs.push(org);
      this.orgIndex.set(org, id);
    }
    return id;
  }

  addV4(start: number, end: number, asn: number, org: string | undefined, country: string | undefined): void {
    if (end < start) return;
    const t = this.v4;
    t.start.push(start);
    t.end.push(end);
    t.asn.push(asn);
    t.org.push(this.orgId(org));
    t.cc.push(packCountry(country));
  }

  /** `start` and `end` hold four words each. */
  addV6(start: Uint32Array, end: Uint32Array, asn: number, org: string | undefined, country: string | undefined): void {
    if (compareV6(end, 0, start, 0) < 0) return;
    const t = this.v6;
    for (let k = 0; k < 4; k++) {
      t.start.push(start[k] ?? 0);
      t.end.push(end[k] ?? 0);
    }
    t.asn.push(asn);
    t.org.push(this.orgId(org));
    t.cc.push(packCountry(country));
  }

  get size(): { v4: number; v6: number } {
    return { v4: this.v4.asn.length, v6: this.v6.asn.length };
  }

  build(): RangeTable {
    const v4 = sortAndClip(finish(this.v4), 1);
    const v6 = sortAndClip(finish(this.v6), 4);
    return new RangeTable(v4, v6, this.orgs);
  }
}

function finish(t: { start: GrowU32; end: GrowU32; asn: GrowU32; org: GrowU32; cc: GrowU32 }): Columns {
  return { start: t.start.done(), end: t.end.done(), asn: t.asn.done(), org: t.org.done(), cc: t.cc.done() };
}

function cmpStart(c: Columns, w: number, i: number, j: number): number {
  if (w === 1) {
    const a = c.start[i] ?? 0;
    const b = c.start[j] ?? 0;
    return a === b ? 0 : a < b ? -1 : 1;
  }
  return compareV6(c.start, i * 4, c.start, j * 4);
}

/**
 * Sort by range start (only when the input is not already sorted) and resolve overlaps: when a
 * range starts inside the previous one, the later (more specific) row wins and the previous range
 * is cut short before it. Real data has a few such rows (e.g. DoD blocks in @ip-location-db/asn).
 */
function sortAndClip(c: Columns, w: number): Columns {
  const n = c.asn.length;
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) if (cmpStart(c, w, i - 1, i) > 0) sorted = false;
  let cols = c;
  if (!sorted) {
    const order = Array.from({ length: n }, (_, i) => i);
    order.sort((i, j) => cmpStart(c, w, i, j) || i - j);
    cols = permute(c, w, order);
  }
  const keep = new Uint8Array(n).fill(1);
  let dropped = 0;
  for (let i = 1; i < n; i++) {
    // find the previous kept row
    let p = i - 1;
    while (p >= 0 && keep[p] === 0) p--;
    if (p < 0) continue;
    if (compareEndStart(cols, w, p, i) >= 0) {
      // previous range overlaps this one: cut it to end just before this start
      if (cmpStart(cols, w, p, i) === 0) {
        keep[p] = 0;
        dropped++;
      } else {
        setEndBefore(cols, w, p, i);
      }
    }
  }
  if (dropped === 0) return cols;
  const order: number[] = [];
  for (let i = 0; i < n; i++) if (keep[i] === 1) order.push(i);
  return permute(cols, w, order);
}

function compareEndStart(c: Columns, w: number, p: number, i: number): number {
  if (w === 1) {
    const a = c.end[p] ?? 0;
    const b = c.start[i] ?? 0;
    return a === b ? 0 : a < b ? -1 : 1;
  }
  return compareV6(c.end, p * 4, c.start, i * 4);
}

/** end[p] = start[i] - 1 */
function setEndBefore(c: Columns, w: number, p: number, i: number): void {
  if (w === 1) {
    c.end[p] = (c.start[i] ?? 1) - 1;
    return;
  }
  let borrow = 1;
  for (let k = 3; k >= 0; k--) {
    const v = (c.start[i * 4 + k] ?? 0) - borrow;
    borrow = v < 0 ? 1 : 0;
    c.end[p * 4 + k] = v >>> 0;
  }
}

function permute(c: Columns, w: number, order: number[]): Columns {
  const n = order.length;
  const out: Columns = {
    start: new Uint32Array(n * w),
    end: new Uint32Array(n * w),
    asn: new Uint32Array(n),
    org: new Uint32Array(n),
    cc: new Uint32Array(n),
  };
  for (let k = 0; k < n; k++) {
    const i = order[k] ?? 0;
    for (let x = 0; x < w; x++) {
      out.start[k * w + x] = c.start[i * w + x] ?? 0;
      out.end[k * w + x] = c.end[i * w + x] ?? 0;
    }
    out.asn[k] = c.asn[i] ?? 0;
    out.org[k] = c.org[i] ?? 0;
    out.cc[k] = c.cc[i] ?? 0;
  }
  return out;
}

const MAGIC = 0x5647524e; // "VGRN"
const FORMAT_VERSION = 1;

export class RangeTable {
  constructor(
    private readonly v4: Columns,
    private readonly v6: Columns,
    private readonly orgs: readonly string[],
  ) {}

  get counts(): { v4: number; v6: number } {
    return { v4: this.v4.asn.length, v6: this.v6.asn.length };
  }

  /** Row index of the range holding this IPv4 uint32, or -1. */
  findV4(ip: number): number {
    const { start, end } = this.v4;
    let lo = 0;
    let hi = start.length - 1;
    let hit = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if ((start[mid] ?? 0) <= ip) {
        hit = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return hit >= 0 && (end[hit] ?? 0) >= ip ? hit : -1;
  }

  /** Row index of the IPv6 range holding the four words `ip`, or -1. */
  findV6(ip: Uint32Array): number {
    const { start, end } = this.v6;
    let lo = 0;
    let hi = this.v6.asn.length - 1;
    let hit = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (compareV6(start, mid * 4, ip, 0) <= 0) {
        hit = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return hit >= 0 && compareV6(end, hit * 4, ip, 0) >= 0 ? hit : -1;
  }

  /** What row `row` of the v4 (family 4) or v6 (family 6) table says; AS 0 means "not routed". */
  info(family: 4 | 6, row: number): RangeInfo {
    const c = family === 4 ? this.v4 : this.v6;
    const out: RangeInfo = {};
    const asn = c.asn[row] ?? 0;
    if (asn !== 0) {
      out.asn = asn;
      const org = this.orgs[c.org[row] ?? 0];
      if (org) out.asOrg = org;
    }
    const cc = unpackCountry(c.cc[row] ?? 0);
    if (cc) out.country = cc;
    return out;
  }

  /** Compact binary form for the on-disk cache. */
  serialize(): Buffer {
    const strings = Buffer.from(this.orgs.join('\n'), 'utf8');
    const cols = [this.v4, this.v6];
    let words = 0;
    for (const c of cols) words += c.start.length + c.end.length + c.asn.length * 3;
    const header = new Uint32Array([MAGIC, FORMAT_VERSION, this.v4.asn.length, this.v6.asn.length, strings.length]);
    const body = new Uint32Array(words);
    let o = 0;
    for (const c of cols) {
      for (const a of [c.start, c.end, c.asn, c.org, c.cc]) {
        body.set(a, o);
        o += a.length;
      }
    }
    return Buffer.concat([Buffer.from(header.buffer), Buffer.from(body.buffer), strings]);
  }

  /** Inverse of serialize(); undefined when the buffer is not a complete table of this version. */
  static deserialize(buf: Buffer): RangeTable | undefined {
    if (buf.length < 20) return undefined;
    const aligned = buf.byteOffset % 4 === 0 ? buf : Buffer.from(buf);
    const head = new Uint32Array(aligned.buffer, aligned.byteOffset, 5);
    const [magic, version, n4 = 0, n6 = 0, strLen = 0] = head;
    if (magic !== MAGIC || version !== FORMAT_VERSION) return undefined;
    const words = n4 * 5 + n6 * 11;
    if (aligned.length !== 20 + words * 4 + strLen) return undefined;
    const body = new Uint32Array(aligned.buffer, aligned.byteOffset + 20, words);
    let o = 0;
    const take = (n: number): Uint32Array => {
      const a = body.subarray(o, o + n);
      o += n;
      return a;
    };
    const v4: Columns = { start: take(n4), end: take(n4), asn: take(n4), org: take(n4), cc: take(n4) };
    const v6: Columns = { start: take(n6 * 4), end: take(n6 * 4), asn: take(n6), org: take(n6), cc: take(n6) };
    const orgs = aligned.subarray(20 + words * 4).toString('utf8').split('\n');
    for (const c of [v4, v6]) for (const id of c.org) if (id >= orgs.length) return undefined;
    return new RangeTable(v4, v6, orgs);
  }
}
