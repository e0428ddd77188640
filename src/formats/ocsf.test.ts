import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RecordError } from '../core/errors.js';
import { ocsfParser } from './ocsf.js';
import type { ParseContext, RawRecord } from './types.js';

const lines = readFileSync(new URL('../../test/fixtures/ocsf/authentication.jsonl', import.meta.url), 'utf8').trim().split('\n');
const json = (value: unknown): RawRecord => ({ framing: 'json', value });
const rec = (i: number): RawRecord => json(JSON.parse(lines[i] ?? 'null') as unknown);
const ctx = (line = 1): ParseContext => ({ file: 'ocsf.jsonl', line, state: {} });
const parseLine = (i: number) => ocsfParser.parse(rec(i), ctx(i + 1));
const base = (i = 1): Record<string, unknown> => JSON.parse(lines[i] ?? '{}') as Record<string, unknown>;

describe('ocsf parser: Authentication 3002', () => {
  it('maps a success with endpoint, AS, location, user agent and protocol', () => {
    expect(parseLine(0)).toEqual([
      {
        time: 1711965600000,
        tenant: 'tenant-a',
        user: 'alice@example.org',
        srcIp: '198.51.100.40',
        outcome: 'success',
        source: 'ocsf',
        ref: 'ocsf-0001',
        protocol: 'oauth2',
        userAgent: 'Mozilla/5.0 (Macintosh) Safari/605.1.15',
        app: 'Exchange Online',
        asn: 64502,
        asOrg: 'Example Cloud',
        geo: { country: 'FR', city: 'Lyon', lat: 45.76, lon: 4.84 },
      },
    ]);
  });

  it('maps failures from status_code, else status_detail', () => {
    expect(parseLine(1)[0]).toMatchObject({ outcome: 'failure', reason: 'bad_password', code: '50126' });
    expect(parseLine(2)[0]).toMatchObject({ user: 'ghost', reason: 'unknown_user', code: '0xC0000064', protocol: 'ntlm' });
    expect(parseLine(3)[0]).toMatchObject({ reason: 'expired', credentialValid: true });
    expect(parseLine(8)[0]).toMatchObject({ outcome: 'mfa', reason: 'mfa_required', credentialValid: true });
  });

  it('Basic auth (auth_protocol_id 11) is legacy', () => {
    expect(parseLine(4)[0]).toMatchObject({ reason: 'bad_password', legacyAuth: true, protocol: 'basic' });
  });

  it('logoffs, other classes and unknown status give nothing', () => {
    expect(parseLine(5)).toEqual([]);
    expect(parseLine(6)).toEqual([]);
    expect(parseLine(7)).toEqual([]);
  });

  it('cloud.account.uid is the tenant when metadata has none; IPv4-mapped IPv6 is reduced', () => {
    expect(parseLine(9)[0]).toMatchObject({ tenant: '123456789012', srcIp: '10.1.2.3', user: 'frank@example.org' });
  });

  it('a "-" address is empty and file:line is the ref when metadata.uid is absent', () => {
    const v = base();
    v['src_endpoint'] = { ip: '-' };
    (v['metadata'] as Record<string, unknown>)['uid'] = undefined;
    expect(ocsfParser.parse(json(v), ctx(4))[0]).toMatchObject({ srcIp: '', ref: 'ocsf.jsonl:4' });
  });
});

describe('ocsf parser: malformed records', () => {
  it('missing or bad time names the field', () => {
    const v = base();
    delete v['time'];
    expect(() => ocsfParser.parse(json(v), ctx())).toThrow(RecordError);
    expect(() => ocsfParser.parse(json(v), ctx())).toThrow(/time/);
    expect(() => ocsfParser.parse(json({ ...base(), time: 'later' }), ctx())).toThrow(/time/);
    expect(() => ocsfParser.parse(json({ ...base(), time: 12 }), ctx())).toThrow(/time/);
  });

  it('wrong types name the field', () => {
    expect(() => ocsfParser.parse(json({ ...base(), status_id: 'failed' }), ctx())).toThrow(/status_id/);
    expect(() => ocsfParser.parse(json({ ...base(), user: { name: { first: 'a' } } }), ctx())).toThrow(/user\.name/);
    expect(() => ocsfParser.parse(json({ ...base(), src_endpoint: { ip: 3232235777 } }), ctx())).toThrow(/src_endpoint\.ip/);
    expect(() => ocsfParser.parse(json({ ...base(), class_uid: undefined }), ctx())).toThrow(/class_uid/);
    expect(() => ocsfParser.parse(json([]), ctx())).toThrow(RecordError);
  });

  it('hostile input does not crash', () => {
    const hostile = JSON.parse(
      `{"class_uid":3002,"__proto__":{"status_id":1},"time":1711965600000,"status_id":2,"status_detail":"${'q'.repeat(200000)}",` +
        `"user":{"name":"${'z'.repeat(10000)}"},"src_endpoint":{"ip":"::ffff:1.2.3.4","location":{"lat":"north"},"autonomous_system":{"number":-5}}}`,
    ) as unknown;
    const [ev] = ocsfParser.parse(json(hostile), ctx());
    expect(ev).toMatchObject({ outcome: 'failure', reason: 'other', srcIp: '1.2.3.4' });
    expect(ev?.user.length).toBeLessThanOrEqual(512);
    expect(ev?.asn).toBeUndefined();
    expect(ev?.geo).toBeUndefined();
  });
});

describe('ocsf parser: detection', () => {
  it('scores records of other formats below its own', () => {
    const own = ocsfParser.detect(rec(0));
    expect(own).toBeGreaterThanOrEqual(0.9);
    const text = readFileSync(new URL('../../test/fixtures/ecs/cross-format.jsonl', import.meta.url), 'utf8');
    for (const l of text.trim().split('\n')) {
      const s = JSON.parse(l) as { format: string; record: RawRecord };
      if (s.format !== 'ocsf') expect(ocsfParser.detect(s.record), s.format).toBeLessThan(own);
    }
  });
});
