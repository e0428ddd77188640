import { existsSync, readFileSync } from 'node:fs';
import { parse as parseCsv } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { RecordError } from '../core/errors.js';
import type { AuthEvent } from '../core/types.js';
import { entraParser, FieldView, parseMsTime } from './entra.js';
import type { ParseContext, RawRecord } from './types.js';

const ctx = (extra: Partial<ParseContext> = {}): ParseContext => ({ file: 'signins.json', line: 7, state: {}, ...extra });
const json = (value: unknown): RawRecord => ({ framing: 'json', value });
const row = (value: Record<string, string>): RawRecord => ({ framing: 'csv', value });

function one(record: RawRecord, c: ParseContext = ctx()): AuthEvent {
  const events = entraParser.parse(record, c);
  expect(events).toHaveLength(1);
  return events[0] as AuthEvent;
}

function readCsv(path: string): Record<string, string>[] {
  // what the ingest layer hands over: BOM stripped, one object per row, multi-line cells joined
  return parseCsv(readFileSync(path), { bom: true, columns: true, skip_empty_lines: true }) as Record<string, string>[];
}

/** A Graph auditLogs/signIns object (field layout of the v1.0 signIn resource). */
function graph(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: '0f1e2d3c-0000-4000-8000-00000000abcd',
    createdDateTime: '2025-03-04T10:00:00Z',
    userDisplayName: 'Eve Stone',
    userPrincipalName: 'Eve.Stone@Example.org',
    userId: '11111111-2222-4333-8444-555555555555',
    appId: '00000002-0000-0ff1-ce00-000000000000',
    appDisplayName: 'Office 365 Exchange Online',
    ipAddress: '203.0.113.5',
    clientAppUsed: 'Browser',
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/125.0',
    homeTenantId: 'AB12CD34-0000-4000-8000-0000000000EF',
    autonomousSystemNumber: 12345,
    authenticationRequirement: 'singleFactorAuthentication',
    status: { errorCode: 0, failureReason: 'Other.', additionalDetails: null },
    deviceDetail: { browser: 'Firefox 125.0', operatingSystem: 'Linux' },
    location: {
      city: 'Lisbon',
      state: 'Lisboa',
      countryOrRegion: 'PT',
      geoCoordinates: { latitude: 38.72, longitude: -9.14 },
    },
    riskLevelDuringSignIn: 'none',
    riskEventTypes_v2: [],
    ...overrides,
  };
}

const failed = (errorCode: number, failureReason = '', additionalDetails?: string): Record<string, unknown> =>
  graph({ status: { errorCode, failureReason, additionalDetails } });

