import dns from 'node:dns';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { makeAlert } from '../../test/support/alerts.js';
import { postWithRetry } from './http-post.js';
import { createNotifier } from './index.js';
import type { LogEntry } from './types.js';

interface Hit {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A loopback receiver answering each request with the next status of `script` (then 200). */
function receiver() {
  const hits: Hit[] = [];
  let script: number[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      hits.push({ path: req.url ?? '', headers: req.headers, body });
      const status = script.shift() ?? 200;
      if (status === 302) res.writeHead(302, { location: `http://127.0.0.1:${port()}/elsewhere` });
      else res.writeHead(status);
      res.end('ok');
    });
  });
  const port = (): number => (server.address() as AddressInfo).port;
  return {
    hits,
    url: (p: string) => `http://127.0.0.1:${port()}${p}`,
    setScript: (s: number[]) => (script = [...s]),
    start: () => new Promise<void>((r) => server.listen(0, '127.0.0.1', r)),
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const SECRET = 'whsec-planted-4f9a2c7e1b';
const SLACK_PATH = '/services/T000/B000/slack-token-Zx81';
const rx = receiver();
beforeAll(() => rx.start());
afterAll(() => rx.stop());
afterEach(() => {
  rx.hits.length = 0;
  rx.setScript([]);
  vi.restoreAllMocks();
});

const fast = { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 20 };

describe('generic webhook', () => {
  it('signs the JSON body with t=<unix>,v1=HMAC-SHA256("t.body")', async () => {
    const n = createNotifier({
      channels: [{ type: 'webhook', name: 'hook', url: rx.url('/hook'), secret: SECRET, retry: fast }],
      routes: [{ match: {}, channels: ['hook'], audience: 'admins' }],
      egress: { allowPrivate: true },
      now: () => Date.UTC(2024, 0, 1),
    });
    const r = await n.notify([makeAlert({ id: 'a1', campaignId: 'camp-7' })]);
    expect(r.sent).toBe(1);
    const hit = rx.hits[0]!;
    const sig = String(hit.headers['x-vigil-signature']);
    const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(sig);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBe(Date.UTC(2024, 0, 1) / 1000);
    expect(m![2]).toBe(createHmac('sha256', SECRET).update(`${m![1]}.${hit.body}`).digest('hex'));
    const body = JSON.parse(hit.body) as { type: string; audience: string; alert: { id: string; campaignId: string; firstSeen: string } };
    expect(body).toMatchObject({ type: 'vigil.alert', audience: 'admins', alert: { id: 'a1', campaignId: 'camp-7' } });
    expect(body.alert.firstSeen).toBe('2020-09-01T12:00:00.000Z');
    await n.close();
  });

  it('retries 5xx with backoff until it succeeds', async () => {
    rx.setScript([500, 503, 200]);
    await postWithRetry({ url: rx.url('/r'), body: '{}', headers: () => ({}), policy: { allowPrivate: true }, timeoutMs: 2000 }, fast);
    expect(rx.hits).toHaveLength(3);
  });

  it('gives up after maxAttempts on repeated 5xx', async () => {
    rx.setScript([500, 500, 500, 500, 500]);
    await expect(
      postWithRetry({ url: rx.url('/r'), body: '{}', headers: () => ({}), policy: { allowPrivate: true }, timeoutMs: 2000 }, fast),
    ).rejects.toThrow(/HTTP 500 \(gave up after 4 attempts\)/);
    expect(rx.hits).toHaveLength(4);
  });

  it('does not retry a 4xx', async () => {
    rx.setScript([400]);
    await expect(
      postWithRetry({ url: rx.url('/r'), body: '{}', headers: () => ({}), policy: { allowPrivate: true }, timeoutMs: 2000 }, fast),
    ).rejects.toThrow(/HTTP 400/);
    expect(rx.hits).toHaveLength(1);
  });

  it('does not follow redirects', async () => {
    rx.setScript([302]);
    await expect(
      postWithRetry({ url: rx.url('/r'), body: '{}', headers: () => ({}), policy: { allowPrivate: true }, timeoutMs: 2000 }, fast),
    ).rejects.toThrow(/redirect \(not followed\)/);
    expect(rx.hits.map((h) => h.path)).toEqual(['/r']);
  });

  it('retries a refused connection, then reports it', async () => {
    const closed = receiver();
    await closed.start();
    const url = closed.url('/gone');
    await closed.stop();
    await expect(
      postWithRetry({ url, body: '{}', headers: () => ({}), policy: { allowPrivate: true }, timeoutMs: 2000 }, { ...fast, maxAttempts: 2 }),
    ).rejects.toThrow(/cannot reach 127\.0\.0\.1:\d+: ECONNREFUSED \(gave up after 2 attempts\)/);
  });
});

describe('SSRF guard on HTTP channels', () => {
  it.each(['http://127.0.0.1:9/x', 'http://10.0.0.8/x', 'http://169.254.169.254/latest/meta-data', 'http://[::1]:9/x', 'http://[fd00::1]/x', 'http://[::ffff:127.0.0.1]/x', 'http://2130706433/x'])(
    'refuses %s without allowPrivate and does not retry',
    async (url) => {
      await expect(postWithRetry({ url, body: '{}', headers: () => ({}), policy: {}, timeoutMs: 2000 }, fast)).rejects.toThrow(
        /is not a public unicast address/,
      );
    },
  );

  it('checks the address DNS gives at connect time (a rebinding name pointing at loopback is refused)', async () => {
    // the first answer is public (what an earlier check would have seen), the connect-time one is loopback
    const answers = ['93.184.216.34', '127.0.0.1'];
    vi.spyOn(dns, 'lookup').mockImplementation(((_h: string, _o: unknown, cb: (e: null, a: dns.LookupAddress[]) => void) => {
      const address = answers.length > 1 ? answers.shift()! : answers[0]!;
      cb(null, [{ address, family: 4 }]);
    }) as unknown as typeof dns.lookup);
    dns.lookup('rebind.test', { all: true }, () => undefined); // the "earlier check" consumes the public answer
    const port = new URL(rx.url('/')).port;
    await expect(
      postWithRetry({ url: `http://rebind.test:${port}/x`, body: '{}', headers: () => ({}), policy: {}, timeoutMs: 2000 }, fast),
    ).rejects.toThrow(/127\.0\.0\.1 is not a public unicast address/);
    expect(rx.hits).toHaveLength(0);
  });

  it('refuses non-HTTP schemes', async () => {
    await expect(postWithRetry({ url: 'file:///etc/passwd', body: '{}', headers: () => ({}), policy: {}, timeoutMs: 2000 }, fast)).rejects.toThrow(
      /scheme file: is not allowed/,
    );
  });
});

describe('Slack and Teams', () => {
  it('post their incoming-webhook payloads with attacker-chosen names escaped', async () => {
    const n = createNotifier({
      channels: [
        { type: 'slack', name: 'slack', url: rx.url('/slack') },
        { type: 'teams', name: 'teams', url: rx.url('/teams') },
      ],
      routes: [{ match: {}, channels: ['slack', 'teams'], audience: 'admins' }],
      egress: { allowPrivate: true },
    });
    const alert = makeAlert({ id: 's1', users: ['<http://evil.test|reset>', '[click](http://evil.test)'] });
    expect((await n.notify([alert])).sent).toBe(2);
    const slack = JSON.parse(rx.hits.find((h) => h.path === '/slack')!.body) as {
      text: string;
      blocks: { type: string; text: { type: string; text: string } }[];
    };
    expect(slack.text).toBe('[Vigil high] Password spray on contoso.com');
    expect(slack.blocks.map((b) => b.type)).toEqual(['header', 'section']);
    expect(slack.blocks[1]!.text.type).toBe('mrkdwn');
    expect(slack.blocks[1]!.text.text).toContain('• &lt;http://evil.test|reset&gt;');
    expect(slack.blocks[1]!.text.text).not.toContain('<http://evil.test');
    const teams = JSON.parse(rx.hits.find((h) => h.path === '/teams')!.body) as {
      type: string;
      attachments: { contentType: string; content: { type: string; version: string; body: { text: string }[] } }[];
    };
    expect(teams.type).toBe('message');
    expect(teams.attachments[0]!.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(teams.attachments[0]!.content.type).toBe('AdaptiveCard');
    expect(teams.attachments[0]!.content.body[1]!.text).toContain('\\[click\\]\\(http://evil.test\\)');
    await n.close();
  });
});

describe('secrets', () => {
  it('never appear in errors or log lines', async () => {
    rx.setScript([500, 500, 500, 500, 500, 500, 500, 500]);
    const logs: LogEntry[] = [];
    const n = createNotifier({
      channels: [
        { type: 'webhook', name: 'hook', url: rx.url(`/hook?token=${SECRET}`), secret: SECRET, retry: { ...fast, maxAttempts: 2 } },
        { type: 'slack', name: 'slack', url: rx.url(SLACK_PATH), retry: { ...fast, maxAttempts: 2 } },
      ],
      routes: [{ match: {}, channels: ['hook', 'slack'], audience: 'admins' }],
      egress: { allowPrivate: true },
      log: (e) => logs.push(e),
    });
    const r = await n.notify([makeAlert({ id: 'x1' })]);
    expect(r.failed).toBe(2);
    expect(r.errors).toHaveLength(2);
    const everything = JSON.stringify([r.errors, logs]);
    expect(everything).toContain('HTTP 500');
    for (const s of [SECRET, SLACK_PATH, 'slack-token-Zx81']) expect(everything).not.toContain(s);
    await n.close();
  });
});
