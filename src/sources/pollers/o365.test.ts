import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { journalIds, journalRecords, recordingSleep, tempJournal, TestClock, type TestJournal } from '../../../test/support/fake-apis/harness.js';
import { FakeO365, o365Logon } from '../../../test/support/fake-apis/o365.js';
import { createO365Poller, type O365PollerConfig } from './o365.js';
import type { PollerDeps } from './runner.js';

const T0 = Date.parse('2026-03-02T08:00:00Z');
const MIN = 60_000;
const SECRET = 'o365-client-secret-abcdef012345';

let clock: TestClock;
let fake: FakeO365;
let tj: TestJournal;
let sleeper: ReturnType<typeof recordingSleep>;
let logs: string[];

beforeEach(async () => {
  clock = new TestClock(T0);
  fake = await FakeO365.start({ now: clock.now, tenantId: 'contoso-dir', clientId: 'app-2', clientSecret: SECRET, tokenLifetimeSeconds: 600, listPageSize: 2 });
  tj = tempJournal();
  sleeper = recordingSleep();
  logs = [];
});

afterEach(async () => {
  await fake.close();
  tj.close();
});

function poller(over: Partial<O365PollerConfig> = {}) {
  const config: O365PollerConfig = {
    tenant: 'contoso.example',
    tenantId: 'contoso-dir',
    clientId: 'app-2',
    clientSecret: SECRET,
    apiBaseUrl: fake.url,
    loginBaseUrl: fake.url,
    egress: { allowPrivate: true },
    ...over,
  };
  const deps: PollerDeps = { journal: tj.journal, now: clock.now, sleep: sleeper.sleep, log: (m) => logs.push(m) };
  return createO365Poller(config, deps);
}

const ids = (): string[] => journalIds(tj.journal, (r) => r['Id']).sort();
const logon = (id: string, minutesAgo: number): Record<string, unknown> => o365Logon({ id, time: clock.t - minutesAgo * MIN });