describe('entra: Graph signIn objects', () => {
  it('maps a successful browser sign-in field by field', () => {
    const e = one(json(graph()));
    expect(e).toEqual({
      time: Date.UTC(2025, 2, 4, 10, 0, 0),
      tenant: 'ab12cd34-0000-4000-8000-0000000000ef',
      user: 'eve.stone@example.org',
      srcIp: '203.0.113.5',
      outcome: 'success',
      code: '0',
      protocol: 'browser',
      legacyAuth: false,
      app: 'Office 365 Exchange Online',
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/125.0',
      geo: { country: 'PT', city: 'Lisbon', lat: 38.72, lon: -9.14 },
      asn: 12345,
      source: 'entra',
      ref: '0f1e2d3c-0000-4000-8000-00000000abcd',
    });
  });

  it.each([
    [50126, '', 'failure', 'bad_password', undefined],
    [50056, '', 'failure', 'bad_password', undefined],
    [50064, '', 'failure', 'bad_password', undefined],
    [50034, '', 'failure', 'unknown_user', undefined],
    [51004, '', 'failure', 'unknown_user', undefined],
    [50053, 'Account is locked because user tried to sign in too many times with an incorrect user ID or password.', 'failure', 'locked', undefined],
    [50053, 'Sign-in was blocked because it came from an IP address with malicious activity', 'failure', 'blocked', undefined],
    [50057, 'User account is disabled.', 'failure', 'disabled', undefined],
    [50055, 'The password is expired.', 'failure', 'expired', true],
    [50144, '', 'failure', 'expired', true],
    [50074, '', 'mfa', 'mfa_required', true],
    [50076, '', 'mfa', 'mfa_required', true],
    [50079, '', 'mfa', 'mfa_required', true],
    [50072, '', 'mfa', 'mfa_required', true],
    [500121, 'Authentication failed during strong authentication request.', 'mfa', 'mfa_denied', true],
    [53003, 'Access has been blocked by Conditional Access policies.', 'failure', 'blocked', true],
    [530035, '', 'failure', 'blocked', undefined],
    [53000, '', 'failure', 'blocked', undefined],
    [53001, '', 'failure', 'blocked', undefined],
    [70000, 'Invalid grant', 'failure', 'other', undefined],
  ])('code %i (%j) → %s / %s', (code, reason, outcome, failureReason, credentialValid) => {
    const e = one(json(failed(code, reason)));
    expect(e.outcome).toBe(outcome);
    expect(e.reason).toBe(failureReason);
    expect(e.credentialValid).toBe(credentialValid);
    expect(e.code).toBe(String(code));
  });

  it('500121 with an unanswered push is mfa_timeout; a declined push is mfa_denied', () => {
    const timeout = one(json(failed(500121, 'Authentication failed during strong authentication request.', 'MFA denied; user did not respond to mobile app notification')));
    expect(timeout).toMatchObject({ outcome: 'mfa', reason: 'mfa_timeout', credentialValid: true });
    const denied = one(json(failed(500121, 'Authentication failed during strong authentication request.', 'MFA denied; user declined the authentication')));
    expect(denied).toMatchObject({ outcome: 'mfa', reason: 'mfa_denied', credentialValid: true });
  });

  it.each([50140, 50125, 50199, 50058, 16000])('benign interrupt %i produces no event', (code) => {
    expect(entraParser.parse(json(failed(code)), ctx())).toEqual([]);
  });

  it('flags a legacy IMAP success', () => {
    const e = one(json(graph({ clientAppUsed: 'IMAP4' })));
    expect(e).toMatchObject({ outcome: 'success', protocol: 'imap', legacyAuth: true });
  });

  it.each([
    ['Authenticated SMTP', 'smtp'],
    ['POP3', 'pop'],
    ['Exchange Web Services', 'ews'],
    ['Exchange ActiveSync', 'activesync'],
    ['Outlook Anywhere (RPC over HTTP)', 'rpc'],
    ['Other clients', 'other'],
  ])('client app %s is legacy protocol %s', (clientAppUsed, protocol) => {
    expect(one(json(graph({ clientAppUsed })))).toMatchObject({ protocol, legacyAuth: true });
  });

  it('treats ROPC as legacy even when the client app looks modern', () => {
    const e = one(json(graph({ clientAppUsed: 'Mobile Apps and Desktop clients', authenticationProtocol: 'ropc' })));
    expect(e).toMatchObject({ protocol: 'ropc', legacyAuth: true });
    expect(one(json(graph({ clientAppUsed: 'Mobile Apps and Desktop clients' })))).toMatchObject({ protocol: 'mobile', legacyAuth: false });
  });

  it('reports Entra risk as providerRisk, ignoring none and hidden', () => {
    const risky = one(json(graph({ riskLevelDuringSignIn: 'high', riskEventTypes_v2: ['anonymizedIPAddress', 'unfamiliarFeatures'] })));
    expect(risky.providerRisk).toBe('high (anonymizedIPAddress, unfamiliarFeatures)');
    expect(one(json(graph({ riskLevelDuringSignIn: 'hidden' }))).providerRisk).toBeUndefined();
    expect(one(json(graph({ riskLevelDuringSignIn: 'none', riskEventTypes_v2: ['leakedCredentials'] }))).providerRisk).toBe('leakedCredentials');
  });

  it('falls back to --tenant, then the user domain, and to file:line for the ref', () => {
    const bare = graph({ homeTenantId: undefined, id: undefined });
    expect(one(json(bare), ctx({ defaultTenant: 'acme' }))).toMatchObject({ tenant: 'acme', ref: 'signins.json:7' });
    expect(one(json(bare)).tenant).toBe('example.org');
  });

  it('drops coordinates that are out of range instead of inventing a position', () => {
    const e = one(json(graph({ location: { countryOrRegion: 'KP', city: 'Pyongyang', geoCoordinates: { latitude: 125.16, longitude: 38.84 } } })));
    expect(e.geo).toEqual({ country: 'KP', city: 'Pyongyang' });
  });
});

