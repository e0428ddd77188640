import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AuthEvent } from '../core/types.js';
import { VigilError } from '../core/errors.js';
import { findBundled } from './bundled.js';
import { createEnrichment, EnrichmentImpl } from './index.js';

const FIX = (name: string): string => new URL(`../../test/fixtures/enrich/${name}`, import.meta.url).pathname;
const cacheDir = mkdtempSync(join(tmpdir(), 'vigil-enrich-'));
const T = Date.parse('2024-02-27T10:00:00Z');

function ev(srcIp: string, extra: Partial<AuthEvent> = {}): AuthEvent {
  return { time: T, tenant: 't', user: 'u@example.org', srcIp, outcome: 'failure', source: 'entra', ...extra };
}

async function offline() {
  return createEnrichment({
    asnDbs: [FIX('ip2asn-small.tsv')],
    torExits: [FIX('tor-exit-nodes_2024-02-27.lst'), FIX('exit-addresses.txt')],
    intel: [FIX('intel-small.txt')],
    bundled: false,
  });
}

describe('createEnrichment without bundled data', () => {
  it('private addresses are flagged and get no ASN or geo', async () => {
    const en = await offline();
    for (const ip of ['10.0.0.5', '192.168.1.20', '100.64.1.1', 'fd00::5', '127.0.0.1']) {
      const e = ev(ip);
      en.enrich(e);
      expect(e.privateIp, ip).toBe(true);
      expect(e.asn, ip).toBeUndefined();
      expect(e.geo, ip).toBeUndefined();
    }
  });

  it('a documentation address is reserved (privateIp) but a loaded --asn-db covering it still answers', async () => {
    const en = await offline();
    const e = ev('203.0.113.9');
    en.enrich(e);
    expect(e).toMatchObject({ privateIp: true, asn: 14061, asOrg: 'DIGITALOCEAN-ASN', geo: { country: 'US' }, anonymizer: 'hosting', intel: ['spray-infra'] });
  });

  it('fills from the asn-db and tags Tor by time', async () => {
    const en = await offline();
    const e = ev('8.8.8.8');
    en.enrich(e);
    expect(e).toMatchObject({ asn: 15169, asOrg: 'GOOGLE', geo: { country: 'US' } });
    expect(e.anonymizer).toBeUndefined();
    expect(e.privateIp).toBeUndefined();
    const tor = ev('101.99.92.179');
    en.enrich(tor);
    expect(tor.anonymizer).toBe('tor');
    // seen by exit-addresses on 2024-02-20 only: a week later it is not an exit
    const late = ev('203.0.113.44', { time: Date.parse('2024-02-27T08:00:00Z') });
    en.enrich(late);
    expect(late.anonymizer).toBe('hosting'); // 203.0.113/24 is AS14061 in the fixture
    const early = ev('203.0.113.44', { time: Date.parse('2024-02-20T09:00:00Z') });
    en.enrich(early);
    expect(early.anonymizer).toBe('tor');
  });

  it('keeps the provider’s own values and fills only what is missing', async () => {
    const en = await offline();
    const e = ev('8.8.8.8', { geo: { country: 'FR', city: 'Paris' }, asn: 3215 });
    en.enrich(e);
    expect(e.geo).toEqual({ country: 'FR', city: 'Paris' });
    expect(e.asn).toBe(3215);
    expect(e.asOrg).toBeUndefined(); // our AS name belongs to another AS
    const same = ev('8.8.8.8', { asn: 15169 });
    en.enrich(same);
    expect(same.asOrg).toBe('GOOGLE');
    // the provider's ASN decides the hosting tag
    const host = ev('8.8.8.8', { asn: 24940 });
    en.enrich(host);
    expect(host.anonymizer).toBe('hosting');
    // a stronger provider tag is never downgraded
    const vpn = ev('203.0.113.9', { anonymizer: 'vpn' });
    en.enrich(vpn);
    expect(vpn.anonymizer).toBe('vpn');
    // intel merges with what the event has
    const intel = ev('198.51.100.23', { intel: ['provider-feed'] });
    en.enrich(intel);
    expect(intel.intel).toEqual(['provider-feed', 'apt-demo']);
  });

  it('events without a usable address are left alone', async () => {
    const en = await offline();
    for (const ip of ['', 'not-an-ip', '999.1.1.1', '__proto__', 'x'.repeat(100_000)]) {
      const e = ev(ip);
      en.enrich(e);
      expect(e).toEqual(ev(ip));
    }
  });

  it('a cached answer is not shared: changing one event does not change the next', async () => {
    const en = await offline();
    const a = ev('8.8.8.8');
    en.enrich(a);
    a.geo!.city = 'Changed';
    const b = ev('8.8.8.8');
    en.enrich(b);
    expect(b.geo).toEqual({ country: 'US' });
  });

  it('describe() names every loaded file with its size', async () => {
    const lines = (await offline()).describe();
    expect(lines.find((l) => l.startsWith('asn-db'))).toMatch(/ip2asn-small\.tsv: ip2asn TSV, 6 IPv4 \+ 2 IPv6 ranges/);
    expect(lines.find((l) => l.includes('tor-exit-nodes_2024-02-27.lst'))).toMatch(/250 Tor exit addresses \(bulk list of 2024-02-27\)/);
    expect(lines.find((l) => l.includes('exit-addresses.txt'))).toMatch(/3 Tor exit addresses \(exit-addresses observed 2024-02-20 to 2024-02-27\)/);
    expect(lines.find((l) => l.startsWith('intel'))).toMatch(/4 IP\/CIDR indicators/);
    expect(lines.find((l) => l.startsWith('hosting'))).toMatch(/\d+ hosting\/VPN ASNs/);
  });

  it('bad files reject with VigilError naming the file (and line)', async () => {
    const missing = (await createEnrichment({ geoDbs: [join(cacheDir, 'GeoLite2-City.mmdb')], bundled: false }).catch((e: unknown) => e)) as VigilError;
    expect(missing).toBeInstanceOf(VigilError);
    expect(missing.code).toBe('INPUT_UNREADABLE');
    // a Tor exit-addresses file given as --intel: its first content line is on line 3
    const wrong = (await createEnrichment({ intel: [FIX('exit-addresses.txt')], bundled: false }).catch((e: unknown) => e)) as VigilError;
    expect(wrong.code).toBe('CONFIG');
    expect(wrong.location).toMatch(/exit-addresses\.txt:3: /);
  });
});

