import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VigilError } from '../core/errors.js';
import { IndicatorMatcher, parseIntelFile, parseIntelText } from './index.js';
import { patternValues } from './stix.js';

const APT28_SET = 'intrusion-set--bef4c620-0787-42a8-a96d-b7eb6e85917c';
const T = '2024-03-01T00:00:00.000Z';

function bundle(objects: unknown[]): string {
  return JSON.stringify({ type: 'bundle', id: 'bundle--6b1b9b8e-2b9c-4b1e-9d0e-0f7c5b5b5b5b', objects });
}
const intrusionSet = {
  type: 'intrusion-set', spec_version: '2.1', id: APT28_SET, created: T, modified: T, name: 'APT28', aliases: ['Fancy Bear', 'STRONTIUM'],
  external_references: [{ source_name: 'mitre-attack', external_id: 'G0007' }],
};
function indicator(id: string, pattern: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'indicator', spec_version: '2.1', id: `indicator--${id}`, created: T, modified: T, pattern, pattern_type: 'stix', valid_from: T, ...extra };
}
function rel(n: string, from: string, type: string, to: string): Record<string, unknown> {
  return { type: 'relationship', spec_version: '2.1', id: `relationship--${n}`, created: T, modified: T, relationship_type: type, source_ref: from, target_ref: to };
}

describe('STIX patterns', () => {
  it('reads =, ISSUBSET, OR-joined comparisons and several observations; CIDR /32 is one address', () => {
    expect(patternValues("[ipv4-addr:value = '203.0.113.7']")).toEqual([{ kind: 'ip', value: '203.0.113.7' }]);
    expect(patternValues("[ipv4-addr:value ISSUBSET '198.51.100.0/24']")).toEqual([{ kind: 'cidr', value: '198.51.100.0/24' }]);
    expect(patternValues("[ipv4-addr:value = '203.0.113.8/32' OR ipv6-addr:value = '2001:DB8:0:0::1'] OR [domain-name:value = 'Evil.Example']")).toEqual([
      { kind: 'ip', value: '203.0.113.8' },
      { kind: 'ip', value: '2001:db8::1' },
      { kind: 'domain', value: 'evil.example' },
    ]);
  });

  it('refuses AND, FOLLOWEDBY and qualifiers, bad addresses, and huge patterns without hanging', () => {
    expect(patternValues("[ipv4-addr:value = '203.0.113.7' AND ipv4-addr:value = '203.0.113.8']")).toBeUndefined();
    expect(patternValues("[ipv4-addr:value = '203.0.113.7'] FOLLOWEDBY [ipv4-addr:value = '203.0.113.8']")).toBeUndefined();
    expect(patternValues("[ipv4-addr:value = '999.1.1.1']")).toBeUndefined();
    expect(patternValues("[file:hashes.MD5 = 'abc']")).toBeUndefined();
    expect(patternValues("[url:value = 'http://x/?q=AND']")).toEqual([{ kind: 'url', value: 'http://x/?q=AND' }]);
    const start = Date.now();
    expect(patternValues(`[ipv4-addr:value = '${"\\'".repeat(40_000)}`)).toBeUndefined();
    expect(Date.now() - start).toBeLessThan(1000);
  });
});

