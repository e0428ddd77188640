import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { journalIds, recordingSleep, tempJournal, TestClock, type TestJournal } from '../../../test/support/fake-apis/harness.js';
import { FakeOkta, oktaEvent } from '../../../test/support/fake-apis/okta.js';
import { createOktaPoller, OKTA_AUTH_FILTER, type OktaPollerConfig } from './okta.js';
import type { PollerDeps } from './runner.js';

const T0 = Date.parse('2026-03-02T08:00:00Z');
const MIN = 60_000;
const TOKEN = '00Abc-SSWS-token-value-0123456789';

let clock: TestClock;
let fake: FakeOkta;
let tj: TestJournal;
let sleeper: ReturnType<typeof recordingSleep>;
let logs: string[];

beforeEach(async () => {
  clock = new TestClock(T0);
  fake = await FakeOkta.start({ now: clock.now, apiToken: TOKEN });
  tj = tempJournal();
  sleeper = recordingSleep(clock);
  logs = [];
});

afterEach(async () => {
  await fake.close();
  tj.close();
});

function poller(over: Partial<OktaPollerConfig> = {}) {
  const config: OktaPollerConfig = { tenant: 'contoso.example', baseUrl: fake.url, apiToken: TOKEN, egress: { allowPrivate: true }, pageSize: 3, ...over };
  const deps: PollerDeps = { journal: tj.journal, now: clock.now, sleep: sleeper.sleep, log: (m) => logs.push(m) };
  return createOktaPoller(config, deps);
}

const ids = (): string[] => journalIds(tj.journal, (r) => r['uuid']).sort();
const logCalls = (): URL[] => fake.http.calls('/api/v1/logs').map((r) => r.url);

describe('Okta System Log poller', () => {
  it('follows the next links until an empty page and keeps the cursor for the next poll', async () => {
    for (let i = 1; i <= 7; i++) fake.add(oktaEvent({ uuid: `e${i}`, time: T0 - (10 - i) * MIN }));
    const p = poller();
    await p.pollOnce();
    expect(ids()).toEqual(['e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7']);
    expect(logCalls()).toHaveLength(4); // 3 + 3 + 1 + the empty page
    const first = logCalls()[0]!;
    expect(first.searchParams.get('since')).toBe('2026-03-02T06:55:00.000Z');
    expect(first.searchParams.get('filter')).toBe(OKTA_AUTH_FILTER);
    expect(first.searchParams.get('until')).toBeNull(); // a polling request
    await p.pollOnce();
    expect(logCalls()).toHaveLength(5);
    expect(logCalls()[4]?.searchParams.get('after')).toBe(logCalls()[3]?.searchParams.get('after'));
    expect(p.status()).toMatchObject({ kind: 'okta', recordsIn: 7 });
  });

  it('asks for authentication events only by default, for everything with events: all', async () => {
    fake.add(oktaEvent({ uuid: 'signin', time: T0 - MIN }));
    fake.add(oktaEvent({ uuid: 'admin', time: T0 - MIN, eventType: 'user.lifecycle.create', result: 'SUCCESS' }));
    await poller().pollOnce();
    expect(ids()).toEqual(['signin']);
    await poller({ name: 'okta:all', events: 'all' }).pollOnce();
    expect(ids()).toEqual(['admin', 'signin']);
  });

  it('waits for X-Rate-Limit-Reset on 429 and when the quota is spent', async () => {
    for (let i = 1; i <= 4; i++) fake.add(oktaEvent({ uuid: `e${i}`, time: T0 - i * MIN }));
    fake.http.throttleNext(1, { 'x-rate-limit-reset': String(T0 / 1000 + 42), 'x-rate-limit-remaining': '0' });
    fake.quotaExhaustedFor = 17; // the first successful answer spends the quota
    await poller().pollOnce();
    expect(sleeper.waits).toEqual([42_000, 17_000]);
    expect(ids()).toEqual(['e1', 'e2', 'e3', 'e4']);
  });

  it('reports a refused API token clearly, without the token', async () => {
    const p = poller({ apiToken: 'not-the-right-token-999' });
    const err = (await p.pollOnce().then(() => undefined, (e: unknown) => e)) as Error;
    expect(err.message).toMatch(/okta:contoso\.example: 127\.0\.0\.1:\d+\/api\/v1\/logs refused the API token: HTTP 401 \(E0000011: Invalid token provided\)/);
    expect(err.message).not.toContain('not-the-right-token-999');
    expect(JSON.stringify(p.status())).not.toContain('not-the-right-token-999');
    expect(tj.journal.sourceCheckpoint('okta:contoso.example')).toBeUndefined();
  });

  it('resumes from the stored cursor after a restart: no gap, no duplicate', async () => {
    for (let i = 1; i <= 4; i++) fake.add(oktaEvent({ uuid: `a${i}`, time: T0 - (10 - i) * MIN }));
    const first = poller();
    await first.pollOnce();
    await first.stop();
    clock.advance(5 * MIN);
    for (let i = 1; i <= 4; i++) fake.add(oktaEvent({ uuid: `b${i}`, time: clock.t - i * MIN }));
    const before = logCalls().length;
    await poller().pollOnce();
    expect(logCalls()[before]?.searchParams.get('after')).not.toBeNull();
    expect(ids()).toEqual(['a1', 'a2', 'a3', 'a4', 'b1', 'b2', 'b3', 'b4']);
    expect(tj.journal.tenantStats('contoso.example').records).toBe(8);
  });

  it('catches a late event exactly once', async () => {
    const p = poller();
    fake.add(oktaEvent({ uuid: 'on-time', time: T0 - MIN }));
    fake.add(oktaEvent({ uuid: 'late', time: T0 - 2 * MIN }), T0 + 2 * MIN);
    await p.pollOnce();
    clock.advance(3 * MIN);
    await p.pollOnce();
    await p.pollOnce();
    expect(ids()).toEqual(['late', 'on-time']);
  });

  it('re-reads the overlap when the cursor expired, without storing anything twice', async () => {
    fake.add(oktaEvent({ uuid: 'signin', time: T0 - 2 * MIN }));
    fake.add(oktaEvent({ uuid: 'admin-action', time: T0 - MIN, eventType: 'user.lifecycle.create', result: 'SUCCESS' }));
    const p = poller({ events: 'all' });
    await p.pollOnce();
    fake.expireCursors();
    clock.advance(MIN);
    fake.add(oktaEvent({ uuid: 'new', time: clock.t }));
    await p.pollOnce();
    expect(logs.join('\n')).toMatch(/stored next-page link no longer valid/);
    // the re-query from newest - overlap returned all three; only the new one was stored
    expect(ids()).toEqual(['admin-action', 'new', 'signin']);
  });

  it('refuses a next link to another host', async () => {
    fake.add(oktaEvent({ uuid: 'e1', time: T0 - MIN }));
    fake.nextLinkOrigin = 'https://evil.example.net';
    await expect(poller().pollOnce()).rejects.toThrow(/next link: refused https:\/\/evil\.example\.net/);
    expect(ids()).toEqual([]);
  });
});
