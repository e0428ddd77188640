import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RecordError } from '../core/errors.js';
import { gwsParser } from './gws.js';
import type { ParseContext, RawRecord } from './types.js';

const FIXTURE = new URL('../../test/fixtures/gws/login.jsonl', import.meta.url);
/** Elastic's fixture (Elastic License 2.0): read in place when present, never copied. */
const ELASTIC = '/work/shared/datasets/elastic-integrations-fixtures/google_workspace_login_test-login.log';
const lines = readFileSync(FIXTURE, 'utf8').trim().split('\n');
const json = (value: unknown): RawRecord => ({ framing: 'json', value });
const rec = (i: number): RawRecord => json(JSON.parse(lines[i] ?? 'null') as unknown);
const ctx = (line = 1, defaultTenant?: string): ParseContext => ({ file: 'gws.jsonl', line, state: {}, ...(defaultTenant ? { defaultTenant } : {}) });
const parseLine = (i: number) => gwsParser.parse(rec(i), ctx(i + 1));
const base = (i = 1): Record<string, unknown> => JSON.parse(lines[i] ?? '{}') as Record<string, unknown>;

describe('gws parser: login events', () => {
  it('maps login_success with customer id tenant, stable ref and networkInfo', () => {
    expect(parseLine(0)).toEqual([
      {
        time: Date.parse('2024-05-06T08:00:01.123Z'),
        tenant: 'c03az79cb',
        user: 'alice@example.org',
        srcIp: '198.51.100.20',
        outcome: 'success',
        source: 'gws',
        ref: '2024-05-06T08:00:01.123Z/-6123456789012345678',
        protocol: 'google_password',
        asn: 64500,
        geo: { country: 'DE' },
      },
    ]);
  });

  it('invalid password is a bad_password failure; is_suspicious becomes providerRisk', () => {
    expect(parseLine(1)[0]).toMatchObject({
      user: 'bob@example.org',
      outcome: 'failure',
      reason: 'bad_password',
      code: 'login_failure_invalid_password',
      providerRisk: 'suspicious',
    });
  });

  it('a wrong second factor proves the password', () => {
    expect(parseLine(2)[0]).toMatchObject({ outcome: 'mfa', reason: 'mfa_denied', credentialValid: true });
  });

  it('a failed challenge after the password is mfa_denied; a failed password challenge is bad_password', () => {
    expect(parseLine(3)[0]).toMatchObject({ user: 'carol@example.org', outcome: 'mfa', reason: 'mfa_denied', credentialValid: true });
    const [pw] = parseLine(4);
    expect(pw).toMatchObject({ user: 'dave@example.org', outcome: 'failure', reason: 'bad_password' });
    expect(pw?.credentialValid).toBeUndefined();
  });

  it('passed verifications and logouts are not sign-in attempts', () => {
    expect(parseLine(5)).toEqual([]);
    expect(parseLine(6)).toEqual([]);
  });

  it('login_type exchange is legacy auth; IPv4-mapped IPv6 is reduced', () => {
    expect(parseLine(10)[0]).toMatchObject({ outcome: 'success', legacyAuth: true, protocol: 'exchange', srcIp: '10.1.2.3' });
  });

  it('an events array yields one event per sign-in event, each with its own ref', () => {
    const evs = parseLine(11);
    expect(evs).toHaveLength(1);
    expect(evs[0]).toMatchObject({ outcome: 'success', ref: '2024-05-06T09:40:00.000Z/4721#1' });
  });

  it('other applications give no events', () => {
    expect(parseLine(12)).toEqual([]);
  });

  it('uses ownerDomain when customerId is absent, and a "-" address is empty', () => {
    const v = base();
    (v['id'] as Record<string, unknown>)['customerId'] = undefined;
    v['ownerDomain'] = 'Example.org';
    v['ipAddress'] = '-';
    expect(gwsParser.parse(json(v), ctx())[0]).toMatchObject({ tenant: 'example.org', srcIp: '' });
  });
});

describe('gws parser: account warnings', () => {
  it('suspicious_login is a success at login_timestamp for the affected account', () => {
    expect(parseLine(7)[0]).toMatchObject({
      user: 'erin@example.org',
      outcome: 'success',
      providerRisk: 'suspicious_login',
      time: Date.parse('2024-05-06T08:00:00.123Z'),
      srcIp: '203.0.113.77',
    });
  });

  it('gov_attack_warning and account_disabled_* carry the warning name', () => {
    expect(parseLine(8)[0]).toMatchObject({ user: 'frank@example.org', outcome: 'failure', reason: 'other', providerRisk: 'gov_attack_warning' });
    expect(parseLine(9)[0]).toMatchObject({ outcome: 'failure', reason: 'disabled', providerRisk: 'account_disabled_password_leak' });
  });
});

