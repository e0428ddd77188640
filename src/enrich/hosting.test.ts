import { describe, expect, it } from 'vitest';
import { VigilError } from '../core/errors.js';
import { hostingTag, loadHostingList, parseHostingList } from './hosting.js';

describe('data/hosting-asns.json', () => {
  const list = loadHostingList();

  it('lists the well-known VPS and cloud networks', () => {
    expect(list.byAsn.size).toBeGreaterThanOrEqual(30);
    expect(list.byAsn.size).toBeLessThanOrEqual(80);
    for (const asn of [14061, 16276, 24940, 63949, 20473, 9009, 60781, 28753, 51167, 16509, 14618]) expect(hostingTag(list, asn), `AS${asn}`).toBe('hosting');
    expect(list.byAsn.get(14061)?.name).toBe('DigitalOcean, LLC');
  });

  it('never tags the identity providers’ own networks', () => {
    for (const asn of [8075, 15169, 396982]) {
      expect(hostingTag(list, asn), `AS${asn}`).toBeUndefined();
      expect(list.excluded.has(asn)).toBe(true);
    }
  });

  it('unknown or absent ASNs give no tag', () => {
    expect(hostingTag(list, 3320)).toBeUndefined();
    expect(hostingTag(list, undefined)).toBeUndefined();
  });
});

describe('parseHostingList', () => {
  it('rejects a malformed list naming the entry, and an ASN both listed and excluded', () => {
    expect(() => parseHostingList({ asns: [{ asn: 'x', name: 'a' }] }, 'h.json')).toThrow(/asns\[0\]\.asn/);
    expect(() => parseHostingList([], 'h.json')).toThrow(VigilError);
    expect(() => parseHostingList({ asns: [{ asn: 8075, name: 'MS' }], excluded: [{ asn: 8075 }] }, 'h.json')).toThrow(/excluded/);
    expect(hostingTag(parseHostingList({ asns: [{ asn: 136787, name: 'x', kind: 'vpn' }] }, 'h.json'), 136787)).toBe('vpn');
  });
});