describe('entra: diagnostic-settings envelope', () => {
  const envelope = (props: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    time: '2025-03-04T10:00:00.1234567Z',
    tenantId: 'CAFE0000-0000-4000-8000-000000000001',
    category: 'SignInLogs',
    operationName: 'Sign-in activity',
    resultType: String((props.status as { errorCode: number }).errorCode),
    callerIpAddress: '198.51.100.9',
    location: 'NL',
    properties: props,
    ...extra,
  });

  it('reads properties, takes the tenant from the envelope', () => {
    const props = failed(50126, 'Invalid username or password.');
    delete props.homeTenantId;
    const e = one(json(envelope(props)));
    expect(e).toMatchObject({
      time: Date.UTC(2025, 2, 4, 10, 0, 0),
      tenant: 'cafe0000-0000-4000-8000-000000000001',
      user: 'eve.stone@example.org',
      srcIp: '203.0.113.5',
      outcome: 'failure',
      reason: 'bad_password',
      code: '50126',
    });
  });

  it('falls back to envelope fields when properties lack them', () => {
    const props = graph({ ipAddress: undefined, createdDateTime: undefined, location: undefined, status: undefined });
    const e = one(json(envelope({ ...props, status: { errorCode: 0 } }, { resultType: '0' })));
    expect(e).toMatchObject({ srcIp: '198.51.100.9', time: Date.parse('2025-03-04T10:00:00.123Z'), geo: { country: 'NL' } });
  });

  it('ignores managed-identity sign-ins and non-sign-in categories', () => {
    expect(entraParser.parse(json(envelope(graph(), { category: 'ManagedIdentitySignInLogs' })), ctx())).toEqual([]);
    expect(entraParser.parse(json(envelope(graph(), { category: 'AuditLogs' })), ctx())).toEqual([]);
  });

  const elastic = '/work/shared/datasets/elastic-integrations-fixtures/azure_signinlogs_test-signinlogs-raw.log';
  it.skipIf(!existsSync(elastic))('reads the Elastic sample export (all 50140 KMSI interrupts → no events)', () => {
    const lines = readFileSync(elastic, 'utf8').split('\n').filter((l) => l.trim() !== '');
    expect(lines).toHaveLength(5);
    for (const [i, line] of lines.entries()) {
      const record: unknown = JSON.parse(line);
      expect(entraParser.detect(json(record))).toBeGreaterThanOrEqual(0.9);
      expect(entraParser.parse(json(record), ctx({ line: i + 1 }))).toEqual([]);
    }
    // the same first record as a success: createdDateTime "04:45:48.0729893-05:00" is 09:45:48.072Z
    const first = JSON.parse(lines[0] as string) as { properties: { status: { errorCode: number } }; resultType: string };
    first.properties.status.errorCode = 0;
    first.resultType = '0';
    expect(one(json(first))).toMatchObject({
      time: Date.UTC(2019, 9, 18, 9, 45, 48, 72),
      tenant: '8a4de8b5-095c-47d0-a96f-a75130c61d53',
      user: 'test@elastic.co',
      srcIp: '81.2.69.144',
      outcome: 'success',
      protocol: 'browser',
      app: 'Office 365',
      geo: { country: 'FR', city: 'Champs-Sur-Marne', lat: 48.12341234, lon: 2.12341234 },
      ref: '8a4de8b5-095c-47d0-a96f-a75130c61d53',
    });
  });
});

