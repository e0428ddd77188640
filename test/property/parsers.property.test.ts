import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PARSERS } from '../../src/formats/registry.js';
import type { FormatParser, ParseContext, RawRecord } from '../../src/formats/types.js';
import { RecordError } from '../../src/core/errors.js';
import { detectScore } from '../../src/ingest/detect.js';
import type { AuthEvent } from '../../src/core/types.js';
import { canonicalIp } from '../../src/core/normalize.js';

/**
 * Property tests: every parser, fed realistic records whose fields are replaced by hostile values
 * (wrong types, huge strings, control characters, prototype keys, deep nesting) and by random
 * strings, must either return well-formed AuthEvents or throw RecordError — never anything else —
 * and must stay linear in the input size. CI runs 100k cases per parser (VIGIL_PROPERTY_RUNS).
 */
const RUNS = Number(process.env['VIGIL_PROPERTY_RUNS'] ?? 100_000);

/** One realistic record per format, the shape each parser is written for. */
const TEMPLATES: Record<string, RawRecord> = {
  entra: {
    framing: 'json',
    value: {
      id: '66ea54eb-6301-4ee5-be62-ff5a759b0100', createdDateTime: '2024-03-04T10:15:00Z', userPrincipalName: 'a@org.example',
      ipAddress: '203.0.113.9', clientAppUsed: 'Browser', appDisplayName: 'Office 365', userAgent: 'Mozilla/5.0',
      status: { errorCode: 50126, failureReason: 'Invalid username or password.' },
      location: { city: 'Paris', countryOrRegion: 'FR', geoCoordinates: { latitude: 48.8, longitude: 2.3 } },
      autonomousSystemNumber: 3215, riskLevelDuringSignIn: 'none',
    },
  },
  o365: {
    framing: 'json',
    value: {
      Id: 'f3b1', RecordType: 15, CreationTime: '2024-03-04T10:15:00', Operation: 'UserLoginFailed', OrganizationId: 'tid-1',
      UserId: 'a@org.example', ClientIP: '203.0.113.9', Workload: 'AzureActiveDirectory', ResultStatus: 'Success',
      LogonError: 'InvalidUserNameOrPassword', ErrorNumber: '50126', ExtendedProperties: [{ Name: 'UserAgent', Value: 'Mozilla/5.0' }],
    },
  },
  okta: {
    framing: 'json',
    value: {
      uuid: 'u-1', published: '2024-03-04T10:15:00.000Z', eventType: 'user.session.start', version: '0', severity: 'WARN',
      actor: { id: '00u1', type: 'User', alternateId: 'a@org.example', displayName: 'A' },
      client: { ipAddress: '203.0.113.9', userAgent: { rawUserAgent: 'Mozilla/5.0' }, geographicalContext: { country: 'France', city: 'Paris' } },
      outcome: { result: 'FAILURE', reason: 'INVALID_CREDENTIALS' },
      securityContext: { asNumber: 3215, asOrg: 'orange', isProxy: false },
    },
  },
  gws: {
    framing: 'json',
    value: {
      kind: 'admin#reports#activity', id: { time: '2024-03-04T10:15:00.000Z', uniqueQualifier: '123', applicationName: 'login', customerId: 'C01' },
      actor: { email: 'a@org.example', profileId: '1' }, ipAddress: '203.0.113.9', ownerDomain: 'org.example',
      events: [{ type: 'login', name: 'login_failure', parameters: [{ name: 'login_type', value: 'google_password' }, { name: 'login_failure_type', value: 'login_failure_invalid_password' }] }],
    },
  },
  windows: {
    framing: 'json',
    value: {
      Provider: 'Microsoft-Windows-Security-Auditing', EventID: 4625, TimeCreated: '2024-03-04 10:15:00.123456', EventRecordID: '42',
      Computer: 'dc1.corp.example', TargetUserName: 'alice', TargetDomainName: 'CORP', IpAddress: '::ffff:10.1.2.3',
      Status: '0xc000006d', SubStatus: '0xc000006a', LogonType: '3',
    },
  },
  ecs: {
    framing: 'json',
    value: {
      '@timestamp': '2024-03-04T10:15:00.000Z', event: { category: ['authentication'], outcome: 'failure', action: 'login', code: '4625' },
      user: { name: 'alice' }, source: { ip: '203.0.113.9', as: { number: 3215 } }, organization: { id: 'org-1' },
    },
  },
  ocsf: {
    framing: 'json',
    value: {
      class_uid: 3002, category_uid: 3, activity_id: 1, type_uid: 300201, severity_id: 1, time: 1709547300000, status_id: 2,
      status_code: '50126', user: { name: 'alice@org.example' }, src_endpoint: { ip: '203.0.113.9' }, metadata: { product: { name: 'x' }, version: '1.1.0', uid: 'm1' },
    },
  },
  sshd: { framing: 'text', value: 'Mar  4 10:15:00 host1 sshd[123]: Failed password for invalid user admin from 203.0.113.9 port 5522 ssh2' },
};

