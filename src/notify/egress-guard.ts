/**
 * SSRF guard for outbound notification traffic. Only public unicast addresses are reachable unless
 * the configuration sets allowPrivate. The check runs on the addresses DNS returns at connect time
 * (a custom `lookup` handed to the socket), not on an earlier answer, so a name whose answer changes
 * between a check and the connection cannot slip through; the connected socket's peer address is
 * checked again before anything is written.
 */
import dns from 'node:dns';
import net from 'node:net';
import ipaddr from 'ipaddr.js';
import type { EgressPolicy } from './types.js';

export class EgressRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EgressRefused';
  }
}

function embeddedV4(v6: ipaddr.IPv6, range: string): string | undefined {
  const p = v6.parts;
  // 6to4 carries the IPv4 address in bits 16..47, NAT64 (RFC 6052 /96) in the last 32 bits
  if (range === '6to4') return ipaddr.fromByteArray([p[1]! >> 8, p[1]! & 255, p[2]! >> 8, p[2]! & 255]).toString();
  if (range === 'rfc6052' && p[0] === 0x64 && p[1] === 0xff9b && p[2] === 0) {
    return ipaddr.fromByteArray([p[6]! >> 8, p[6]! & 255, p[7]! >> 8, p[7]! & 255]).toString();
  }
  return undefined;
}

/** Public unicast only: no loopback, RFC 1918, CGNAT, link-local (cloud metadata), ULA, multicast, reserved. */
export function isPublicUnicast(ip: string): boolean {
  // only canonical literals: ipaddr.js would also read '0x7f.1' or '2130706433'
  if (net.isIP(ip) === 0) return false;
  const addr = ipaddr.parse(ip);
  if (addr.kind() === 'ipv4') return addr.range() === 'unicast';
  const v6 = addr as ipaddr.IPv6;
  if (v6.isIPv4MappedAddress()) return isPublicUnicast(v6.toIPv4Address().toString());
  const range = v6.range();
  if (range === 'unicast') return (v6.parts[0]! & 0xe000) === 0x2000; // global unicast 2000::/3
  const inner = embeddedV4(v6, range);
  return inner !== undefined && isPublicUnicast(inner);
}

export function addressAllowed(ip: string, policy: EgressPolicy): boolean {
  if (policy.allowPrivate === true) return net.isIP(ip) !== 0;
  return isPublicUnicast(ip);
}

function refusal(ip: string): EgressRefused {
  return new EgressRefused(`address ${ip} is not a public unicast address (set egress.allowPrivate to allow it)`);
}

/** Throws for an IP-literal host the policy forbids (sockets skip `lookup` for literals). */
export function checkLiteralHost(host: string, policy: EgressPolicy): void {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (net.isIP(bare) !== 0 && !addressAllowed(bare, policy)) throw refusal(bare);
}

type LookupAll = (err: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void;
type LookupOne = (err: NodeJS.ErrnoException | null, address: string, family: number) => void;

/** A `lookup` for net/http/tls that fails unless every address in the answer is allowed. */
export function guardedLookup(policy: EgressPolicy) {
  return (hostname: string, options: dns.LookupOptions, callback: LookupAll | LookupOne): void => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      const list = addresses ?? [];
      const bad = err === null ? list.find((a) => !addressAllowed(a.address, policy)) : undefined;
      const failure: NodeJS.ErrnoException | null =
        err ?? (bad !== undefined ? refusal(bad.address) : list.length === 0 ? new EgressRefused(`no address for ${hostname}`) : null);
      if (options.all === true) {
        (callback as LookupAll)(failure, failure === null ? list : []);
      } else {
        const first = list[0];
        (callback as LookupOne)(failure, failure === null && first ? first.address : '', first?.family ?? 4);
      }
    });
  };
}

/** Destroys the socket when its peer turns out to be forbidden (defence in depth after lookup). */
export function verifyPeer(socket: net.Socket, policy: EgressPolicy): void {
  const check = (): void => {
    const peer = socket.remoteAddress;
    if (peer === undefined || !addressAllowed(peer, policy)) socket.destroy(refusal(peer ?? 'unknown'));
  };
  if (socket.remoteAddress !== undefined) check();
  else socket.once('connect', check);
}

/** Opens a TCP connection through the guard; resolves once connected to an allowed peer. */
export function connectGuarded(host: string, port: number, policy: EgressPolicy, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    try {
      checkLiteralHost(host, policy);
    } catch (e) {
      reject(e);
      return;
    }
    const socket = net.connect({ host, port, lookup: guardedLookup(policy), timeout: timeoutMs });
    const fail = (e: Error): void => {
      socket.destroy();
      reject(e);
    };
    socket.once('error', fail);
    socket.once('timeout', () => fail(new Error(`connection to ${host}:${port} timed out`)));
    socket.once('connect', () => {
      const peer = socket.remoteAddress;
      if (peer === undefined || !addressAllowed(peer, policy)) {
        fail(refusal(peer ?? 'unknown'));
        return;
      }
      socket.off('error', fail);
      socket.setTimeout(0);
      resolve(socket);
    });
  });
}
