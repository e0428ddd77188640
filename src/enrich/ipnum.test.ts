import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { formatIPv4, parseIPv4, parseIPv6 } from './ipnum.js';

function wordsOf(text: string): number[] {
  const p = ipaddr.IPv6.parse(text).parts;
  return [0, 1, 2, 3].map((w) => (((p[2 * w] ?? 0) << 16) | (p[2 * w + 1] ?? 0)) >>> 0);
}

describe('parseIPv4', () => {
  it('reads dotted quads and rejects everything else', () => {
    expect(parseIPv4('8.8.8.8')).toBe(0x08080808);
    expect(parseIPv4('255.255.255.255')).toBe(0xffffffff);
    expect(parseIPv4('0.0.0.0')).toBe(0);
    for (const bad of ['256.1.1.1', '1.2.3', '1.2.3.4.5', '1..2.3', '1.2.3.4 ', 'a.b.c.d', '1.2.3.1234', '', '::1'])
      expect(parseIPv4(bad), bad).toBe(-1);
  });

  it('round-trips every address', () => {
    fc.assert(fc.property(fc.ipV4(), (ip) => formatIPv4(parseIPv4(ip)) === ip), { numRuns: 2000 });
  });
});

describe('parseIPv6', () => {
  const out = new Uint32Array(4);
  it('reads compressed, full, and v4-tail forms', () => {
    expect(parseIPv6('::', out)).toBe(true);
    expect([...out]).toEqual([0, 0, 0, 0]);
    expect(parseIPv6('2001:db8::1', out)).toBe(true);
    expect([...out]).toEqual([0x20010db8, 0, 0, 1]);
    expect(parseIPv6('2001:0470:0001:0908:0000:0000:0000:9001', out)).toBe(true);
    expect([...out]).toEqual([0x20010470, 0x00010908, 0, 0x9001]);
    expect(parseIPv6('::ffff:1.2.3.4', out)).toBe(true);
    expect([...out]).toEqual([0, 0, 0xffff, 0x01020304]);
    expect(parseIPv6('1:2:3:4:5:6:7.8.9.10', out)).toBe(true);
    expect([...out]).toEqual([0x00010002, 0x00030004, 0x00050006, 0x0708090a]);
    expect(parseIPv6('fe80::', out)).toBe(true);
    expect([...out]).toEqual([0xfe800000, 0, 0, 0]);
  });

  it('rejects malformed text', () => {
    for (const bad of ['1:2:3:4:5:6:7', '1::2::3', ':1::', '1:2:3:4:5:6:7:8:9', '12345::', 'g::1', '1:2:3:4:5:6:7:', '1.2.3.4', '', ':::'])
      expect(parseIPv6(bad, out), bad).toBe(false);
  });

  // ipaddr.js reads "::a.b.c.d" as "::ffff:a.b.c.d", so dotted tails are checked by hand above
  it('agrees with ipaddr.js on random hex-only addresses', () => {
    fc.assert(
      fc.property(fc.ipV6().filter((ip) => !ip.includes('.')), (ip) => {
        const ok = parseIPv6(ip, out);
        return ok && [...out].every((w, i) => w === wordsOf(ip)[i]);
      }),
      { numRuns: 3000 },
    );
  });
});