describe('STIX bundles', () => {
  it('ties indicators to the intrusion set directly and through a campaign, with validity', () => {
    const text = bundle([
      intrusionSet,
      indicator('11111111-1111-4111-8111-111111111111', "[ipv4-addr:value = '203.0.113.7']", { valid_until: '2024-06-01T00:00:00Z' }),
      indicator('22222222-2222-4222-8222-222222222222', "[ipv4-addr:value ISSUBSET '198.51.100.0/24']"),
      indicator('33333333-3333-4333-8333-333333333333', "[ipv4-addr:value = '192.0.2.1']"),
      { type: 'campaign', spec_version: '2.1', id: 'campaign--44444444-4444-4444-8444-444444444444', created: T, modified: T, name: 'spray' },
      rel('a1111111-1111-4111-8111-111111111111', 'indicator--11111111-1111-4111-8111-111111111111', 'indicates', APT28_SET),
      rel('a2222222-2222-4222-8222-222222222222', 'indicator--22222222-2222-4222-8222-222222222222', 'indicates', 'campaign--44444444-4444-4444-8444-444444444444'),
      rel('a3333333-3333-4333-8333-333333333333', 'campaign--44444444-4444-4444-8444-444444444444', 'attributed-to', APT28_SET),
      { type: 'indicator', id: 'indicator--bad', pattern: 42 },
      'not an object',
    ]);
    const r = parseIntelText(text, 'apt28.json');
    expect(r.indicators).toHaveLength(3);
    const [a, b, c] = r.indicators;
    expect(a).toMatchObject({ kind: 'ip', value: '203.0.113.7', source: 'apt28.json', validFrom: Date.parse(T), validUntil: Date.parse('2024-06-01T00:00:00Z') });
    expect(a!.actors).toEqual([{ name: 'APT28', aliases: ['Fancy Bear', 'STRONTIUM'], attackId: 'G0007', stixId: APT28_SET }]);
    expect(b).toMatchObject({ kind: 'cidr', value: '198.51.100.0/24' });
    expect(b!.actors.map((x) => x.name)).toEqual(['APT28']);
    expect(c!.actors).toEqual([]);
    expect(r.skipped).toBe(2);
  });

  it('hostile bundles: __proto__ keys, wrong types, relationship loops', () => {
    const text = '{"type":"bundle","objects":[{"__proto__":{"polluted":1},"type":"indicator","id":"indicator--x","pattern":"[ipv4-addr:value = \'192.0.2.9\']"},' +
      '{"type":"relationship","relationship_type":"indicates","source_ref":"indicator--x","target_ref":"campaign--c"},' +
      '{"type":"relationship","relationship_type":"attributed-to","source_ref":"campaign--c","target_ref":"campaign--c"},' +
      '{"type":"intrusion-set","id":"intrusion-set--y","name":["not","a","string"]},{"type":7},null]}';
    const r = parseIntelText(text, 'h.json');
    expect(r.indicators.map((i) => [i.value, i.actors.length])).toEqual([['192.0.2.9', 0]]);
    expect(r.skipped).toBe(2);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('a bundle with no objects array is reported, and broken JSON is a VigilError naming the file', () => {
    expect(parseIntelText('{"type":"bundle"}', 'x.json').problems[0]).toContain('no objects array');
    expect(() => parseIntelText('{"type":', 'x.json')).toThrow(VigilError);
  });
});

describe('MISP events', () => {
  it('reads ip-src, ip-dst|port and object attributes, actors from galaxy clusters and tags', () => {
    const ev = {
      Event: {
        info: 'spray infrastructure',
        Galaxy: [{ type: 'threat-actor', GalaxyCluster: [{ value: 'APT28', meta: { synonyms: ['Sofacy', 'STRONTIUM'] } }] }],
        Attribute: [
          { type: 'ip-src', value: '203.0.113.9', uuid: 'u1' },
          { type: 'ip-dst|port', value: '198.51.100.3|443', uuid: 'u2' },
          { type: 'ip-src', value: 'nonsense', uuid: 'u3' },
          { type: 'md5', value: 'd41d8cd98f00b204e9800998ecf8427e' },
          { type: 'ip-src', value: '192.0.2.5', uuid: 'u4', Tag: [{ name: 'misp-galaxy:threat-actor="APT29"' }] },
        ],
        Object: [{ Attribute: [{ type: 'ip-src', value: '2001:db8::5', uuid: 'u5' }] }],
      },
    };
    const r = parseIntelText(JSON.stringify({ response: [ev] }), 'misp.json');
    expect(r.indicators.map((i) => [i.value, i.actors.map((a) => a.name).join()])).toEqual([
      ['203.0.113.9', 'APT28'],
      ['198.51.100.3', 'APT28'],
      ['192.0.2.5', 'APT29'],
      ['2001:db8::5', 'APT28'],
    ]);
    expect(r.indicators[0]!.actors[0]!.aliases).toEqual(['Sofacy', 'STRONTIUM']);
    expect(r.skipped).toBe(1);
    expect(r.problems[0]).toContain('u3');
  });
});

describe('CSV lists and files', () => {
  it('reads ip,actor,source with a header, CIDRs, comments; names bad lines by number', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-intel-'));
    const file = join(dir, 'list.csv');
    writeFileSync(file, '# shared by a partner\nip,actor,source\n203.0.113.7,APT28,partner-isac\n198.51.100.0/24,APT28,\nnot-an-ip,APT28,x\n2001:db8::1,,y\n');
    const inds = parseIntelFile(file);
    expect(inds.map((i) => [i.kind, i.value, i.actors.map((a) => a.name).join(), i.source])).toEqual([
      ['ip', '203.0.113.7', 'APT28', 'partner-isac'],
      ['cidr', '198.51.100.0/24', 'APT28', 'list.csv'],
      ['ip', '2001:db8::1', '', 'y'],
    ]);
    const detail = parseIntelText('ip,actor\n1.2.3.4,X\nbad,Y\n', 'l.csv');
    expect(detail.problems).toEqual(['l.csv:3: not an address or network: bad']);
    expect(() => parseIntelFile(join(dir, 'missing.csv'))).toThrow(VigilError);
  });
});

describe('matcher', () => {
  it('matches exact addresses, IPv4 and IPv6 networks, mapped IPv4, and validity windows', () => {
    const m = new IndicatorMatcher([
      { kind: 'ip', value: '203.0.113.7', actors: [], source: 'a', validFrom: 1000, validUntil: 2000 },
      { kind: 'cidr', value: '198.51.100.0/24', actors: [], source: 'b' },
      { kind: 'cidr', value: '2001:db8:abcd::/48', actors: [], source: 'c' },
      { kind: 'cidr', value: '10.0.0.0/99', actors: [], source: 'bad' },
    ]);
    expect(m.match('203.0.113.7').map((i) => i.source)).toEqual(['a']);
    expect(m.match('203.0.113.7', 1500)).toHaveLength(1);
    expect(m.match('203.0.113.7', 2500)).toHaveLength(0);
    expect(m.match('198.51.100.200').map((i) => i.source)).toEqual(['b']);
    expect(m.match('::ffff:198.51.100.1').map((i) => i.source)).toEqual(['b']);
    expect(m.match('198.51.101.1')).toEqual([]);
    expect(m.match('2001:db8:abcd:ff::9').map((i) => i.source)).toEqual(['c']);
    expect(m.match('garbage')).toEqual([]);
    expect(m.match('1'.repeat(100_000))).toEqual([]);
  });
});