describe('entra: Log Analytics exports', () => {
  const fixture = new URL('../../test/fixtures/entra/sentinel-signinlogs.csv', import.meta.url);

  it('maps the Sentinel SigninLogs CSV rows (M/D/YYYY stamps, JSON cells)', () => {
    const rows = readCsv(fixture.pathname);
    expect(rows).toHaveLength(5);
    // the export keeps multi-line JSON cells; the parser gets them as one string
    expect(rows[0]?.AuthenticationDetails).toContain('\n');
    expect(entraParser.detect(row(rows[0] as Record<string, string>))).toBeGreaterThanOrEqual(0.9);
    const e = one(row(rows[0] as Record<string, string>), ctx({ file: 'signin.csv', line: 2 }));
    expect(e).toEqual({
      time: Date.UTC(2021, 3, 28, 14, 8, 45, 221),
      // AADTenantId, not TenantId (the Log Analytics workspace 7c759f10-...)
      tenant: '2ad3fc79-1859-42fa-9011-6f8df2251b22',
      user: 'adelev@m365x816222.onmicrosoft.com',
      srcIp: '175.45.176.99',
      outcome: 'success',
      code: '0',
      protocol: 'browser',
      legacyAuth: false,
      app: 'Azure Portal',
      userAgent:
        'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/90.0.4430.85 Safari/537.36 Edg/90.0.818.49',
      geo: { country: 'IL', city: 'Azor', lat: 32.02956008911133, lon: 34.79964828491211 },
      source: 'entra',
      ref: 'cfb68155-70f5-4e28-b046-0a3a7086c401',
    });
    // rows 3-5 are ResultType 16000 / 50058 / 16000: sign-in flow prompts, not attempts
    const outcomes = rows.map((r) => entraParser.parse(row(r), ctx()).length);
    expect(outcomes).toEqual([1, 1, 0, 0, 0]);
  });

  const full = '/work/shared/datasets/sentinel-training-lab/sign-in_adelete.csv';
  it.skipIf(!existsSync(full))('reads the whole lab export: 53 successful sign-ins of adelev from 175.45.176.99', () => {
    const events = readCsv(full).flatMap((r) => entraParser.parse(row(r), ctx()));
    expect(events).toHaveLength(53);
    expect(new Set(events.map((e) => `${e.user} ${e.srcIp} ${e.outcome}`))).toEqual(
      new Set(['adelev@m365x816222.onmicrosoft.com 175.45.176.99 success']),
    );
  });

  it('maps a PascalCase JSON export (Status object, TimeGenerated)', () => {
    const e = one(
      json({
        TimeGenerated: '2025-01-02T03:04:05.678Z',
        Type: 'SigninLogs',
        UserPrincipalName: 'Bob@Example.com',
        IPAddress: '::ffff:192.0.2.44',
        ResultType: '50126',
        ResultDescription: 'Invalid username or password or Invalid on-premise username or password.',
        Status: { errorCode: 50126, failureReason: 'Invalid username or password.' },
        ClientAppUsed: 'Exchange ActiveSync',
        AppDisplayName: 'Office 365 Exchange Online',
        AutonomousSystemNumber: '64496',
        LocationDetails: { countryOrRegion: 'us', city: 'Reston' },
        TenantId: 'workspace-id',
        AADTenantId: 'Tenant-ABC',
        Id: 'la-1',
        RiskLevelDuringSignIn: 'medium',
        RiskEventTypes_V2: '["unfamiliarFeatures"]',
      }),
    );
    expect(e).toMatchObject({
      time: Date.UTC(2025, 0, 2, 3, 4, 5, 678),
      tenant: 'tenant-abc',
      user: 'bob@example.com',
      srcIp: '192.0.2.44',
      outcome: 'failure',
      reason: 'bad_password',
      code: '50126',
      protocol: 'activesync',
      legacyAuth: true,
      asn: 64496,
      geo: { country: 'US', city: 'Reston' },
      providerRisk: 'medium (unfamiliarFeatures)',
      ref: 'la-1',
    });
  });
});