describe('gws parser: malformed records', () => {
  it('missing or bad id.time names the field', () => {
    const v = base();
    (v['id'] as Record<string, unknown>)['time'] = undefined;
    expect(() => gwsParser.parse(json(v), ctx())).toThrow(RecordError);
    expect(() => gwsParser.parse(json(v), ctx())).toThrow(/id\.time/);
    (v['id'] as Record<string, unknown>)['time'] = 'not a time at all';
    expect(() => gwsParser.parse(json(v), ctx())).toThrow(/id\.time/);
  });

  it('wrong types name the field', () => {
    expect(() => gwsParser.parse(json({ ...base(), events: 'login' }), ctx())).toThrow(/events/);
    expect(() => gwsParser.parse(json({ ...base(), events: [{ type: 'login', name: 7 }] }), ctx())).toThrow(/events\.name/);
    expect(() => gwsParser.parse(json({ ...base(), events: [{ name: 'login_success', parameters: {} }] }), ctx())).toThrow(/parameters/);
    expect(() => gwsParser.parse(json({ ...base(), ipAddress: 12345 }), ctx())).toThrow(/ipAddress/);
    expect(() => gwsParser.parse(json({ ...base(), actor: { email: ['x'] } }), ctx())).toThrow(/actor\.email/);
    expect(() => gwsParser.parse(json('text'), ctx())).toThrow(RecordError);
  });

  it('a bad login_timestamp names the parameter', () => {
    const v = JSON.parse(lines[7] ?? '{}') as { events: { parameters: { name: string; intValue?: string }[] }[] };
    const ts = v.events[0]?.parameters[1];
    if (ts) ts.intValue = 'soon';
    expect(() => gwsParser.parse(json(v), ctx())).toThrow(/login_timestamp/);
  });

  it('hostile input does not crash', () => {
    const hostile = JSON.parse(
      `{"kind":"admin#reports#activity","__proto__":{"x":1},"id":{"time":"2024-05-06T08:00:00Z","applicationName":"login","uniqueQualifier":1},` +
        `"actor":{"email":"${'m'.repeat(50000)}@x.org"},"events":[${'{"type":"login","name":"login_failure","parameters":[{"name":"__proto__","value":"x"},{"name":"login_failure_type","boolValue":"maybe"}]},'.repeat(300)}{}]}`,
    ) as unknown;
    const evs = gwsParser.parse(json(hostile), ctx());
    expect(evs.length).toBe(100); // capped
    expect(evs[0]).toMatchObject({ outcome: 'failure', reason: 'other' });
    expect(evs[0]?.user.length).toBeLessThanOrEqual(512);
  });
});

describe('gws parser: Elastic sample (read in place)', () => {
  it.skipIf(!existsSync(ELASTIC))('reads every line of the published layout, single-object events included', () => {
    const elastic = readFileSync(ELASTIC, 'utf8').trim().split('\n');
    const evs = elastic.flatMap((l, i) => gwsParser.parse(json(JSON.parse(l) as unknown), ctx(i + 1)));
    // 17 lines: logout, two passed challenges/verifications, risky_sensitive_action_allowed and the
    // newer-format passed verification are not sign-in attempts → 12 events
    expect(evs).toHaveLength(12);
    const failure = evs.find((e) => e.code === 'login_failure_access_code_disallowed');
    expect(failure).toMatchObject({ outcome: 'failure', reason: 'blocked', legacyAuth: true, user: 'foo@bar.com', tenant: '1' });
    const suspicious = evs.find((e) => e.providerRisk === 'suspicious' && e.outcome === 'success');
    expect(suspicious).toMatchObject({ srcIp: '67.43.156.13', protocol: 'google_password' });
    const gov = evs.find((e) => e.providerRisk === 'gov_attack_warning');
    expect(gov).toMatchObject({ user: 'foo@bar.com', time: Date.parse('2020-10-02T15:00:00Z') });
    const hijacked = evs.find((e) => e.providerRisk === 'account_disabled_hijacked');
    // login_timestamp 1593695305123456 µs = 2020-07-02T13:08:25.123Z; affected account, not the actor
    expect(hijacked).toMatchObject({ user: 'foo@elastic.co', reason: 'disabled', time: Date.parse('2020-07-02T13:08:25.123Z') });
  });
});

describe('gws parser: detection', () => {
  it('scores records of other formats below its own', () => {
    const own = gwsParser.detect(rec(0));
    expect(own).toBeGreaterThanOrEqual(0.9);
    const text = readFileSync(new URL('../../test/fixtures/ecs/cross-format.jsonl', import.meta.url), 'utf8');
    for (const l of text.trim().split('\n')) {
      const s = JSON.parse(l) as { format: string; record: RawRecord };
      if (s.format !== 'gws') expect(gwsParser.detect(s.record), s.format).toBeLessThan(own);
    }
  });
});
