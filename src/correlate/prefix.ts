import { parseIPv6 } from '../enrich/ipnum.js';

const V4_24 = /^(\d{1,3}\.\d{1,3}\.\d{1,3})\.\d{1,3}$/;

/** The /24 (IPv4) or /48 (IPv6) network of a canonical address, '' when it is neither. */
export function networkOf(ip: string): string {
  const m = V4_24.exec(ip);
  if (m) return `${m[1]}.0/24`;
  if (!ip.includes(':') || ip.length > 64) return '';
  const w = new Uint32Array(4);
  if (!parseIPv6(ip, w)) return '';
  const hex = (n: number): string => n.toString(16);
  const a = w[0] ?? 0;
  const b = w[1] ?? 0;
  const groups = [a >>> 16, a & 0xffff, b >>> 16];
  while (groups.length > 0 && groups[groups.length - 1] === 0) groups.pop();
  return `${groups.map(hex).join(':')}::/48`;
}
