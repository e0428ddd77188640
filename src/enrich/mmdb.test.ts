import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VigilError } from '../core/errors.js';
import { findBundled } from './bundled.js';
import { adaptRecord, kindOf, openMmdb } from './mmdb.js';

describe('adaptRecord', () => {
  it('MaxMind GeoLite2/GeoIP2 City', () => {
    const rec = {
      city: { geoname_id: 5375480, names: { en: 'Mountain View', de: 'Mountain View' } },
      country: { iso_code: 'US', names: { en: 'United States' } },
      registered_country: { iso_code: 'US' },
      location: { latitude: 37.386, longitude: -122.0838, accuracy_radius: 1000 },
    };
    expect(adaptRecord(rec)).toEqual({ country: 'US', city: 'Mountain View', lat: 37.386, lon: -122.0838 });
  });

  it('MaxMind Country falls back to the registered country (anycast blocks have no geolocated one)', () => {
    expect(adaptRecord({ registered_country: { iso_code: 'DE' } })).toEqual({ country: 'DE' });
  });

  it('MaxMind ASN and Anonymous-IP', () => {
    expect(adaptRecord({ autonomous_system_number: 14061, autonomous_system_organization: 'DIGITALOCEAN-ASN' })).toEqual({
      asn: 14061,
      asOrg: 'DIGITALOCEAN-ASN',
    });
    expect(adaptRecord({ is_anonymous: true, is_tor_exit_node: true, is_hosting_provider: true })).toEqual({ anonymizer: 'tor' });
    expect(adaptRecord({ is_anonymous: true, is_anonymous_vpn: true })).toEqual({ anonymizer: 'vpn' });
    expect(adaptRecord({ is_anonymous: true, is_public_proxy: true })).toEqual({ anonymizer: 'proxy' });
    expect(adaptRecord({ is_hosting_provider: true })).toEqual({ anonymizer: 'hosting' });
  });

  it('GeoIP2 Enterprise traits', () => {
    expect(adaptRecord({ country: { iso_code: 'NL' }, traits: { autonomous_system_number: 9009, autonomous_system_organization: 'M247 Europe SRL', is_anonymous_vpn: true } })).toEqual({
      country: 'NL',
      asn: 9009,
      asOrg: 'M247 Europe SRL',
      anonymizer: 'vpn',
    });
  });

  it('IPinfo Lite / country_asn / standard location / ASN / privacy shapes', () => {
    expect(adaptRecord({ asn: 'AS15169', as_name: 'Google LLC', as_domain: 'google.com', country_code: 'US', country: 'United States', continent: 'North America' })).toEqual({
      country: 'US',
      asn: 15169,
      asOrg: 'Google LLC',
    });
    expect(adaptRecord({ city: 'Berlin', country: 'DE', lat: '52.52437', lng: '13.41053', org: 'AS24940 Hetzner Online GmbH' })).toEqual({
      country: 'DE',
      city: 'Berlin',
      lat: 52.52437,
      lon: 13.41053,
      asn: 24940,
      asOrg: 'Hetzner Online GmbH',
    });
    expect(adaptRecord({ asn: 'AS16276', name: 'OVH SAS', domain: 'ovh.com', type: 'hosting' })).toEqual({ asn: 16276, asOrg: 'OVH SAS', anonymizer: 'hosting' });
    expect(adaptRecord({ vpn: true, proxy: false, tor: false, relay: false, hosting: true })).toEqual({ anonymizer: 'vpn' });
  });

  it('ip-location-db flat records', () => {
    expect(adaptRecord({ country_code: 'jp' })).toEqual({ country: 'JP' });
    expect(adaptRecord({ autonomous_system_number: 2500, autonomous_system_organization: 'WIDE Project' })).toEqual({ asn: 2500, asOrg: 'WIDE Project' });
    expect(adaptRecord({ city: 'Tokyo', country_code: 'JP', latitude: 35.6895, longitude: 139.69171 })).toEqual({ country: 'JP', city: 'Tokyo', lat: 35.6895, lon: 139.69171 });
  });

  it('hostile records give nothing instead of crashing', () => {
    for (const rec of [null, 42, 'US', [], { country: { iso_code: 12 } }, { location: { latitude: 500, longitude: 0 } }, { asn: 'ASX' }, { autonomous_system_number: -3 }, JSON.parse('{"__proto__": {"country_code": "US"}}'), { country_code: 'ZZ' }, { org: 'x'.repeat(100_000) }])
      expect(adaptRecord(rec)).toEqual({});
    expect(adaptRecord({ city: 'y'.repeat(10_000), country_code: 'FR' }).city).toHaveLength(200);
  });

  it('kindOf reads databaseType', () => {
    expect(kindOf('GeoLite2-City')).toBe('city');
    expect(kindOf('GeoIP2-Country')).toBe('country');
    expect(kindOf('GeoLite2-ASN')).toBe('asn');
    expect(kindOf('GeoIP2-Anonymous-IP')).toBe('anonymous-ip');
    expect(kindOf('ipinfo ipinfo_lite.mmdb')).toBe('ipinfo');
    expect(kindOf('country ipvAll')).toBe('country');
  });
});

const bundled = findBundled();
describe.skipIf(!bundled)('openMmdb on the bundled geo-whois-asn-country.mmdb', () => {
  it('opens the file, reports its type and build date, and looks up v4 and v6', async () => {
    const db = await openMmdb(bundled!.countryMmdb);
    expect(db.kind).toBe('country');
    expect(db.buildDate?.getTime()).toBeGreaterThan(Date.UTC(2024, 0, 1));
    expect(db.lookup('8.8.8.8')).toEqual({ country: 'US' });
    expect(db.lookup('2001:4860:4860::8888')).toEqual({ country: 'US' });
    expect(db.lookup('10.0.0.1')).toBeUndefined();
    expect(db.lookup('garbage')).toBeUndefined();
  });
});

describe('openMmdb errors', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'vigil-mmdb-'));
  it('missing file → INPUT_UNREADABLE, not an MMDB → CONFIG, both naming the file', async () => {
    const missing = (await openMmdb(join(tmp, 'GeoLite2-City.mmdb')).catch((e: unknown) => e)) as VigilError;
    expect(missing).toBeInstanceOf(VigilError);
    expect(missing.code).toBe('INPUT_UNREADABLE');
    expect(missing.location).toContain('GeoLite2-City.mmdb');
    const junk = join(tmp, 'junk.mmdb');
    writeFileSync(junk, 'this is not a maxmind database\n'.repeat(10));
    const bad = (await openMmdb(junk).catch((e: unknown) => e)) as VigilError;
    expect(bad.code).toBe('CONFIG');
    expect(bad.location).toContain('junk.mmdb');
  });
});