describe('entra: admin-center CSV download', () => {
  const rows = readCsv(new URL('../../test/fixtures/entra/admin-center-signins.csv', import.meta.url).pathname);
  const parsed = rows.map((r, i) => entraParser.parse(row(r), ctx({ file: 'InteractiveSignIns.csv', line: i + 2 })));

  it('detects the download by its column names', () => {
    expect(entraParser.detect(row(rows[0] as Record<string, string>))).toBeGreaterThanOrEqual(0.9);
  });

  it('maps a success row (Location text, two-space ASN header, Request ID)', () => {
    expect(parsed[0]).toEqual([
      {
        time: Date.UTC(2025, 2, 4, 8, 15, 2),
        tenant: '5f3c2a10-0d4e-4b8a-9c6f-1a2b3c4d5e6f',
        user: 'mira.holt@example.org',
        srcIp: '198.51.100.23',
        outcome: 'success',
        code: '0',
        protocol: 'browser',
        legacyAuth: false,
        app: 'Office 365 Exchange Online',
        userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
        geo: { country: 'DE', city: 'Berlin' },
        asn: 3320,
        source: 'entra',
        ref: 'a1000000-0000-4000-8000-000000000001',
      },
    ]);
  });

  it('maps failures, MFA rows, interrupts and ROPC rows', () => {
    expect(parsed[1]?.[0]).toMatchObject({ user: 'jonas.ebert@example.org', outcome: 'failure', reason: 'bad_password', protocol: 'other', legacyAuth: true, asn: 60781 });
    // Status "Interrupted" with 50076: the code decides, the password was right
    expect(parsed[2]?.[0]).toMatchObject({ outcome: 'mfa', reason: 'mfa_required', credentialValid: true, code: '50076' });
    expect(parsed[3]?.[0]).toMatchObject({ outcome: 'mfa', reason: 'mfa_timeout', credentialValid: true, srcIp: '2001:db8::5' });
    expect(parsed[4]).toEqual([]);
    expect(parsed[5]?.[0]).toMatchObject({ user: 'nobody@example.org', outcome: 'failure', reason: 'unknown_user', protocol: 'ropc', legacyAuth: true, geo: { country: 'BR', city: 'Sao Paulo' } });
  });

  it('tolerates header variants and uses the Status word when there is no code', () => {
    const base = { ' date (UTC) ': '2025-03-04 08:15:02', 'USERNAME': 'a@example.org', 'IP  Address': '192.0.2.1' };
    expect(one(row({ ...base, Status: 'Success' }))).toMatchObject({ outcome: 'success', srcIp: '192.0.2.1', time: Date.UTC(2025, 2, 4, 8, 15, 2) });
    const failure = one(row({ ...base, Status: 'Failure', 'Sign-in error code': '' }));
    expect(failure).toMatchObject({ outcome: 'failure', reason: 'other' });
    expect(failure.code).toBeUndefined();
    expect(() => entraParser.parse(row({ ...base, Status: 'Maybe' }), ctx())).toThrow(/Status/);
  });
});

