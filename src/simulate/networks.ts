/** Real address ranges by role and country (data/networks.json) and the Tor exits the simulator may use. */
import networksData from './data/networks.json' with { type: 'json' };
import torData from './data/tor-exits.json' with { type: 'json' };
import type { NetInfo } from './model.js';
import type { Rng } from './rng.js';

export interface Prefix {
  cidr: string;
  asn: number;
  asOrg: string;
  country: string;
  city: string;
}

type Role = 'residential' | 'mobile' | 'business' | 'vpn' | 'hosting';

const TABLE: Record<Role, Prefix[]> = {
  residential: networksData.residential,
  mobile: networksData.mobile,
  business: networksData.business,
  vpn: networksData.vpn,
  hosting: networksData.hosting,
};

export const TOR_EXITS: readonly string[] = torData.addresses;

export const COUNTRIES = ['US', 'GB', 'DE', 'FR'] as const;

export function prefixes(role: Role, country?: string): Prefix[] {
  const all = TABLE[role];
  const local = country ? all.filter((p) => p.country === country) : all;
  return local.length > 0 ? local : all;
}

function ipToInt(ip: string): number {
  return ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

function intToIp(n: number): string {
  return `${Math.floor(n / 16777216) % 256}.${Math.floor(n / 65536) % 256}.${Math.floor(n / 256) % 256}.${n % 256}`;
}

/** A host address inside the prefix (never the network or the .0/.255 of a /24). */
export function addressIn(p: Prefix, rng: Rng): string {
  const [base = '0.0.0.0', lenText = '32'] = p.cidr.split('/');
  const size = 2 ** (32 - Number(lenText));
  const start = ipToInt(base);
  const offset = Math.floor(rng.next() * size);
  const n = start + offset;
  const last = n % 256;
  return intToIp(last === 0 || last === 255 ? n - (last === 0 ? -1 : 1) : n);
}

export function netFrom(p: Prefix, role: NetInfo['role'], rng: Rng): NetInfo {
  return { ip: addressIn(p, rng), asn: p.asn, asOrg: p.asOrg, country: p.country, city: p.city, role };
}

export function randomNet(role: Role, rng: Rng, country?: string): NetInfo {
  return netFrom(rng.pick(prefixes(role, country)), role, rng);
}

export function torNet(ip: string): NetInfo {
  return { ip, role: 'tor' };
}

/**
 * Carrier-grade NAT: each mobile carrier puts its subscribers behind a few public addresses, so many
 * unrelated people (in every organization) share them. The pool is fixed per run seed.
 */
export class CgnatPools {
  private pools = new Map<string, NetInfo[]>();

  constructor(
    private readonly rng: Rng,
    private readonly perCarrier = 6,
  ) {}

  pick(country: string, userRng: Rng): NetInfo {
    const carriers = prefixes('mobile', country);
    const carrier = userRng.pick(carriers);
    let pool = this.pools.get(carrier.cidr);
    if (!pool) {
      const r = this.rng.fork(`cgnat/${carrier.cidr}`);
      pool = Array.from({ length: this.perCarrier }, () => netFrom(carrier, 'mobile', r));
      this.pools.set(carrier.cidr, pool);
    }
    return userRng.pick(pool);
  }
}
