import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BundledDb, findBundled, parseAsnCsv } from './bundled.js';
import { parseIPv4, parseIPv6 } from './ipnum.js';
import { RangeTableBuilder } from './ranges.js';

const present = findBundled() !== undefined;
const cacheDir = mkdtempSync(join(tmpdir(), 'vigil-bundled-'));

function lookup(db: BundledDb, ip: string): ReturnType<BundledDb['lookup']> {
  const w = new Uint32Array(4);
  const v4 = parseIPv4(ip);
  if (v4 < 0) parseIPv6(ip, w);
  return db.lookup(ip, v4, w);
}

describe('bundled CSV parsing', () => {
  it('reads quoted org names with doubled quotes and skips bad rows', () => {
    const b = new RangeTableBuilder();
    const bad = parseAsnCsv(
      '1.0.0.0,1.0.0.255,13335,"Cloudflare, Inc."\r\n2.26.200.0,2.26.215.255,201907,"LLC ""SPUTNIK"""\nbroken row\n3.0.0.0,x,1,Y\n',
      b,
      4,
    );
    expect(bad).toBe(2);
    const t = b.build();
    expect(t.info(4, t.findV4(parseIPv4('1.0.0.9')))).toEqual({ asn: 13335, asOrg: 'Cloudflare, Inc.' });
    expect(t.info(4, t.findV4(parseIPv4('2.26.201.1')))).toEqual({ asn: 201907, asOrg: 'LLC "SPUTNIK"' });
  });
});

describe.skipIf(!present)('bundled @ip-location-db data', () => {
  it('knows well-known resolvers (stable ASNs) and caches its parsed form', () => {
    const first = new BundledDb({ cacheDir });
    expect(lookup(first, '8.8.8.8')).toEqual({ asn: 15169, asOrg: 'Google LLC', country: 'US' });
    expect(first.status().asnLoad?.from).toBe('csv');
    expect(first.status().asnLoad?.v4).toBeGreaterThan(300_000);
    expect(readdirSync(cacheDir).some((f) => f.startsWith('asn-') && f.endsWith('.bin'))).toBe(true);

    const second = new BundledDb({ cacheDir });
    const cf = lookup(second, '1.1.1.1');
    expect(second.status().asnLoad?.from).toBe('cache');
    expect(cf.asn).toBe(13335);
    expect(cf.asOrg).toBe('Cloudflare, Inc.');
    expect(lookup(second, '2001:4860:4860::8888').asn).toBe(15169);
    expect(lookup(second, '2606:4700:4700::1111').asn).toBe(13335);
    // the country database reports its build date for `vigil doctor`
    expect(second.status().countryBuildDate?.getUTCFullYear()).toBeGreaterThanOrEqual(2024);
  });

  it('returns nothing for space no one announces', () => {
    const db = new BundledDb({ cacheDir: false });
    expect(lookup(db, '10.1.2.3')).toEqual({});
  });
});
