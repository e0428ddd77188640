import { existsSync, readFileSync } from 'node:fs';
import { parse as parseCsv } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { RecordError } from '../core/errors.js';
import type { AuthEvent } from '../core/types.js';
import { o365Parser } from './o365.js';
import type { ParseContext, RawRecord } from './types.js';

const ctx = (extra: Partial<ParseContext> = {}): ParseContext => ({ file: 'audit.json', line: 3, state: {}, ...extra });
const json = (value: unknown): RawRecord => ({ framing: 'json', value });
const row = (value: Record<string, string>): RawRecord => ({ framing: 'csv', value });
const fixture = (name: string): string => new URL(`../../test/fixtures/o365/${name}`, import.meta.url).pathname;

function one(record: RawRecord, c: ParseContext = ctx()): AuthEvent {
  const events = o365Parser.parse(record, c);
  expect(events).toHaveLength(1);
  return events[0] as AuthEvent;
}

function readCsv(path: string): Record<string, string>[] {
  return parseCsv(readFileSync(path), { bom: true, columns: true, skip_empty_lines: true }) as Record<string, string>[];
}

const ORG = '3e1f9a62-7c4d-4e0b-a1d5-9b8c7f6e5d41';
const CHROME = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';

/** A minimal AzureActiveDirectoryStsLogon record (Management Activity API schema). */
function sts(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    CreationTime: '2025-03-05T10:00:00',
    Id: 'c3000000-0000-4000-8000-000000000001',
    Operation: 'UserLoginFailed',
    OrganizationId: ORG,
    RecordType: 15,
    ResultStatus: 'Failed',
    UserId: 'kim@example.net',
    ClientIP: '192.0.2.10',
    Workload: 'AzureActiveDirectory',
    ...overrides,
  };
}

describe('o365: Management Activity API records', () => {
  const lines = readFileSync(fixture('sts-logon.jsonl'), 'utf8').split('\n').filter((l) => l.trim() !== '');
  const records = lines.map((l) => JSON.parse(l) as unknown);
  const parsed = records.map((r, i) => o365Parser.parse(json(r), ctx({ file: 'sts-logon.jsonl', line: i + 1 })));

  it('maps a UserLoggedIn record field by field (CreationTime has no zone: UTC)', () => {
    expect(parsed[0]).toEqual([
      {
        time: Date.UTC(2025, 2, 5, 9, 0, 1),
        tenant: ORG,
        user: 'ana.silva@example.net',
        srcIp: '198.51.100.40',
        outcome: 'success',
        code: '0',
        userAgent: CHROME,
        app: '4765445b-32c6-49b0-83e6-1d93765276ca',
        source: 'o365',
        ref: 'b2000000-0000-4000-8000-000000000001',
      },
    ]);
  });

  it('trusts LogonError over ResultStatus "Success" on UserLoginFailed', () => {
    expect((records[1] as { ResultStatus: string }).ResultStatus).toBe('Success');
    expect(parsed[1]?.[0]).toMatchObject({ outcome: 'failure', reason: 'bad_password', code: '50126', srcIp: '203.0.113.9' });
  });

  it('maps unknown users, MFA demands, lockouts over ROPC and KMSI interrupts', () => {
    expect(parsed[2]?.[0]).toMatchObject({ user: 'ghost@example.net', outcome: 'failure', reason: 'unknown_user', code: '50034', srcIp: '2001:db8::77' });
    expect(parsed[3]?.[0]).toMatchObject({ user: 'lee.park@example.net', outcome: 'mfa', reason: 'mfa_required', credentialValid: true, code: '50076' });
    expect(parsed[4]?.[0]).toMatchObject({ outcome: 'failure', reason: 'locked', code: '50053', protocol: 'ropc', legacyAuth: true, userAgent: 'BAV2ROPC' });
    expect(parsed[5]).toEqual([]);
  });

  it('returns nothing for other operations', () => {
    expect((records[6] as { Operation: string }).Operation).toBe('FileAccessed');
    expect(parsed[6]).toEqual([]);
    expect(o365Parser.parse(json(sts({ Operation: 'PageViewed', RecordType: 4 })), ctx())).toEqual([]);
    // a logon operation name on a non-logon record type is not a sign-in record
    expect(o365Parser.parse(json(sts({ Operation: 'UserLoggedIn', RecordType: 8 })), ctx())).toEqual([]);
  });

  it.each([
    ['InvalidUserNameOrPassword', 'failure', 'bad_password', undefined, '50126'],
    ['UserAccountNotFound', 'failure', 'unknown_user', undefined, '50034'],
    ['IdsLocked', 'failure', 'locked', undefined, '50053'],
    ['UserDisabled', 'failure', 'disabled', undefined, '50057'],
    ['InvalidPasswordExpiredPassword', 'failure', 'expired', true, '50055'],
    ['UserStrongAuthClientAuthNRequired', 'mfa', 'mfa_required', true, '50076'],
    ['UserStrongAuthClientAuthNRequiredInterrupt', 'mfa', 'mfa_required', true, '50074'],
    ['BlockedByConditionalAccess', 'failure', 'blocked', true, '53003'],
    ['SomethingMicrosoftAddedLater', 'failure', 'other', undefined, 'SomethingMicrosoftAddedLater'],
  ])('LogonError %s → %s / %s', (LogonError, outcome, reason, credentialValid, code) => {
    const e = one(json(sts({ LogonError })));
    expect(e).toMatchObject({ outcome, reason, code });
    expect(e.credentialValid).toBe(credentialValid);
  });

  it('prefers ErrorNumber / ErrorCode over the symbolic name, and the operation decides without codes', () => {
    expect(one(json(sts({ ErrorNumber: '500121', LogonError: 'Unknown' })))).toMatchObject({ outcome: 'mfa', reason: 'mfa_denied', code: '500121' });
    expect(one(json(sts({ ErrorCode: '50057' })))).toMatchObject({ reason: 'disabled', code: '50057' });
    expect(one(json(sts()))).toMatchObject({ outcome: 'failure', reason: 'other' });
    expect(one(json(sts({ Operation: 'UserLoggedIn', ResultStatus: 'Failed' })))).toMatchObject({ outcome: 'success' });
    expect(one(json(sts({ ErrorNumber: '0' })))).toMatchObject({ outcome: 'failure', code: '0' });
  });

  it('accepts the legacy RecordType 9 and the tenant fallbacks', () => {
    const e = one(json(sts({ RecordType: 9, OrganizationId: undefined, Id: undefined })), ctx({ defaultTenant: 'acme' }));
    expect(e).toMatchObject({ tenant: 'acme', ref: 'audit.json:3' });
    expect(one(json(sts({ OrganizationId: '' }))).tenant).toBe('example.net');
  });
});

