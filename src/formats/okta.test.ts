import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RecordError } from '../core/errors.js';
import { oktaParser } from './okta.js';
import { ecsParser } from './ecs.js';
import { gwsParser } from './gws.js';
import { ocsfParser } from './ocsf.js';
import { windowsParser } from './windows.js';
import type { ParseContext, RawRecord } from './types.js';

const FIXTURE = new URL('../../test/fixtures/okta/system-log.jsonl', import.meta.url);
const lines = readFileSync(FIXTURE, 'utf8').trim().split('\n');
const rec = (i: number): RawRecord => ({ framing: 'json', value: JSON.parse(lines[i] ?? 'null') as unknown });
const ctx = (line = 1): ParseContext => ({ file: 'okta.jsonl', line, state: {} });
const parseLine = (i: number) => oktaParser.parse(rec(i), ctx(i + 1));
const json = (value: unknown): RawRecord => ({ framing: 'json', value });

describe('okta parser: sign-in outcomes', () => {
  it('maps a successful primary sign-in with client, geo and AS context', () => {
    const [ev] = parseLine(0);
    expect(ev).toMatchObject({
      time: Date.parse('2024-03-04T09:15:02.113Z'),
      user: 'alice@example.org',
      tenant: 'example.org',
      srcIp: '198.51.100.7',
      outcome: 'success',
      source: 'okta',
      ref: 'a1f0c6e2-0001-11ee-9c1a-0b5e4f1f0001',
      asn: 3320,
      asOrg: 'deutsche telekom ag',
      geo: { city: 'Berlin', country: 'Germany', lat: 52.52, lon: 13.4 },
    });
    expect(ev?.userAgent).toContain('Chrome/120.0');
    expect(ev?.reason).toBeUndefined();
    expect(ev?.anonymizer).toBeUndefined();
  });

  it('INVALID_CREDENTIALS is a bad password; isProxy and threatSuspected are kept', () => {
    const [ev] = parseLine(1);
    expect(ev).toMatchObject({
      user: 'bob@example.org',
      outcome: 'failure',
      reason: 'bad_password',
      code: 'INVALID_CREDENTIALS',
      anonymizer: 'proxy',
      providerRisk: 'threat_suspected',
      asn: 60729,
    });
    expect(ev?.credentialValid).toBeUndefined();
  });

  it('actor.id "unknown" marks an unknown user, keeping the attempted login name', () => {
    expect(parseLine(2)[0]).toMatchObject({ user: 'ghost@example.org', outcome: 'failure', reason: 'unknown_user' });
  });

  it('LOCKED_OUT and user.account.lock are locked', () => {
    expect(parseLine(3)[0]).toMatchObject({ outcome: 'failure', reason: 'locked', code: 'LOCKED_OUT' });
    expect(parseLine(7)[0]).toMatchObject({ outcome: 'failure', reason: 'locked', user: 'bob@example.org' });
  });

  it('a failed MFA step after the password proves the password (credentialValid)', () => {
    expect(parseLine(4)[0]).toMatchObject({ outcome: 'mfa', reason: 'mfa_denied', credentialValid: true });
  });

  it('a push sent is mfa_required and a denied push is mfa_denied, both with a valid password', () => {
    expect(parseLine(5)[0]).toMatchObject({ outcome: 'mfa', reason: 'mfa_required', credentialValid: true, srcIp: '192.0.2.44' });
    expect(parseLine(6)[0]).toMatchObject({ outcome: 'mfa', reason: 'mfa_denied', credentialValid: true });
  });

  it('ThreatInsight detections are blocked failures with providerRisk; IPv4-mapped IPv6 is reduced', () => {
    const [ev] = parseLine(8);
    expect(ev).toMatchObject({ outcome: 'failure', reason: 'blocked', providerRisk: 'threat_detected', srcIp: '10.1.2.3', user: '' });
  });

  it('SSO success names the application from target[]', () => {
    expect(parseLine(9)[0]).toMatchObject({ outcome: 'success', app: 'Salesforce.com' });
  });

  it('Identity Engine factor failure is mfa_denied without claiming the password; "-" address is empty', () => {
    const [ev] = parseLine(11);
    expect(ev).toMatchObject({ outcome: 'mfa', reason: 'mfa_denied', srcIp: '' });
    expect(ev?.credentialValid).toBeUndefined();
  });

  it('reads a HIGH behaviour risk and compresses IPv6', () => {
    expect(parseLine(13)[0]).toMatchObject({ providerRisk: 'risk_high', srcIp: '2001:db8::7' });
  });

  it('logout, policy evaluation and other event types give no events', () => {
    expect(parseLine(10)).toEqual([]);
    expect(parseLine(12)).toEqual([]);
    expect(oktaParser.parse(json({ eventType: 'user.lifecycle.create', published: '2024-01-01T00:00:00Z' }), ctx())).toEqual([]);
  });

  it('--tenant is used when given, and the file:line is the ref when uuid is absent', () => {
    const v = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    delete v['uuid'];
    const [ev] = oktaParser.parse(json(v), { file: 'x.json', line: 7, defaultTenant: 'acme', state: {} });
    expect(ev).toMatchObject({ tenant: 'acme', ref: 'x.json:7' });
  });
});