const hostileString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', '-', '__proto__', 'constructor', '0', 'NaN', '1e309', '::ffff:1.2.3.4', '999.1.1.1', '2024-13-45T99:99:99Z', '\u0000\u001b[2J', '\u202e'),
  fc.nat(2000).map((n) => 'x'.repeat(n * 50)),
);
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.array(hostileString, { maxLength: 4 }),
  fc.dictionary(hostileString, hostileString, { maxKeys: 4 }),
  fc.jsonValue({ maxDepth: 4 }),
);

/** All paths of an object, so a mutation can hit any nested field. */
function paths(v: unknown, prefix: string[] = [], out: string[][] = []): string[][] {
  if (v && typeof v === 'object') {
    for (const [k, child] of Object.entries(v)) {
      out.push([...prefix, k]);
      paths(child, [...prefix, k], out);
    }
  }
  return out;
}

function setPath(root: unknown, path: string[], value: unknown): unknown {
  const copy = structuredClone(root);
  let cur = copy as Record<string, unknown>;
  for (let i = 0; i < path.length - 1; i++) {
    const next = cur[path[i]!];
    if (!next || typeof next !== 'object') return copy;
    cur = next as Record<string, unknown>;
  }
  cur[path[path.length - 1]!] = value;
  return copy;
}

function ctx(): ParseContext {
  return { file: 'prop.log', line: 7, state: {} };
}

function checkEvent(e: AuthEvent): void {
  expect(Number.isFinite(e.time)).toBe(true);
  expect(typeof e.user).toBe('string');
  expect(typeof e.tenant).toBe('string');
  expect(['success', 'failure', 'mfa']).toContain(e.outcome);
  // an address, when there is one, is already canonical
  if (e.srcIp !== '') expect(canonicalIp(e.srcIp)).toBe(e.srcIp);
}

/** Run one record: RecordError is a fine answer, anything else thrown is a bug. */
function runOne(p: FormatParser, r: RawRecord): void {
  const score = detectScore(p, r);
  expect(score >= 0 && score <= 1).toBe(true);
  let events: AuthEvent[];
  try {
    events = p.parse(r, ctx());
  } catch (err) {
    if (err instanceof RecordError) return;
    throw err;
  }
  expect(Array.isArray(events)).toBe(true);
  for (const e of events) checkEvent(e);
}

describe.each(PARSERS.map((p) => [p.id, p] as const))('parser %s under hostile input', (id, parser) => {
  const template = TEMPLATES[id];

  it('the template record parses (the property below is not vacuous)', () => {
    expect(template).toBeDefined();
    const events = parser.parse(template!, ctx());
    expect(events.length).toBeGreaterThan(0);
    expect(detectScore(parser, template!)).toBeGreaterThanOrEqual(0.5);
  });

  it(`hostile field values and random records: RecordError or well-formed events (${RUNS} cases)`, () => {
    const t = template!;
    const fieldPaths = t.framing === 'json' ? paths(t.value) : [];
    const mutated: fc.Arbitrary<RawRecord> =
      t.framing === 'json'
        ? fc
            .tuple(fc.array(fc.tuple(fc.constantFrom(...fieldPaths), hostileValue), { minLength: 1, maxLength: 4 }))
            .map(([muts]) => ({ framing: 'json' as const, value: muts.reduce<unknown>((acc, [p, v]) => setPath(acc, p, v), t.value) }))
        : fc
            .tuple(fc.nat((t.value as string).length), fc.nat((t.value as string).length), hostileString)
            .map(([a, b, s]) => {
              const line = t.value as string;
              const [i, j] = a < b ? [a, b] : [b, a];
              return { framing: 'text' as const, value: line.slice(0, i) + s + line.slice(j) };
            });
    const random: fc.Arbitrary<RawRecord> = fc.oneof(
      fc.jsonValue({ maxDepth: 5 }).map((value) => ({ framing: 'json' as const, value })),
      fc.string({ unit: 'binary', maxLength: 300 }).map((value) => ({ framing: 'text' as const, value })),
      fc.dictionary(fc.string({ maxLength: 20 }), fc.string({ maxLength: 40 }), { maxKeys: 8 }).map((value) => ({ framing: 'csv' as const, value })),
    );
    const framings = new Set(parser.framings);
    fc.assert(
      fc.property(fc.oneof({ weight: 4, arbitrary: mutated }, { weight: 1, arbitrary: random }), (r) => {
        if (!framings.has(r.framing)) return;
        runOne(parser, r);
      }),
      { numRuns: RUNS, seed: 20261124 },
    );
  });

  it('stays linear: a record with 2 MB fields parses in well under a second', () => {
    const big = 'a'.repeat(1 << 20) + ' from ' + '1.'.repeat(1 << 19);
    const t = template!;
    const records: RawRecord[] =
      t.framing === 'json'
        ? paths(t.value).slice(0, 20).map((p) => ({ framing: 'json' as const, value: setPath(t.value, p, big) }))
        : [{ framing: 'text', value: (t.value as string) + big }, { framing: 'text', value: big }];
    for (const r of records) {
      const started = performance.now();
      runOne(parser, r);
      // a complexity guard, not a benchmark: super-linear regexes take minutes here
      expect(performance.now() - started).toBeLessThan(1000);
    }
  });
});
