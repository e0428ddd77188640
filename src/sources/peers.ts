import ipaddr from 'ipaddr.js';
import { VigilError } from '../core/errors.js';

type Addr = ipaddr.IPv4 | ipaddr.IPv6;

/** Who may send when a listener names no peers: this host only. */
export const LOOPBACK_PEERS: readonly string[] = ['127.0.0.0/8', '::1/128'];

/** An IPv4-mapped IPv6 address (`::ffff:10.0.0.1`, what a dual-stack socket reports) as IPv4. */
function parseAddr(text: string): Addr | undefined {
  if (text.length > 64 || !ipaddr.isValid(text)) return undefined;
  const a = ipaddr.parse(text);
  return a.kind() === 'ipv6' && (a as ipaddr.IPv6).isIPv4MappedAddress() ? (a as ipaddr.IPv6).toIPv4Address() : a;
}

/**
 * A predicate over peer addresses from CIDR text ('10.0.0.0/8', '2001:db8::/32'; a bare address
 * means just that host). An invalid entry is a CONFIG error naming it, so a typo never widens or
 * silently narrows who may send.
 */
export function createPeerFilter(cidrs: readonly string[] = LOOPBACK_PEERS): (address: string | undefined) => boolean {
  const nets: [Addr, number][] = cidrs.map((text) => {
    const t = text.trim();
    try {
      if (t.includes('/')) {
        const [addr, bits] = ipaddr.parseCIDR(t);
        return addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96
          ? [(addr as ipaddr.IPv6).toIPv4Address(), bits - 96]
          : [addr, bits];
      }
      const a = parseAddr(t);
      if (a) return [a, a.kind() === 'ipv4' ? 32 : 128];
    } catch {
      // reported below
    }
    throw new VigilError('CONFIG', `allowedPeers: "${t.slice(0, 64)}" is not an IP address or CIDR`);
  });
  return (address) => {
    if (address === undefined) return false;
    const a = parseAddr(address);
    if (!a) return false;
    return nets.some(([net, bits]) => net.kind() === a.kind() && a.match(net, bits));
  };
}
