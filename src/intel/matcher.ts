/** Finds the indicators that cover an address at a time: exact addresses by map, CIDRs by prefix length. */
import ipaddr from 'ipaddr.js';
import type { Indicator } from './types.js';

type Addr = ipaddr.IPv4 | ipaddr.IPv6;

function parseAddr(s: string): Addr | undefined {
  if (s.length > 64 || !ipaddr.isValid(s)) return undefined;
  try {
    const a = ipaddr.parse(s);
    return a.kind() === 'ipv6' && (a as ipaddr.IPv6).isIPv4MappedAddress() ? (a as ipaddr.IPv6).toIPv4Address() : a;
  } catch {
    return undefined;
  }
}

/** canonical text of an address ('' when not one): same form as the events' srcIp */
export function canonicalAddress(s: string): string {
  const a = parseAddr(s.trim());
  return a ? a.toString() : '';
}

/** [address, prefix length] of CIDR text, normalized to its network address; undefined if invalid */
export function parseCidrText(s: string): [Addr, number] | undefined {
  const t = s.trim();
  if (t.length > 64) return undefined;
  try {
    const [addr, bits] = ipaddr.parseCIDR(t);
    return [addr, bits];
  } catch {
    return undefined;
  }
}

export class IndicatorMatcher {
  private readonly exact = new Map<string, Indicator[]>();
  /** per family and prefix length: network key → indicators */
  private readonly nets = new Map<string, Map<string, Indicator[]>>();
  readonly size: number;

  constructor(indicators: Iterable<Indicator>) {
    let n = 0;
    for (const ind of indicators) {
      n++;
      if (ind.kind === 'ip') {
        const c = canonicalAddress(ind.value);
        if (c) push(this.exact, c, ind);
      } else if (ind.kind === 'cidr') {
        const p = parseCidrText(ind.value);
        if (!p) continue;
        const [addr, bits] = p;
        const key = `${addr.kind()}/${bits}`;
        let m = this.nets.get(key);
        if (!m) this.nets.set(key, (m = new Map()));
        push(m, networkKey(addr, bits), ind);
      }
    }
    this.size = n;
  }

  /** indicators covering `ip`, valid at `at` (epoch ms) when given */
  match(ip: string, at?: number): Indicator[] {
    const addr = parseAddr(ip);
    if (!addr) return [];
    const out: Indicator[] = [...(this.exact.get(addr.toString()) ?? [])];
    for (const [key, m] of this.nets) {
      const [family, bitsText] = key.split('/');
      if (family !== addr.kind()) continue;
      const hit = m.get(networkKey(addr, Number(bitsText)));
      if (hit) out.push(...hit);
    }
    return at === undefined ? out : out.filter((i) => validAt(i, at, at));
  }
}

/** true when the indicator's validity overlaps [from, to] */
export function validAt(i: Indicator, from: number, to: number): boolean {
  return (i.validFrom === undefined || i.validFrom <= to) && (i.validUntil === undefined || i.validUntil >= from);
}

function networkKey(addr: Addr, bits: number): string {
  const bytes = addr.toByteArray();
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const keep = Math.max(0, Math.min(8, bits - i * 8));
    const mask = keep === 0 ? 0 : (0xff << (8 - keep)) & 0xff;
    out += `${(bytes[i]! & mask).toString(16)}.`;
  }
  return out;
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}
