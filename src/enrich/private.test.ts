import { describe, expect, it } from 'vitest';
import { classifyAddress } from './private.js';

describe('classifyAddress', () => {
  it('private, loopback, link-local, CGNAT, multicast and unique-local are private', () => {
    for (const ip of ['10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '127.0.0.1', '169.254.10.1', '100.64.0.1', '100.127.255.254', '224.0.0.251', '0.0.0.0', '255.255.255.255', '::1', '::', 'fe80::1', 'fd00::1', 'fc12::1', 'ff02::1'])
      expect(classifyAddress(ip), ip).toBe('private');
  });

  it('documentation and other reserved ranges are reserved', () => {
    for (const ip of ['192.0.2.1', '198.51.100.200', '203.0.113.9', '240.0.0.1', '198.18.0.1', '2001:db8::1'])
      expect(classifyAddress(ip), ip).toBe('reserved');
  });

  it('neighbours of the private ranges are public', () => {
    for (const ip of ['172.32.0.1', '172.15.255.255', '100.128.0.1', '100.63.255.255', '8.8.8.8', '1.1.1.1', '2001:4860:4860::8888', '2a03:2880::1'])
      expect(classifyAddress(ip), ip).toBe('public');
  });

  it('IPv4-mapped IPv6 is judged as the IPv4 it carries; garbage is invalid', () => {
    expect(classifyAddress('::ffff:10.0.0.1')).toBe('private');
    expect(classifyAddress('::ffff:8.8.8.8')).toBe('public');
    expect(classifyAddress('not an ip')).toBe('invalid');
  });
});
