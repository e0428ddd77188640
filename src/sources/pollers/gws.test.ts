import { generateKeyPairSync } from 'node:crypto';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeGws, gwsActivity } from '../../../test/support/fake-apis/gws.js';
import { journalIds, recordingSleep, tempJournal, TestClock, type TestJournal } from '../../../test/support/fake-apis/harness.js';
import { createGwsPoller, type GwsPollerConfig } from './gws.js';
import type { PollerDeps } from './runner.js';

const T0 = Date.parse('2026-03-02T08:00:00Z');
const MIN = 60_000;
const EMAIL = 'vigil-reader@contoso-project.iam.gserviceaccount.com';
const ADMIN = 'admin@contoso.example';

let keys: { publicKey: string; privateKey: string };
let otherKey: string;
let clock: TestClock;
let fake: FakeGws;
let tj: TestJournal;
let sleeper: ReturnType<typeof recordingSleep>;
let logs: string[];

beforeAll(() => {
  const pair = (): { publicKey: string; privateKey: string } =>
    generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
  keys = pair();
  otherKey = pair().privateKey;
});

beforeEach(async () => {
  clock = new TestClock(T0);
  fake = await FakeGws.start({ now: clock.now, publicKey: keys.publicKey, clientEmail: EMAIL, adminEmail: ADMIN, tokenLifetimeSeconds: 300 });
  tj = tempJournal();
  sleeper = recordingSleep();
  logs = [];
});

afterEach(async () => {
  await fake.close();
  tj.close();
});

function poller(over: Partial<GwsPollerConfig> = {}, privateKey = keys.privateKey) {
  const config: GwsPollerConfig = {
    tenant: 'contoso.example',
    serviceAccountKey: { type: 'service_account', client_email: EMAIL, private_key: privateKey, private_key_id: 'k1', token_uri: `${fake.url}/token` },
    adminEmail: ADMIN,
    apiBaseUrl: fake.url,
    egress: { allowPrivate: true },
    pageSize: 2,
    ...over,
  };
  const deps: PollerDeps = { journal: tj.journal, now: clock.now, sleep: sleeper.sleep, log: (m) => logs.push(m) };
  return createGwsPoller(config, deps);
}

const ids = (): string[] => journalIds(tj.journal, (r) => (r['id'] as Record<string, unknown>)['uniqueQualifier']).sort();
const listCalls = (): URL[] => fake.http.calls('/applications/login').map((r) => r.url);

describe('Google Workspace login poller', () => {
  it('signs in as the service account for the admin and reads every page', async () => {
    for (let i = 1; i <= 5; i++) fake.add(gwsActivity({ time: T0 - i * MIN, qualifier: `q${i}` }));
    const p = poller();
    await p.pollOnce();
    expect(ids()).toEqual(['q1', 'q2', 'q3', 'q4', 'q5']);
    expect(listCalls()).toHaveLength(3);
    expect(listCalls()[0]?.searchParams.get('startTime')).toBe('2026-03-02T06:55:00.000Z');
    expect(fake.lastClaims).toMatchObject({ iss: EMAIL, sub: ADMIN, scope: 'https://www.googleapis.com/auth/admin.reports.audit.readonly', aud: `${fake.url}/token` });
    expect(p.status()).toMatchObject({ kind: 'gws', recordsIn: 5 });
  });

  it('honours Retry-After on 429', async () => {
    fake.add(gwsActivity({ time: T0 - MIN, qualifier: 'q1' }));
    fake.http.throttleNext(2, { 'retry-after': '4' });
    await poller().pollOnce();
    expect(sleeper.waits).toEqual([4000, 4000]);
    expect(ids()).toEqual(['q1']);
  });

  it('signs a new assertion when the token expired, refreshes once on 401, then fails clearly', async () => {
    const p = poller();
    await p.pollOnce();
    clock.advance(6 * MIN); // past the 300 s lifetime
    await p.pollOnce();
    expect(fake.tokens.issued).toBe(2);
    fake.refuseAllTokens = true;
    await expect(p.pollOnce()).rejects.toThrow(/refused a freshly issued access token: HTTP 401 \(UNAUTHENTICATED: Request had invalid/);
    expect(fake.tokens.issued).toBe(3); // the cached token, then one refresh after its 401, no more
  });

  it('reports a key the token endpoint rejects, without any key material', async () => {
    const p = poller({}, otherKey);
    const err = (await p.pollOnce().then(() => undefined, (e: unknown) => e)) as Error;
    expect(err.message).toMatch(/token request to 127\.0\.0\.1:\d+\/token refused: HTTP 400 \(invalid_grant: Invalid JWT Signature\.\)/);
    const body = otherKey.split('\n').filter((l) => l.length > 20);
    for (const line of body) expect(err.message).not.toContain(line);
    for (const line of body) expect(logs.join('\n')).not.toContain(line);
  });

  it('names a missing domain-wide delegation', async () => {
    await expect(poller({ adminEmail: 'someone@contoso.example' }).pollOnce()).rejects.toThrow(/HTTP 401 \(unauthorized_client: Client is unauthorized/);
  });

  it('resumes after a restart with no gap and no duplicate', async () => {
    for (let i = 1; i <= 3; i++) fake.add(gwsActivity({ time: T0 - i * MIN, qualifier: `a${i}` }));
    const first = poller();
    await first.pollOnce();
    await first.stop();
    clock.advance(10 * MIN);
    for (let i = 1; i <= 3; i++) fake.add(gwsActivity({ time: clock.t - i * MIN, qualifier: `b${i}` }));
    const before = listCalls().length;
    await poller().pollOnce();
    expect(listCalls()[before]?.searchParams.get('startTime')).toBe('2026-03-02T07:54:00.000Z');
    expect(ids()).toEqual(['a1', 'a2', 'a3', 'b1', 'b2', 'b3']);
  });

  it('catches a late activity within the overlap exactly once', async () => {
    const p = poller();
    fake.add(gwsActivity({ time: T0 - MIN, qualifier: 'on-time' }));
    fake.add(gwsActivity({ time: T0 - 4 * MIN, qualifier: 'late' }), T0 + 3 * MIN);
    await p.pollOnce();
    clock.advance(4 * MIN);
    await p.pollOnce();
    await p.pollOnce();
    expect(ids()).toEqual(['late', 'on-time']);
    expect(tj.journal.tenantStats('contoso.example').records).toBe(2);
  });

  it('does not follow a stored next page that points to another host', async () => {
    for (let i = 1; i <= 3; i++) fake.add(gwsActivity({ time: T0 - i * MIN, qualifier: `q${i}` }));
    await poller().pollOnce();
    const state = JSON.parse(tj.journal.sourceCheckpoint('gws:contoso.example') ?? '{}') as Record<string, unknown>;
    tj.journal.saveSourceCheckpoint({ name: 'gws:contoso.example', state: JSON.stringify({ ...state, next: 'http://169.254.169.254/latest/meta-data/' }) });
    await poller().pollOnce();
    expect(logs.join('\n')).toMatch(/stored next-page link no longer valid/);
    expect(fake.http.requests.every((r) => r.headers.host?.startsWith('127.0.0.1'))).toBe(true);
    expect(ids()).toEqual(['q1', 'q2', 'q3']);
  });
});
