import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RecordError } from '../core/errors.js';
import { ecsParser } from './ecs.js';
import type { ParseContext, RawRecord } from './types.js';

const lines = readFileSync(new URL('../../test/fixtures/ecs/authentication.jsonl', import.meta.url), 'utf8').trim().split('\n');
const json = (value: unknown): RawRecord => ({ framing: 'json', value });
const rec = (i: number): RawRecord => json(JSON.parse(lines[i] ?? 'null') as unknown);
const ctx = (line = 1): ParseContext => ({ file: 'ecs.jsonl', line, state: {} });
const parseLine = (i: number) => ecsParser.parse(rec(i), ctx(i + 1));
const base = (i = 1): Record<string, unknown> => JSON.parse(lines[i] ?? '{}') as Record<string, unknown>;

describe('ecs parser: authentication events', () => {
  it('maps a success with source AS, geo, user agent and organization tenant', () => {
    expect(parseLine(0)).toEqual([
      {
        time: Date.parse('2024-04-01T10:00:00.000Z'),
        tenant: 'org-42',
        user: 'alice@example.org',
        srcIp: '198.51.100.30',
        outcome: 'success',
        source: 'ecs',
        ref: 'evt-0001',
        userAgent: 'OpenVPN/2.6.8',
        app: 'corp-vpn',
        protocol: 'openvpn',
        asn: 64501,
        asOrg: 'Example Transit',
        geo: { country: 'FR', city: 'Paris', lat: 48.85, lon: 2.35 },
      },
    ]);
  });

  it('reads the failure reason from event.code (AADSTS, NTSTATUS) or event.reason text', () => {
    expect(parseLine(1)[0]).toMatchObject({ outcome: 'failure', reason: 'bad_password', code: '50126', tenant: 'org-42' });
    expect(parseLine(2)[0]).toMatchObject({ user: 'admin', reason: 'unknown_user' });
    expect(parseLine(3)[0]).toMatchObject({ reason: 'expired', credentialValid: true, code: '0xC0000071' });
    expect(parseLine(4)[0]).toMatchObject({ outcome: 'mfa', reason: 'mfa_denied', credentialValid: true });
    expect(parseLine(9)[0]).toMatchObject({ reason: 'locked', srcIp: '' });
  });

  it('reads flat dotted keys; cloud.account.id is the tenant; IPv4-mapped IPv6 is reduced', () => {
    expect(parseLine(5)[0]).toMatchObject({ user: 'bob', srcIp: '10.1.2.3', tenant: '123456789012', outcome: 'failure', reason: 'other', ref: 'ecs.jsonl:6' });
  });

  it('unknown outcome, other categories and logoffs give nothing', () => {
    expect(parseLine(6)).toEqual([]);
    expect(parseLine(7)).toEqual([]);
    expect(parseLine(8)).toEqual([]);
  });
});

describe('ecs parser: malformed records', () => {
  it('missing or bad @timestamp names the field', () => {
    const v = base();
    delete v['@timestamp'];
    expect(() => ecsParser.parse(json(v), ctx())).toThrow(RecordError);
    expect(() => ecsParser.parse(json(v), ctx())).toThrow(/@timestamp/);
    expect(() => ecsParser.parse(json({ ...base(), '@timestamp': true }), ctx())).toThrow(/@timestamp/);
  });

  it('wrong types name the field', () => {
    expect(() => ecsParser.parse(json({ ...base(), user: { name: 5 } }), ctx())).toThrow(/user\.name/);
    expect(() => ecsParser.parse(json({ ...base(), source: { ip: ['1.1.1.1'] } }), ctx())).toThrow(/source\.ip/);
    expect(() => ecsParser.parse(json({ ...base(), 'event.category': 7, event: undefined }), ctx())).toThrow(/event\.category/);
    expect(() => ecsParser.parse(json(null), ctx())).toThrow(RecordError);
  });

  it('hostile input does not crash', () => {
    const hostile = JSON.parse(
      `{"__proto__":{"event":{"category":"authentication"}},"@timestamp":"2024-04-01T10:00:00Z","event":{"category":["authentication"],"outcome":"failure",` +
        `"reason":"${'x'.repeat(200000)}","code":{"nested":1}},"user":{"name":"${'n'.repeat(9000)}"},"source":{"as":{"number":"lots"}}}`,
    ) as unknown;
    expect(() => ecsParser.parse(json(hostile), ctx())).toThrow(/event\.code/);
    const ok = JSON.parse(JSON.stringify(hostile).replace('{"nested":1}', '"E1"')) as unknown;
    const [ev] = ecsParser.parse(json(ok), ctx());
    expect(ev).toMatchObject({ reason: 'other' });
    expect(ev?.user.length).toBeLessThanOrEqual(512);
    expect(ev?.asn).toBeUndefined();
    // a prototype-polluting key does not make a non-auth record look like one
    expect(ecsParser.parse(json(JSON.parse('{"__proto__":{"event":{"category":"authentication"}},"@timestamp":"2024-04-01T10:00:00Z"}')), ctx())).toEqual([]);
  });
});

describe('ecs parser: detection', () => {
  it('scores records of other formats (Winlogbeat included) below its own', () => {
    const own = ecsParser.detect(rec(0));
    expect(own).toBeGreaterThanOrEqual(0.7);
    const text = readFileSync(new URL('../../test/fixtures/ecs/cross-format.jsonl', import.meta.url), 'utf8');
    for (const l of text.trim().split('\n')) {
      const s = JSON.parse(l) as { format: string; record: RawRecord };
      if (s.format !== 'ecs') expect(ecsParser.detect(s.record), s.format).toBeLessThan(own);
    }
  });
});
