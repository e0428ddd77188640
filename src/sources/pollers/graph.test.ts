import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeGraph, graphSignIn } from '../../../test/support/fake-apis/graph.js';
import { journalIds, recordingSleep, tempJournal, TestClock, type TestJournal } from '../../../test/support/fake-apis/harness.js';
import { createGraphPoller, type GraphPollerConfig } from './graph.js';
import type { PollerDeps } from './runner.js';

const T0 = Date.parse('2026-03-02T08:00:00Z');
const MIN = 60_000;
const SECRET = 'graph-client-secret-0123456789';

let clock: TestClock;
let fake: FakeGraph;
let tj: TestJournal;
let sleeper: ReturnType<typeof recordingSleep>;
let logs: string[];

beforeEach(async () => {
  clock = new TestClock(T0);
  fake = await FakeGraph.start({ now: clock.now, tenantId: 'contoso-dir', clientId: 'app-1', clientSecret: SECRET, tokenLifetimeSeconds: 600 });
  tj = tempJournal();
  sleeper = recordingSleep();
  logs = [];
});

afterEach(async () => {
  await fake.close();
  tj.close();
});

function poller(over: Partial<GraphPollerConfig> = {}) {
  const config: GraphPollerConfig = {
    tenant: 'contoso.example',
    tenantId: 'contoso-dir',
    clientId: 'app-1',
    clientSecret: SECRET,
    graphBaseUrl: fake.url,
    loginBaseUrl: fake.url,
    egress: { allowPrivate: true },
    pageSize: 3,
    ...over,
  };
  const deps: PollerDeps = { journal: tj.journal, now: clock.now, sleep: sleeper.sleep, log: (m) => logs.push(m) };
  return createGraphPoller(config, deps);
}

const ids = (): string[] => journalIds(tj.journal, (r) => r['id']).sort();
const signInCalls = (): URL[] => fake.http.calls('/auditLogs/signIns').map((r) => r.url);