describe('o365: Purview unified audit log CSV export', () => {
  const rows = readCsv(fixture('ual-export.csv'));

  it('parses the AuditData JSON (multi-line cell) of logon rows', () => {
    expect(rows).toHaveLength(3);
    expect(rows[0]?.AuditData).toContain('\n');
    expect(o365Parser.detect(row(rows[0] as Record<string, string>))).toBeGreaterThanOrEqual(0.9);
    expect(one(row(rows[0] as Record<string, string>))).toMatchObject({
      time: Date.UTC(2025, 2, 5, 9, 0, 7),
      tenant: ORG,
      user: 'ana.silva@example.net',
      srcIp: '203.0.113.9',
      outcome: 'failure',
      reason: 'bad_password',
      ref: 'b2000000-0000-4000-8000-000000000002',
    });
    expect(one(row(rows[1] as Record<string, string>))).toMatchObject({ outcome: 'success', srcIp: '198.51.100.40' });
  });

  it('skips non-logon rows without reading their AuditData', () => {
    expect(rows[2]?.AuditData).toBe('{not json at all');
    expect(o365Parser.parse(row(rows[2] as Record<string, string>), ctx())).toEqual([]);
  });

  it('falls back to the row columns when AuditData lacks them', () => {
    const audit = JSON.stringify({ Operation: 'UserLoginFailed', RecordType: 15, LogonError: 'IdsLocked', ClientIP: '192.0.2.77' });
    const e = one(row({ CreationDate: '2025-03-05T11:12:13.0000000Z', UserIds: 'Zoe@Example.net', Operations: 'UserLoginFailed', AuditData: audit }));
    expect(e).toMatchObject({ time: Date.UTC(2025, 2, 5, 11, 12, 13), user: 'zoe@example.net', reason: 'locked', srcIp: '192.0.2.77' });
  });

  it('rejects a logon row whose AuditData is broken', () => {
    const bad = { CreationDate: '2025-03-05T11:12:13Z', UserIds: 'a@b.c', Operations: 'UserLoggedIn', AuditData: '{"Operation": ' };
    expect(() => o365Parser.parse(row(bad), ctx())).toThrow(RecordError);
    expect(() => o365Parser.parse(row(bad), ctx())).toThrow(/AuditData/);
    expect(() => o365Parser.parse(row({ ...bad, AuditData: '[1,2]' }), ctx())).toThrow(/AuditData: not a JSON object/);
  });
});