describe('okta parser: malformed records', () => {
  const base = (): Record<string, unknown> => JSON.parse(lines[1] ?? '{}') as Record<string, unknown>;

  it('missing or wrong-typed published names the field', () => {
    const v = base();
    delete v['published'];
    expect(() => oktaParser.parse(json(v), ctx())).toThrow(RecordError);
    expect(() => oktaParser.parse(json(v), ctx())).toThrow(/published/);
    expect(() => oktaParser.parse(json({ ...base(), published: 12 }), ctx())).toThrow(/published/);
    expect(() => oktaParser.parse(json({ ...base(), published: 'yesterday-ish' }), ctx())).toThrow(/published/);
  });

  it('wrong types in identity fields name the field', () => {
    expect(() => oktaParser.parse(json({ ...base(), actor: { alternateId: 42 } }), ctx())).toThrow(/actor\.alternateId/);
    expect(() => oktaParser.parse(json({ ...base(), client: { ipAddress: ['1.2.3.4'] } }), ctx())).toThrow(/client\.ipAddress/);
    expect(() => oktaParser.parse(json({ ...base(), outcome: {} }), ctx())).toThrow(/outcome\.result/);
    expect(() => oktaParser.parse(json({ ...base(), eventType: 5 }), ctx())).toThrow(/eventType/);
    expect(() => oktaParser.parse(json([1, 2]), ctx())).toThrow(RecordError);
  });

  it('hostile values do not crash: __proto__ keys, huge strings, wrong-typed enrichment', () => {
    const hostile = JSON.parse(
      `{"__proto__":{"eventType":"x"},"eventType":"user.session.start","published":"2024-03-04T09:15:02Z",` +
        `"actor":{"id":"00u1","alternateId":"${'a'.repeat(5000)}@x.org","__proto__":{"id":"unknown"}},` +
        `"outcome":{"result":"FAILURE","reason":"${'Z'.repeat(100000)}"},"securityContext":{"asNumber":"AS?","isProxy":"yes"},` +
        `"client":{"ipAddress":"${'9'.repeat(100000)}","geographicalContext":"nowhere"}}`,
    ) as unknown;
    const [ev] = oktaParser.parse(json(hostile), ctx());
    expect(ev?.outcome).toBe('failure');
    expect(ev?.reason).toBe('other');
    expect(ev?.srcIp).toBe('');
    expect(ev?.user.length).toBeLessThanOrEqual(512);
    expect((ev?.code ?? '').length).toBeLessThanOrEqual(64);
    expect(ev?.asn).toBeUndefined();
    expect(ev?.anonymizer).toBeUndefined();
  });
});

describe('okta parser: detection', () => {
  it('claims its own records above every other format, and no parser of mine steals them', () => {
    const own = oktaParser.detect(rec(0));
    expect(own).toBeGreaterThanOrEqual(0.9);
    for (const p of [gwsParser, windowsParser, ecsParser, ocsfParser]) expect(p.detect(rec(0))).toBeLessThan(own);
  });

  it('scores records of other formats below its own', () => {
    const own = oktaParser.detect(rec(0));
    for (const other of foreignSamples()) expect(oktaParser.detect(other)).toBeLessThan(own);
  });
});

/** One record of every format Vigil reads (test/fixtures/ecs/cross-format.jsonl), except the named one. */
function foreignSamples(own = 'okta'): RawRecord[] {
  const text = readFileSync(new URL('../../test/fixtures/ecs/cross-format.jsonl', import.meta.url), 'utf8');
  return text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { format: string; record: RawRecord })
    .filter((s) => s.format !== own)
    .map((s) => s.record);
}