describe.skipIf(!findBundled())('with the bundled data', () => {
  it('8.8.8.8 → AS15169 Google, US; 1.1.1.1 → AS13335 Cloudflare; neither is tagged hosting', async () => {
    const en = await createEnrichment({ bundledCacheDir: cacheDir });
    const g = ev('8.8.8.8');
    en.enrich(g);
    expect(g).toMatchObject({ asn: 15169, asOrg: 'Google LLC', geo: { country: 'US' } });
    expect(g.anonymizer).toBeUndefined();
    const c = ev('1.1.1.1');
    en.enrich(c);
    expect(c).toMatchObject({ asn: 13335, asOrg: 'Cloudflare, Inc.' });
    expect(en.describe().find((l) => l.startsWith('bundled'))).toMatch(/ranges loaded in \d+ ms.*DB-IP/);
  });

  it('cached answers equal uncached lookups (random addresses, tiny cache forcing evictions)', async () => {
    const en = (await createEnrichment({
      bundledCacheDir: cacheDir,
      cacheSize: 64,
      asnDbs: [FIX('ip2asn-small.tsv')],
      torExits: [FIX('tor-exit-nodes_2024-02-27.lst')],
      intel: [FIX('intel-small.txt')],
    })) as EnrichmentImpl;
    const known = ['101.99.92.179', '203.0.113.9', '198.51.100.23', '8.8.8.8', '10.0.0.1', '2001:db8:bad::1'];
    const ip = fc.oneof(fc.ipV4(), fc.ipV6().filter((s) => !s.includes('.')), fc.constantFrom(...known));
    fc.assert(
      fc.property(fc.array(ip, { minLength: 1, maxLength: 40 }), (ips) => {
        for (const a of [...ips, ...ips]) {
          const canonical = a.includes(':') ? a.toLowerCase() : a;
          expect(en.facts(canonical)).toEqual(en.lookup(canonical));
        }
      }),
      { numRuns: 150 },
    );
  });
});
