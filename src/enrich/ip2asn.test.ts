import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { VigilError } from '../core/errors.js';
import { loadIp2asn } from './ip2asn.js';
import { parseIPv4, parseIPv6 } from './ipnum.js';
import { RangeTable, RangeTableBuilder } from './ranges.js';

const FIXTURE = new URL('../../test/fixtures/enrich/ip2asn-small.tsv', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'vigil-ip2asn-'));

function v4(table: RangeTable, ip: string): ReturnType<RangeTable['info']> | undefined {
  const row = table.findV4(parseIPv4(ip));
  return row < 0 ? undefined : table.info(4, row);
}
function v6(table: RangeTable, ip: string): ReturnType<RangeTable['info']> | undefined {
  const w = new Uint32Array(4);
  if (!parseIPv6(ip, w)) throw new Error(ip);
  const row = table.findV6(w);
  return row < 0 ? undefined : table.info(6, row);
}

describe('ip2asn TSV', () => {
  it('maps IPv4 and IPv6 addresses to ASN, AS name and country', async () => {
    const { table } = await loadIp2asn(FIXTURE);
    expect(table.counts).toEqual({ v4: 6, v6: 2 });
    expect(v4(table, '1.0.0.1')).toEqual({ asn: 13335, asOrg: 'CLOUDFLARENET', country: 'US' });
    expect(v4(table, '1.0.7.255')).toEqual({ asn: 38803, asOrg: 'GTELECOM-AUSTRALIA Gtelecom Pty Ltd', country: 'AU' });
    expect(v4(table, '8.8.8.8')).toEqual({ asn: 15169, asOrg: 'GOOGLE', country: 'US' });
    expect(v6(table, '2001:db8::1')).toEqual({ asn: 64502, asOrg: 'EXAMPLE-V6', country: 'NL' });
    expect(v6(table, '2a03:2880:f12f::1')).toEqual({ asn: 32934, asOrg: 'FACEBOOK', country: 'US' });
  });

  it('AS 0 "Not routed" gives no ASN; "ZZ" gives no country; gaps give nothing', async () => {
    const { table } = await loadIp2asn(FIXTURE);
    expect(v4(table, '1.0.2.3')).toEqual({});
    expect(v4(table, '192.0.2.5')).toEqual({ asn: 64500, asOrg: 'EXAMPLE-DOC-AS' });
    expect(v4(table, '1.0.8.0')).toBeUndefined();
    expect(v4(table, '0.255.255.255')).toBeUndefined();
    expect(v6(table, '2001:db9::')).toBeUndefined();
  });

  it('reads gzip files and the -u32 decimal variant', async () => {
    const gz = join(tmp, 'ip2asn-v4.tsv.gz');
    writeFileSync(gz, gzipSync(readFileSync(FIXTURE)));
    const { table } = await loadIp2asn(gz);
    expect(v4(table, '8.8.8.8')?.asn).toBe(15169);
    const u32 = join(tmp, 'ip2asn-v4-u32.tsv');
    writeFileSync(u32, '134744064\t134744319\t15169\tUS\tGOOGLE\n');
    expect(v4((await loadIp2asn(u32)).table, '8.8.8.8')).toEqual({ asn: 15169, asOrg: 'GOOGLE', country: 'US' });
  });

  it('reports a malformed line with file:line', async () => {
    const bad = join(tmp, 'bad.tsv');
    writeFileSync(bad, '1.0.0.0\t1.0.0.255\t13335\tUS\tX\n1.0.1.0\t1.0.1.255\tAS12\tUS\tY\n');
    const err = await loadIp2asn(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VigilError);
    expect((err as VigilError).code).toBe('CONFIG');
    expect((err as VigilError).location).toMatch(/bad\.tsv:2: .*AS_number/);
    const csv = join(tmp, 'not-tsv.csv');
    writeFileSync(csv, 'start,end,asn\n');
    expect(((await loadIp2asn(csv).catch((e: unknown) => e)) as VigilError).location).toMatch(/not-tsv\.csv:1: /);
  });

  it('a missing file is INPUT_UNREADABLE naming the file; an empty one is CONFIG', async () => {
    const err = (await loadIp2asn(join(tmp, 'nope.tsv')).catch((e: unknown) => e)) as VigilError;
    expect(err.code).toBe('INPUT_UNREADABLE');
    expect(err.location).toContain('nope.tsv');
    const empty = join(tmp, 'empty.tsv');
    writeFileSync(empty, '# nothing\n');
    expect(((await loadIp2asn(empty).catch((e: unknown) => e)) as VigilError).code).toBe('CONFIG');
  });
});

describe('RangeTable', () => {
  it('sorts unsorted input and lets a later overlapping range win', () => {
    const b = new RangeTableBuilder();
    b.addV4(parseIPv4('10.0.2.0'), parseIPv4('10.0.2.255'), 3, 'C', 'FR');
    // the DoD-style overlap seen in @ip-location-db/asn: B starts inside A
    b.addV4(parseIPv4('10.0.0.0'), parseIPv4('10.0.1.127'), 1, 'A', 'US');
    b.addV4(parseIPv4('10.0.1.0'), parseIPv4('10.0.1.255'), 2, 'B', 'DE');
    const t = b.build();
    expect(v4(t, '10.0.0.200')?.asn).toBe(1);
    expect(v4(t, '10.0.1.5')?.asn).toBe(2);
    expect(v4(t, '10.0.1.200')?.asn).toBe(2);
    expect(v4(t, '10.0.2.1')).toEqual({ asn: 3, asOrg: 'C', country: 'FR' });
  });

  it('serialize/deserialize gives the same answers and rejects damaged data', async () => {
    const { table } = await loadIp2asn(FIXTURE);
    const copy = RangeTable.deserialize(table.serialize());
    expect(copy).toBeDefined();
    for (const ip of ['1.0.0.1', '8.8.8.8', '192.0.2.5', '1.0.2.3', '9.9.9.9']) expect(v4(copy!, ip)).toEqual(v4(table, ip));
    expect(v6(copy!, '2a03:2880::5')).toEqual(v6(table, '2a03:2880::5'));
    const buf = table.serialize();
    expect(RangeTable.deserialize(buf.subarray(0, buf.length - 3))).toBeUndefined();
    expect(RangeTable.deserialize(Buffer.from('not a table at all, not at all'))).toBeUndefined();
  });
});