describe('entra: malformed and hostile records', () => {
  const throwsNaming = (record: RawRecord, field: RegExp): void => {
    let caught: unknown;
    try {
      entraParser.parse(record, ctx());
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(RecordError);
    expect((caught as Error).message).toMatch(field);
  };

  it('rejects a record without time, with a time of the wrong type or an impossible date', () => {
    throwsNaming(json(graph({ createdDateTime: undefined })), /createdDateTime: missing/);
    throwsNaming(json(graph({ createdDateTime: 12 })), /createdDateTime/);
    throwsNaming(json(graph({ createdDateTime: { at: 'now' } })), /createdDateTime/);
    throwsNaming(json(graph({ createdDateTime: 'yesterday-ish' })), /createdDateTime/);
    throwsNaming(row({ 'CreatedDateTime [UTC]': '2/31/2021, 1:00:00 PM', UserPrincipalName: 'a@b.c', ResultType: '0' }), /CreatedDateTime \[UTC\]/);
    throwsNaming(row({ 'CreatedDateTime [UTC]': '2/3/2021, 13:00:00 PM', UserPrincipalName: 'a@b.c', ResultType: '0' }), /CreatedDateTime \[UTC\]/);
    throwsNaming(json(graph({ createdDateTime: `2025-01-01T${'9'.repeat(100000)}` })), /createdDateTime/);
  });

  it('rejects a record without user or with a user of the wrong type', () => {
    throwsNaming(json(graph({ userPrincipalName: undefined })), /userPrincipalName: missing/);
    throwsNaming(json(graph({ userPrincipalName: 42 })), /userPrincipalName: not a string/);
    throwsNaming(json(graph({ userPrincipalName: ['a@b.c'] })), /userPrincipalName/);
  });

  it('rejects a record without any outcome or with a garbage code', () => {
    throwsNaming(json(graph({ status: undefined })), /status\.errorCode: missing/);
    throwsNaming(json(graph({ status: { errorCode: 'boom' } })), /status\.errorCode/);
    throwsNaming(json(graph({ status: 'weird', resultType: undefined })), /status/);
  });

  it('explains Graph pages and Event Hub batches instead of producing garbage', () => {
    throwsNaming(json({ '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#auditLogs/signIns', value: [graph()] }), /^value: .*Graph/);
    throwsNaming(json({ records: [graph()] }), /^records: .*batch/);
  });

  it('rejects values that are not objects and never crashes on odd nested types', () => {
    throwsNaming(json(null), /record/);
    throwsNaming(json([graph()]), /record/);
    throwsNaming(json('text'), /record/);
    const odd = one(json(graph({ location: 7, status: { errorCode: 0 }, riskEventTypes_v2: 'not-json', autonomousSystemNumber: 'x', deviceDetail: null })));
    expect(odd.geo).toBeUndefined();
    expect(odd.asn).toBeUndefined();
  });

  it('treats __proto__ keys as plain data', () => {
    const hostile: unknown = JSON.parse(
      '{"__proto__":{"userPrincipalName":"evil@x.y","polluted":true},"createdDateTime":"2025-01-01T00:00:00Z","status":{"errorCode":0}}',
    );
    throwsNaming(json(hostile), /userPrincipalName: missing/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('clips huge strings', () => {
    const e = one(json(graph({ userPrincipalName: `${'a'.repeat(100000)}@x.y`, userAgent: 'u'.repeat(100000), id: 'i'.repeat(5000) })));
    expect(e.user.length).toBeLessThanOrEqual(512);
    expect(e.userAgent?.length).toBeLessThanOrEqual(512);
    expect(e.ref?.length).toBeLessThanOrEqual(128);
  });
});

describe('entra: parseMsTime', () => {
  it('reads Log Analytics stamps as UTC, 12 AM as midnight', () => {
    expect(parseMsTime('4/28/2021, 2:08:45.221 PM', 't')).toBe(Date.UTC(2021, 3, 28, 14, 8, 45, 221));
    expect(parseMsTime('12/1/2021, 12:05:00 AM', 't')).toBe(Date.UTC(2021, 11, 1, 0, 5, 0));
    expect(parseMsTime('12/1/2021, 12:05:00 PM', 't')).toBe(Date.UTC(2021, 11, 1, 12, 5, 0));
    expect(parseMsTime('28/4/2021 14:08', 't')).toBe(Date.UTC(2021, 3, 28, 14, 8));
    expect(parseMsTime('2021-04-28T14:08:45.2213421+00:00', 't')).toBe(Date.UTC(2021, 3, 28, 14, 8, 45, 221));
  });
});

describe('entra: detect', () => {
  it('is sure of its own shapes', () => {
    expect(entraParser.detect(json(graph()))).toBeGreaterThanOrEqual(0.9);
    expect(entraParser.detect(json({ category: 'NonInteractiveUserSignInLogs', properties: graph() }))).toBeGreaterThanOrEqual(0.9);
    expect(entraParser.detect(row({ UserPrincipalName: 'a@b.c', ResultType: '0', Type: 'SigninLogs' }))).toBeGreaterThanOrEqual(0.9);
  });

  it('does not claim Okta, Google Workspace, Windows, ECS or O365 records', () => {
    const okta = {
      uuid: 'b1c2', published: '2025-01-01T00:00:00.000Z', eventType: 'user.session.start',
      actor: { id: 'unknown', type: 'User', alternateId: 'a@b.c' }, client: { ipAddress: '192.0.2.1' },
      outcome: { result: 'FAILURE', reason: 'INVALID_CREDENTIALS' },
    };
    const gws = {
      kind: 'admin#reports#activity', id: { time: '2025-01-01T00:00:00.000Z', uniqueQualifier: '1', applicationName: 'login', customerId: 'C01' },
      actor: { email: 'a@b.c', profileId: '1' }, ipAddress: '192.0.2.1', events: [{ type: 'login', name: 'login_failure' }],
    };
    const windows = { EventID: 4625, Channel: 'Security', TimeCreated: '2025-01-01T00:00:00Z', TargetUserName: 'bob', IpAddress: '192.0.2.1', Status: '0xC000006D' };
    const ecs = { '@timestamp': '2025-01-01T00:00:00Z', event: { category: ['authentication'], outcome: 'failure' }, user: { name: 'bob' }, source: { ip: '192.0.2.1' } };
    const o365 = { CreationTime: '2025-01-01T00:00:00', RecordType: 15, Operation: 'UserLoginFailed', UserId: 'a@b.c', ClientIP: '192.0.2.1', Workload: 'AzureActiveDirectory' };
    for (const record of [okta, gws, windows, ecs, o365]) expect(entraParser.detect(json(record))).toBe(0);
    expect(entraParser.detect(row({ CreationDate: 'x', UserIds: 'a@b.c', Operations: 'UserLoggedIn', AuditData: '{}' }))).toBe(0);
    expect(entraParser.detect({ framing: 'text', value: 'Feb 12 14:10:21 host sshd[1]: Failed password for root' })).toBe(0);
  });
});

describe('FieldView', () => {
  const KEYS = ['userprincipalname', 'ipaddress', 'status', '__proto__', 'createddatetime', 'missing'];
  /** everything a parser can ask of a view, for comparing two views */
  function answers(v: FieldView): unknown[] {
    return KEYS.flatMap((k) => [v.get(k)?.name, v.value(k), v.str(k), v.has(k)]);
  }

  it('reads one record like a merged view: names folded, empty values skipped, first present name wins', () => {
    const records: Record<string, unknown>[] = [
      JSON.parse('{"UserPrincipalName":"  ","userPrincipalName":"a@x.org","IPAddress":"192.0.2.1","status":{"errorCode":0},"__proto__":"p"}'),
      // same key list, other values: the reused shape must look at this record's values
      JSON.parse('{"UserPrincipalName":"B@x.org","userPrincipalName":"","IPAddress":null,"status":"","__proto__":5}'),
      { 'Created  DateTime': 7, createdDateTime: '2024-01-01T00:00:00Z', ['x'.repeat(201)]: 'long names are ignored' },
    ];
    for (const r of records) expect(answers(new FieldView(r))).toEqual(answers(new FieldView(r, {})));
    const first = new FieldView(records[0]!);
    expect(first.get('userprincipalname')).toEqual({ name: 'userPrincipalName', value: 'a@x.org' });
    expect(first.str('__proto__')).toBe('p');
    const second = new FieldView(records[1]!);
    expect(second.str('userprincipalname')).toBe('B@x.org');
    expect(second.has('ipaddress')).toBe(false);
    expect(second.has('status')).toBe(false);
  });
});
