import { describe, expect, it } from 'vitest';
import { createPeerFilter } from './peers.js';

describe('allowedPeers', () => {
  it('admits loopback only by default, including IPv4 peers seen on a dual-stack socket', () => {
    const allowed = createPeerFilter();
    expect(['127.0.0.1', '::1', '::ffff:127.0.0.1'].map(allowed)).toEqual([true, true, true]);
    expect(['10.0.0.1', '::ffff:10.0.0.1', '2001:db8::1', undefined, 'not-an-ip'].map(allowed)).toEqual([false, false, false, false, false]);
  });

  it('matches CIDRs and bare addresses of both families, and refuses a malformed entry as a configuration error', () => {
    const allowed = createPeerFilter(['10.20.0.0/16', '192.0.2.7', '2001:db8:5::/48', '::ffff:198.51.100.0/120']);
    expect(['10.20.99.1', '192.0.2.7', '2001:db8:5:1::9', '198.51.100.200'].map(allowed)).toEqual([true, true, true, true]);
    expect(['10.21.0.1', '192.0.2.8', '2001:db8:6::1'].map(allowed)).toEqual([false, false, false]);
    expect(() => createPeerFilter(['10.0.0.0/8', 'example.org'])).toThrow(/allowedPeers: "example.org"/);
  });
});