describe('O365 Management Activity poller', () => {
  it('subscribes, pages through the content listing and stores every blob once', async () => {
    for (let i = 1; i <= 5; i++) fake.addBlob([logon(`r${i}a`, 20 + i), logon(`r${i}b`, 20 + i)], { created: T0 - (10 + i) * MIN });
    const p = poller();
    await p.pollOnce();
    expect(ids()).toEqual(['r1a', 'r1b', 'r2a', 'r2b', 'r3a', 'r3b', 'r4a', 'r4b', 'r5a', 'r5b']);
    expect(fake.http.calls('/subscriptions/start')).toHaveLength(1);
    expect(fake.http.calls('/subscriptions/content')).toHaveLength(3); // 2 + 2 + 1 blobs
    const first = fake.http.calls('/subscriptions/content')[0]!.url.searchParams;
    expect([first.get('startTime'), first.get('endTime'), first.get('PublisherIdentifier')]).toEqual(['2026-03-02T06:55:00', '2026-03-02T08:00:00', 'contoso-dir']);
    expect(fake.fetchedBlobs()).toHaveLength(5);
    expect(p.status()).toMatchObject({ kind: 'o365', recordsIn: 10 });
  });

  it('fetches a blob listed again (same listing or the next overlap) only once', async () => {
    fake.repeatListings = true;
    fake.addBlob([logon('a', 3)], { created: T0 - 2 * MIN });
    fake.addBlob([{ CreationTime: '2026-03-02T07:58:00', Id: 'mail-1', Operation: 'MailItemsAccessed', RecordType: 50, UserId: 'bob@contoso.example' }], {
      contentType: 'Audit.Exchange',
      created: T0 - 2 * MIN,
    });
    const p = poller({ contentTypes: ['Audit.AzureActiveDirectory', 'Audit.Exchange'] });
    await p.pollOnce();
    clock.advance(MIN);
    await p.pollOnce();
    expect(fake.fetchedBlobs()).toEqual(['blob1', 'blob2']);
    expect(ids()).toEqual(['a', 'mail-1']); // the Exchange record is kept though it is no sign-in
    expect(fake.http.calls('/subscriptions/start')).toHaveLength(2); // one per content type, once per process
  });

  it('honours Retry-After when throttled', async () => {
    fake.addBlob([logon('a', 3)], { created: T0 - 2 * MIN });
    fake.http.throttleNext(2); // the subscription call and the listing
    await poller().pollOnce();
    expect(sleeper.waits).toEqual([2000, 2000]);
    expect(ids()).toEqual(['a']);
  });

  it('refreshes an expired token and a refused one', async () => {
    const p = poller();
    await p.pollOnce();
    clock.advance(11 * MIN);
    fake.addBlob([logon('a', 1)], { created: clock.t - MIN });
    await p.pollOnce();
    expect(fake.tokens.issued).toBe(2);
    fake.tokens.revokeAll();
    fake.addBlob([logon('b', 0)], { created: clock.t });
    clock.advance(1000);
    await p.pollOnce();
    expect(fake.tokens.issued).toBe(3);
    expect(ids()).toEqual(['a', 'b']);
  });

  it('reports refused credentials without the secret', async () => {
    const p = poller({ clientSecret: 'a-wrong-secret-0000' });
    const err = (await p.pollOnce().then(() => undefined, (e: unknown) => e)) as Error;
    expect(err.message).toMatch(/o365:contoso\.example: token request to .*refused: HTTP 401 \(invalid_client: AADSTS7000215/);
    expect(err.message + logs.join('\n')).not.toContain('a-wrong-secret-0000');
  });

  it('resumes mid-window after a restart: no gap, no duplicate', async () => {
    for (let i = 1; i <= 5; i++) fake.addBlob([logon(`a${i}`, 30)], { created: T0 - (10 + i) * MIN });
    const first = poller({ maxPagesPerPoll: 1 });
    await first.pollOnce();
    await first.stop();
    expect(ids()).toEqual(['a1', 'a2']); // the first listing page only
    clock.advance(3 * MIN);
    fake.addBlob([logon('b1', 1)], { created: clock.t - MIN });
    await poller().pollOnce();
    expect(ids()).toEqual(['a1', 'a2', 'a3', 'a4', 'a5', 'b1']);
    expect(fake.fetchedBlobs()).toHaveLength(6);
    expect(tj.journal.tenantStats('contoso.example').records).toBe(6);
  });

  it('catches a blob made available late within the overlap, exactly once', async () => {
    const p = poller();
    fake.addBlob([logon('on-time', 2)], { created: T0 - MIN });
    fake.addBlob([logon('late', 3)], { created: T0 - 2 * MIN, visibleAt: T0 + 2 * MIN });
    await p.pollOnce();
    expect(ids()).toEqual(['on-time']);
    clock.advance(3 * MIN);
    await p.pollOnce();
    await p.pollOnce();
    expect(ids()).toEqual(['late', 'on-time']);
    expect(journalRecords(tj.journal)).toHaveLength(2);
  });

  it('refuses a contentUri or NextPageUri on another host', async () => {
    fake.addBlob([logon('a', 2)], { created: T0 - MIN });
    fake.contentUriOrigin = 'https://blob.attacker.example';
    await expect(poller().pollOnce()).rejects.toThrow(/contentUri: refused https:\/\/blob\.attacker\.example/);
    fake.contentUriOrigin = undefined;
    for (let i = 0; i < 3; i++) fake.addBlob([logon(`n${i}`, 2)], { created: T0 - MIN });
    fake.nextPageOrigin = 'http://10.0.0.5';
    await expect(poller({ name: 'o365:second' }).pollOnce()).rejects.toThrow(/NextPageUri: refused http:\/\/10\.0\.0\.5/);
    expect(fake.http.requests.every((r) => r.headers.host?.startsWith('127.0.0.1'))).toBe(true);
  });
});