describe('o365: Sentinel OfficeActivity CSV', () => {
  it('maps a logon row in the OfficeActivity shape', () => {
    const e = one(
      row({
        'TimeGenerated [UTC]': '4/28/2021, 3:05:26.000 PM',
        RecordType: 'AzureActiveDirectoryStsLogon',
        Operation: 'UserLoginFailed',
        OrganizationId: '2ad3fc79-1859-42fa-9011-6f8df2251b22',
        UserId: 'johns@m365x816222.onmicrosoft.com',
        ClientIP: '175.45.176.99',
        LogonError: 'UserDisabled',
        ResultStatus: 'Succeeded',
        ExtendedProperties: '[{"Name":"UserAgent","Value":"Mozilla/5.0 Edg/90.0.818.49"}]',
        Type: 'OfficeActivity',
      }),
    );
    expect(e).toMatchObject({
      time: Date.UTC(2021, 3, 28, 15, 5, 26),
      tenant: '2ad3fc79-1859-42fa-9011-6f8df2251b22',
      user: 'johns@m365x816222.onmicrosoft.com',
      srcIp: '175.45.176.99',
      outcome: 'failure',
      reason: 'disabled',
      code: '50057',
      userAgent: 'Mozilla/5.0 Edg/90.0.818.49',
    });
  });

  const lab = '/work/shared/datasets/sentinel-training-lab/office_activity.csv';
  it.skipIf(!existsSync(lab))('finds no sign-ins among the 266 SharePoint/Exchange/Teams rows of the lab export', () => {
    const rows = readCsv(lab);
    expect(rows).toHaveLength(266);
    expect(o365Parser.detect(row(rows[0] as Record<string, string>))).toBeGreaterThanOrEqual(0.9);
    expect(rows.flatMap((r) => o365Parser.parse(row(r), ctx()))).toEqual([]);
  });
});

describe('o365: malformed and hostile records', () => {
  const throwsNaming = (record: RawRecord, field: RegExp): void => {
    let caught: unknown;
    try {
      o365Parser.parse(record, ctx());
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(RecordError);
    expect((caught as Error).message).toMatch(field);
  };

  it('names the missing or mistyped field', () => {
    throwsNaming(json(sts({ CreationTime: undefined })), /CreationTime: missing/);
    throwsNaming(json(sts({ CreationTime: true })), /CreationTime/);
    throwsNaming(json(sts({ CreationTime: 'not a time at all' })), /CreationTime/);
    throwsNaming(json(sts({ UserId: undefined })), /UserId: missing/);
    throwsNaming(json(sts({ UserId: 5 })), /UserId: not a string/);
    throwsNaming(json(sts({ Operation: undefined })), /Operation: missing/);
    throwsNaming(json(sts({ Operation: { x: 1 } })), /Operation: not a string/);
    throwsNaming(json(sts({ ErrorNumber: 'fifty' })), /ErrorNumber/);
    throwsNaming(json(null), /record/);
    throwsNaming(json([sts()]), /record/);
  });

  it('survives odd nested types and __proto__ keys', () => {
    const e = one(json(sts({ ExtendedProperties: [null, 3, { Name: 'UserAgent', Value: 7 }, { __proto__: { Name: 'UserAgent' } }], ClientIP: 12 })));
    expect(e.userAgent).toBeUndefined();
    expect(e.srcIp).toBe('');
    const hostile: unknown = JSON.parse('{"__proto__":{"UserId":"evil@x.y"},"CreationTime":"2025-01-01T00:00:00","Operation":"UserLoggedIn","RecordType":15}');
    throwsNaming(json(hostile), /UserId: missing/);
  });
});

describe('o365: detect', () => {
  it('is sure of its own shapes', () => {
    expect(o365Parser.detect(json(sts()))).toBeGreaterThanOrEqual(0.9);
    expect(o365Parser.detect(json(sts({ Operation: 'FileAccessed', RecordType: 6 })))).toBeGreaterThanOrEqual(0.9);
    expect(o365Parser.detect(row({ CreationDate: '', UserIds: '', Operations: '', AuditData: '' }))).toBeGreaterThanOrEqual(0.9);
  });

  it('does not claim Entra, Okta, Google Workspace or Windows records', () => {
    const entra = { id: '1', createdDateTime: '2025-01-01T00:00:00Z', userPrincipalName: 'a@b.c', ipAddress: '192.0.2.1', status: { errorCode: 0 } };
    const entraEnvelope = { time: '2025-01-01T00:00:00Z', category: 'SignInLogs', operationName: 'Sign-in activity', properties: entra };
    const okta = { uuid: 'u', published: '2025-01-01T00:00:00Z', eventType: 'user.session.start', actor: { alternateId: 'a@b.c' }, outcome: { result: 'SUCCESS' } };
    const gws = { kind: 'admin#reports#activity', id: { time: '2025-01-01T00:00:00Z', applicationName: 'login' }, actor: { email: 'a@b.c' }, events: [{ name: 'login_success' }] };
    const windows = { EventID: 4624, Channel: 'Security', TimeCreated: '2025-01-01T00:00:00Z', TargetUserName: 'bob', IpAddress: '192.0.2.1' };
    for (const record of [entra, entraEnvelope, okta, gws, windows]) expect(o365Parser.detect(json(record))).toBe(0);
    expect(o365Parser.detect(row({ 'Date (UTC)': '', Username: '', 'Sign-in error code': '' }))).toBe(0);
    expect(o365Parser.detect(row({ 'CreatedDateTime [UTC]': '', UserPrincipalName: '', ResultType: '', Type: 'SigninLogs' }))).toBe(0);
  });
});