describe('Graph sign-in poller', () => {
  it('reads every page of the window and stores each sign-in once', async () => {
    for (let i = 1; i <= 7; i++) fake.add(graphSignIn({ id: `s${i}`, time: T0 - i * MIN }));
    const p = poller();
    await p.pollOnce();
    expect(ids()).toEqual(['s1', 's2', 's3', 's4', 's5', 's6', 's7']);
    expect(signInCalls()).toHaveLength(3);
    expect(signInCalls()[0]?.searchParams.get('$filter')).toBe('createdDateTime ge 2026-03-02T06:55:00Z'); // look-back 1 h + overlap 5 min
    expect(p.status()).toMatchObject({ name: 'graph:contoso.example', kind: 'graph', recordsIn: 7, rejected: 0 });
    expect(p.status().newestEventAt).toBe(T0 - MIN);
  });

  it('waits as Retry-After says on 429 and 503, then goes on', async () => {
    fake.add(graphSignIn({ id: 's1', time: T0 - MIN }));
    fake.http.throttleNext(1, { 'retry-after': '7' }, 429);
    fake.http.throttleNext(1, { 'retry-after': new Date(T0 + 30_000).toUTCString() }, 503);
    await poller().pollOnce();
    expect(ids()).toEqual(['s1']);
    expect(sleeper.waits).toEqual([7000, 30_000]);
  });

  it('backs off exponentially when 5xx has no Retry-After, and gives up with a clear error', async () => {
    fake.http.throttleNext(5, {}, 503);
    const p = poller({ retry: { maxAttempts: 4, baseDelayMs: 100 } });
    await expect(p.pollOnce()).rejects.toThrow(/HTTP 503.*gave up after 4 attempts/);
    expect(sleeper.waits).toEqual([100, 200, 400]);
  });

  it('gets a new token when the old one expired, and once more when the API refuses it', async () => {
    fake.add(graphSignIn({ id: 's1', time: T0 - MIN }));
    const p = poller();
    await p.pollOnce();
    expect(fake.tokens.issued).toBe(1);
    clock.advance(11 * MIN); // past the 600 s lifetime
    fake.add(graphSignIn({ id: 's2', time: clock.t - MIN }));
    await p.pollOnce();
    expect(fake.tokens.issued).toBe(2);
    fake.tokens.revokeAll(); // still within its lifetime for the poller, refused by the API
    fake.add(graphSignIn({ id: 's3', time: clock.t }));
    await p.pollOnce();
    expect(fake.tokens.issued).toBe(3);
    expect(ids()).toEqual(['s1', 's2', 's3']);
  });

  it('reports refused credentials clearly, without the secret', async () => {
    const p = poller({ clientSecret: 'wrong-secret-value-42' });
    const err = (await p.pollOnce().then(() => undefined, (e: unknown) => e)) as Error;
    expect(err.message).toMatch(/^graph:contoso\.example: token request to 127\.0\.0\.1:\d+\/contoso-dir\/oauth2\/v2\.0\/token refused: HTTP 401 \(invalid_client: AADSTS7000215/);
    expect(err.message).not.toContain('wrong-secret-value-42');
    expect(p.status().lastError).toBe(err.message);
    expect(logs.join('\n')).not.toContain('wrong-secret-value-42');
  });

  it('names a missing permission (403) as an auth error', async () => {
    fake.forbidden = true;
    await expect(poller().pollOnce()).rejects.toThrow(/answered HTTP 403 \(Authorization_RequestDenied: Insufficient privileges/);
  });

  it('resumes from its checkpoint after a restart: no gap, no duplicate', async () => {
    for (let i = 1; i <= 5; i++) fake.add(graphSignIn({ id: `a${i}`, time: T0 - i * MIN }));
    const first = poller();
    await first.pollOnce();
    await first.stop();
    clock.advance(10 * MIN);
    for (let i = 1; i <= 3; i++) fake.add(graphSignIn({ id: `b${i}`, time: clock.t - i * MIN }));
    const second = poller();
    await second.pollOnce();
    expect(ids()).toEqual(['a1', 'a2', 'a3', 'a4', 'a5', 'b1', 'b2', 'b3']);
    // the second process asked from the newest committed event minus the overlap, not the look-back
    expect(signInCalls()[2]?.searchParams.get('$filter')).toBe('createdDateTime ge 2026-03-02T07:54:00Z');
  });

  it('continues an interrupted sweep from the stored next link', async () => {
    for (let i = 1; i <= 7; i++) fake.add(graphSignIn({ id: `s${i}`, time: T0 - i * MIN }));
    const first = poller({ maxPagesPerPoll: 1 });
    await first.pollOnce();
    await first.stop();
    expect(ids()).toEqual(['s1', 's2', 's3']);
    const second = poller();
    await second.pollOnce();
    expect(signInCalls()[1]?.searchParams.get('$skiptoken')).not.toBeNull();
    expect(ids()).toEqual(['s1', 's2', 's3', 's4', 's5', 's6', 's7']);
  });

  it('catches an event that arrives late within the overlap, exactly once', async () => {
    const p = poller();
    fake.add(graphSignIn({ id: 'on-time', time: T0 - 2 * MIN }));
    fake.add(graphSignIn({ id: 'late', time: T0 - 3 * MIN }), T0 + 2 * MIN); // logged 5 minutes after it happened
    await p.pollOnce();
    expect(ids()).toEqual(['on-time']);
    clock.advance(3 * MIN);
    await p.pollOnce();
    await p.pollOnce();
    expect(ids()).toEqual(['late', 'on-time']);
    expect(p.status().recordsIn).toBe(2);
  });

  it('refuses a next link to another host and stores nothing from that answer', async () => {
    for (let i = 1; i <= 4; i++) fake.add(graphSignIn({ id: `s${i}`, time: T0 - i * MIN }));
    fake.nextLinkOrigin = 'http://attacker.example';
    const p = poller();
    await expect(p.pollOnce()).rejects.toThrow(/next link: refused http:\/\/attacker\.example \(not a configured API host\)/);
    expect(ids()).toEqual([]);
    expect(fake.http.requests.every((r) => r.headers.host?.startsWith('127.0.0.1'))).toBe(true);
  });

  it('refuses a private API address unless egress.allowPrivate is set', async () => {
    const p = poller({ egress: {} });
    await expect(p.pollOnce()).rejects.toThrow(/address 127\.0\.0\.1 is not a public unicast address/);
    expect(fake.http.requests).toHaveLength(0);
  });

  it('refuses bad configuration with a CONFIG error naming the field, not its value', () => {
    expect(() => poller({ tenantId: '../../evil' })).toThrow(/^graph poller: tenantId: a directory id/);
    expect(() => poller({ graphBaseUrl: 'https://user:pw@graph.example' })).toThrow(/graphBaseUrl: no credentials, query or fragment/);
    const err = (() => {
      try {
        poller({ clientSecret: '' });
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(err?.message).toMatch(/^graph poller: clientSecret: /);
  });

  it('polls on its interval once started and stops cleanly', async () => {
    fake.add(graphSignIn({ id: 's1', time: T0 - MIN }));
    const p = poller({ intervalMs: 5 });
    await p.start();
    await vi.waitFor(() => expect(signInCalls().length).toBeGreaterThanOrEqual(2));
    await p.stop();
    // a request in flight when stop() aborted it may still reach the server; nothing is sent after that
    await new Promise((r) => setTimeout(r, 30));
    const calls = signInCalls().length;
    await new Promise((r) => setTimeout(r, 50));
    expect(signInCalls().length).toBe(calls);
    expect(ids()).toEqual(['s1']);
  });
});
