import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeAlert } from '../../test/support/alerts.js';
import { createNotifier, type NotifierConfig } from './index.js';
import { buildMessage } from './message.js';
import { loadTemplates } from './templates.js';

interface Body {
  type: string;
  audience: string;
  person?: string;
  alert?: { id: string; severity: string };
  count?: number;
  items?: { alert: { id: string } }[];
}
const bodies: Body[] = [];
const server = http.createServer((req, res) => {
  let s = '';
  req.on('data', (c: Buffer) => (s += c.toString('utf8')));
  req.on('end', () => {
    bodies.push(JSON.parse(s) as Body);
    res.end();
  });
});
let url = '';
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/in`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  bodies.length = 0;
});

let clock = Date.UTC(2024, 5, 1);
function config(over: Partial<NotifierConfig> = {}): NotifierConfig {
  return {
    channels: [{ type: 'webhook', name: 'hook', url, secret: 'a-secret-of-16-chars!' }],
    routes: [{ match: {}, channels: ['hook'], audience: 'admins' }],
    egress: { allowPrivate: true },
    now: () => clock,
    ...over,
  };
}

describe('routes', () => {
  it('filter on minimum severity, kind and tenant', async () => {
    const n = createNotifier(
      config({ routes: [{ match: { minSeverity: 'high', kinds: ['password_spray', 'compromise'], tenants: ['contoso.com'] }, channels: ['hook'], audience: 'admins' }] }),
    );
    const r = await n.notify([
      makeAlert({ id: 'ok', severity: 'high' }),
      makeAlert({ id: 'low', severity: 'medium' }),
      makeAlert({ id: 'kind', kind: 'legacy_auth' }),
      makeAlert({ id: 'tenant', tenant: 'fabrikam.com' }),
      makeAlert({ id: 'crit', kind: 'compromise', severity: 'critical' }),
    ]);
    expect(r.sent).toBe(2);
    expect(bodies.map((b) => b.alert?.id).sort()).toEqual(['crit', 'ok']);
  });

  it('send one message per targeted person', async () => {
    const n = createNotifier(config({ routes: [{ match: {}, channels: ['hook'], audience: 'targets' }] }));
    await n.notify([makeAlert({ id: 't1' })]);
    expect(bodies.map((b) => [b.audience, b.person])).toEqual([
      ['targets', 'alice@contoso.com'],
      ['targets', 'bob@contoso.com'],
    ]);
  });

  it('reject a route naming an unknown channel', () => {
    expect(() => createNotifier(config({ routes: [{ match: {}, channels: ['nope'], audience: 'admins' }] }))).toThrow(
      'notify.routes[0].channels: no channel named "nope"',
    );
  });
});

describe('dedupe', () => {
  it('sends an alert once; a grown alert again only when its severity rises', async () => {
    const n = createNotifier(config());
    expect((await n.notify([makeAlert({ id: 'd1', severity: 'medium' })])).sent).toBe(1);
    const grown = makeAlert({ id: 'd1', severity: 'medium', users: ['alice@contoso.com', 'bob@contoso.com', 'carol@contoso.com'] });
    expect(await n.notify([grown])).toMatchObject({ sent: 0, deduped: 1 });
    expect((await n.notify([{ ...grown, severity: 'critical' }])).sent).toBe(1);
    expect((await n.notify([{ ...grown, severity: 'high' }])).deduped).toBe(1);
    expect(bodies.map((b) => b.alert?.severity)).toEqual(['medium', 'critical']);
  });

  it('survives a restart through dedupeState', async () => {
    const first = createNotifier(config());
    await first.notify([makeAlert({ id: 'r1' })]);
    const state = JSON.parse(JSON.stringify(first.dedupeState())) as Record<string, number>;
    const second = createNotifier(config({ dedupeState: state }));
    expect(await second.notify([makeAlert({ id: 'r1' })])).toMatchObject({ sent: 0, deduped: 1 });
    expect(bodies).toHaveLength(1);
  });

  it('keys on the channel: a second channel still gets the alert', async () => {
    const n = createNotifier(
      config({
        channels: [
          { type: 'webhook', name: 'hook', url, secret: 'a-secret-of-16-chars!' },
          { type: 'webhook', name: 'hook2', url, secret: 'a-secret-of-16-chars!' },
        ],
        routes: [
          { match: {}, channels: ['hook'], audience: 'admins' },
          { match: { minSeverity: 'high' }, channels: ['hook', 'hook2'], audience: 'admins' },
        ],
      }),
    );
    expect(await n.notify([makeAlert({ id: 'k1' })])).toMatchObject({ sent: 2, deduped: 1 });
  });
});

describe('throttle and digest', () => {
  it('holds messages over the per-minute limit and sends them as one digest when the minute has passed', async () => {
    clock = Date.UTC(2024, 5, 2);
    const n = createNotifier(config({ perMinute: 2 }));
    const alerts = ['a', 'b', 'c', 'd', 'e'].map((id) => makeAlert({ id }));
    expect(await n.notify(alerts)).toMatchObject({ sent: 2, queued: 3 });
    expect(await n.flush()).toMatchObject({ sent: 0 }); // still the same minute
    clock += 61_000;
    expect(await n.flush()).toMatchObject({ sent: 1 });
    expect(bodies).toHaveLength(3);
    const digest = bodies[2]!;
    expect(digest.type).toBe('vigil.digest');
    expect(digest.count).toBe(3);
    expect(digest.items!.map((i) => i.alert.id)).toEqual(['c', 'd', 'e']);
    // the held alerts count as notified
    expect((await n.notify([makeAlert({ id: 'c' })])).deduped).toBe(1);
  });
});

describe('templates', () => {
  it('escape attacker-chosen values in HTML email, and use replacement files from templatesDir', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vigil-tpl-'));
    writeFileSync(path.join(dir, 'targets.subject.txt'), 'Account {{person}} needs you');
    const t = loadTemplates('targets', dir);
    const evil = '<script>alert(1)</script>@contoso.com';
    const msg = buildMessage(makeAlert({ id: 'h1', users: [evil] }), 'targets', t, 'the IT desk', evil);
    expect(msg.subject).toBe(`Account ${evil} needs you`);
    expect(msg.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;@contoso.com');
    expect(msg.html).not.toContain('<script>');
    expect(msg.text).toContain('No: every attempt we saw failed.');
  });

  it('refuse an unknown {{field}} at load time, naming the file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vigil-tpl-'));
    writeFileSync(path.join(dir, 'admins.txt'), 'Hello {{password}}');
    expect(() => loadTemplates('admins', dir)).toThrow('template admins.txt: unknown field {{password}}');
  });
});

describe('failed deliveries', () => {
  it('are retried by flush() even when the alert never changes again, with the same delivery id', async () => {
    let up = false;
    const seen: { id: string; alert: string }[] = [];
    const flaky = http.createServer((req, res) => {
      let s = '';
      req.on('data', (c: Buffer) => (s += c.toString('utf8')));
      req.on('end', () => {
        if (!up) return void res.writeHead(503).end();
        seen.push({ id: String(req.headers['x-vigil-delivery']), alert: (JSON.parse(s) as Body).alert?.id ?? '' });
        res.end();
      });
    });
    await new Promise<void>((r) => flaky.listen(0, '127.0.0.1', r));
    try {
      const flakyUrl = `http://127.0.0.1:${(flaky.address() as AddressInfo).port}/in`;
      const n = createNotifier(
        config({ channels: [{ type: 'webhook', name: 'hook', url: flakyUrl, secret: 'a-secret-of-16-chars!', retry: { maxAttempts: 1 } }] }),
      );
      const first = await n.notify([makeAlert({ id: 'r1', severity: 'high' })]);
      expect(first).toMatchObject({ sent: 0, failed: 1 });
      expect(n.pendingRetries()).toBe(1);
      up = true;
      expect((await n.flush()).sent).toBe(1);
      expect(n.pendingRetries()).toBe(0);
      expect((await n.flush()).sent).toBe(0);
      expect(seen.map((x) => x.alert)).toEqual(['r1']);
      expect(seen[0]!.id).toMatch(/^[0-9a-f]{32}$/);
    } finally {
      await new Promise<void>((r) => flaky.close(() => r()));
    }
  });
});

describe('wouldNotify', () => {
  it('is true only for an alert a route selects and that was not yet sent at this severity', async () => {
    const n = createNotifier(config({ routes: [{ match: { minSeverity: 'high' }, channels: ['hook'], audience: 'admins' }] }));
    const a = makeAlert({ id: 'w1', severity: 'high' });
    expect(n.wouldNotify(makeAlert({ id: 'w0', severity: 'medium' }))).toBe(false);
    expect(n.wouldNotify(a)).toBe(true);
    await n.notify([a]);
    expect(n.wouldNotify(a)).toBe(false);
    expect(n.wouldNotify({ ...a, severity: 'critical' })).toBe(true);
  });
});
