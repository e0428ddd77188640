/**
 * Non-routable addresses. 'private' (RFC 1918, loopback, link-local, CGNAT 100.64/10, multicast,
 * unspecified, broadcast, unique-local fc00::/7, ...) means no geo/ASN lookup at all.
 * 'reserved' (documentation 192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32, benchmarking,
 * 240/4, ...) is flagged privateIp too, but the user's own --asn-db / --geo-db files are still
 * consulted: test setups and simulators give these ranges made-up owners on purpose.
 * Classification goes through ipaddr.js range(); it allocates, so callers cache the answer per IP.
 */
import ipaddr from 'ipaddr.js';

export type AddressClass = 'public' | 'private' | 'reserved' | 'invalid';

const PRIVATE_V4 = new Set(['unspecified', 'broadcast', 'multicast', 'linkLocal', 'loopback', 'carrierGradeNat', 'private']);
const RESERVED_V4 = new Set(['reserved']);
const PRIVATE_V6 = new Set(['unspecified', 'linkLocal', 'multicast', 'loopback', 'uniqueLocal', 'deprecatedSiteLocal', 'discard']);
const RESERVED_V6 = new Set([
  'reserved',
  'benchmarking',
  'deprecatedOrchid',
  'orchid2',
  'droneRemoteIdProtocolEntityTags',
  'segmentRouting',
  'rfc6145',
]);

export function classifyAddress(ip: string): AddressClass {
  let addr: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    addr = ipaddr.parse(ip);
  } catch {
    return 'invalid';
  }
  if (addr.kind() === 'ipv6') {
    const v6 = addr as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) return classifyAddress(v6.toIPv4Address().toString());
    const r = v6.range();
    if (PRIVATE_V6.has(r)) return 'private';
    if (RESERVED_V6.has(r)) return 'reserved';
    return 'public';
  }
  const r = addr.range();
  if (PRIVATE_V4.has(r)) return 'private';
  if (RESERVED_V4.has(r)) return 'reserved';
  return 'public';
}
