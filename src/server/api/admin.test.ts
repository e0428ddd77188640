import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VigilError } from '../../core/errors.js';
import type { AsyncVigilStore } from '../../store/async.js';
import { call, startTestServer, type TestServer } from './test-server.js';

/** Token and intel administration, the audit log of both, and what answers never contain. */
let server: TestServer;
let admin: { id: string; token: string };
let analyst = '';

beforeAll(async () => {
  server = await startTestServer();
  admin = server.tokens.create('tenant-a', 'admin', 'ops');
  analyst = server.tokens.create('tenant-a', 'analyst').token;
});
afterAll(async () => {
  await server?.close();
});

const json = async (r: Response): Promise<Record<string, unknown>> => (await r.json()) as Record<string, unknown>;
type Entry = { tokenId: string; action: string; tenant: string | null; target: string; detail: Record<string, unknown> };
const audit = async (action: string): Promise<Entry[]> => (await json(await call(server, 'GET', `/v1/audit?action=${action}`, admin.token)))['entries'] as Entry[];

describe('tokens over the API', () => {
  it('an admin creates a token whose secret is shown once, never listed, and audit logged', async () => {
    const r = await call(server, 'POST', '/v1/tokens', admin.token, { tenant: 'Tenant-B', role: 'analyst', label: 'soc', tenants: ['tenant-c'] });
    expect(r.status).toBe(201);
    expect(r.headers.get('cache-control')).toBe('no-store');
    const created = await json(r);
    expect(created).toMatchObject({ tenant: 'tenant-b', tenants: ['tenant-b', 'tenant-c'], role: 'analyst', label: 'soc' });
    const secret = String(created['token']).slice(-43);
    // it works
    expect((await call(server, 'GET', '/v1/alerts', String(created['token']))).status).toBe(200);
    const listed = await call(server, 'GET', '/v1/tokens', admin.token);
    const text = await listed.text();
    expect(text).toContain(String(created['id']));
    expect(text).not.toContain(secret);
    expect(text).not.toMatch(/hash/i);
    const [entry] = await audit('token.create');
    expect(entry).toMatchObject({ tokenId: admin.id, action: 'token.create', tenant: 'tenant-b', target: created['id'], detail: { role: 'analyst', label: 'soc', tenants: ['tenant-b', 'tenant-c'] } });
    const auditText = await (await call(server, 'GET', '/v1/audit', admin.token)).text();
    expect(auditText).not.toContain(secret);
  });

  it('revoking a token stops it at once; a second revoke is 404; both audit logged once', async () => {
    const t = server.tokens.create('tenant-a', 'ingest');
    const r = await call(server, 'DELETE', `/v1/tokens/${t.id}`, admin.token);
    expect(r.status).toBe(200);
    expect(await json(r)).toEqual({ revoked: t.id });
    expect((await call(server, 'POST', '/v1/ingest', t.token, '[]', { 'content-type': 'application/json' })).status).toBe(401);
    expect((await call(server, 'DELETE', `/v1/tokens/${t.id}`, admin.token)).status).toBe(404);
    expect((await call(server, 'DELETE', '/v1/tokens/ffffffffffffffff', admin.token)).status).toBe(404);
    const entries = (await audit('token.revoke')).filter((e) => e.target === t.id);
    expect(entries).toEqual([expect.objectContaining({ tokenId: admin.id, tenant: 'tenant-a', target: t.id })]);
  });

  it.each([
    ['an unknown role', { tenant: 'a', role: 'root' }],
    ['a bad tenant', { tenant: 'a b', role: 'analyst' }],
    ['an unknown field', { tenant: 'a', role: 'analyst', hash: 'x' }],
    ['extra tenants on an ingest token', { tenant: 'a', role: 'ingest', tenants: ['b'] }],
    ['no tenant', { role: 'analyst' }],
  ])('refuses %s with 400 and creates nothing', async (_what, body) => {
    const before = server.tokens.list().length;
    const r = await call(server, 'POST', '/v1/tokens', admin.token, body);
    expect(r.status).toBe(400);
    expect(server.tokens.list()).toHaveLength(before);
  });

  it('refuses a body over the limit with 413 and not-JSON with 400', async () => {
    expect((await call(server, 'POST', '/v1/tokens', admin.token, { tenant: 'a', role: 'analyst', label: 'x'.repeat(1024 * 1024 + 10) })).status).toBe(413);
    expect((await call(server, 'POST', '/v1/tokens', admin.token, '{not json', { 'content-type': 'application/json' })).status).toBe(400);
  });
});

describe('intel over the API', () => {
  const csv = 'ip,actor,source\n203.0.113.10,APT28,partner\n203.0.113.11,APT28,partner\n';

  it('an admin uploads a list, analysts read it, the admin removes it; add and remove are audit logged', async () => {
    const up = await call(server, 'POST', '/v1/intel?name=partner.csv', admin.token, csv, { 'content-type': 'text/csv' });
    expect(up.status).toBe(201);
    expect(await json(up)).toMatchObject({ name: 'partner.csv', stored: 2 });
    const listed = await json(await call(server, 'GET', '/v1/intel', analyst));
    expect(listed['total']).toBe(2);
    expect(listed['indicators']).toEqual(
      expect.arrayContaining([expect.objectContaining({ file: 'partner.csv', kind: 'ip', value: '203.0.113.10', actors: [expect.objectContaining({ name: 'APT28' })] })]),
    );
    // re-uploading the same name replaces, not adds
    await call(server, 'POST', '/v1/intel?name=partner.csv', admin.token, csv, { 'content-type': 'text/csv' });
    expect((await json(await call(server, 'GET', '/v1/intel?file=partner.csv', analyst)))['total']).toBe(2);
    const del = await call(server, 'DELETE', '/v1/intel/partner.csv', admin.token);
    expect(await json(del)).toEqual({ removed: 2 });
    expect((await call(server, 'DELETE', '/v1/intel/partner.csv', admin.token)).status).toBe(404);
    expect((await json(await call(server, 'GET', '/v1/intel', analyst)))['total']).toBe(0);
    expect((await audit('intel.add')).map((e) => [e.tokenId, e.target, e.detail['stored']])).toEqual([
      [admin.id, 'partner.csv', 2],
      [admin.id, 'partner.csv', 2],
    ]);
    expect((await audit('intel.remove'))[0]).toMatchObject({ tokenId: admin.id, target: 'partner.csv', detail: { removed: 2 } });
  });

  it('refuses a missing or bad name (400), a body without indicators (422), and unreadable JSON (400)', async () => {
    expect((await call(server, 'POST', '/v1/intel', admin.token, csv)).status).toBe(400);
    expect((await call(server, 'POST', '/v1/intel?name=../etc/passwd', admin.token, csv)).status).toBe(400);
    expect((await call(server, 'POST', '/v1/intel?name=empty.csv', admin.token, 'ip,actor\n')).status).toBe(422);
    expect((await call(server, 'POST', '/v1/intel?name=x.json', admin.token, '{"type": "bundle", ', { 'content-type': 'application/json' })).status).toBe(400);
    expect((await audit('intel.add')).filter((e) => e.target !== 'partner.csv')).toEqual([]);
  });

  it('stored intel attributes campaigns', async () => {
    const t0 = Date.UTC(2024, 2, 4, 9);
    await server.store.saveAlerts([
      {
        id: 'alert-intel-1',
        kind: 'password_spray',
        technique: 'T1110.003',
        severity: 'high',
        confidence: 0.8,
        tenant: 'tenant-a',
        users: ['alice@tenant-a.example', 'bob@tenant-a.example'],
        sourceIps: ['203.0.113.10', '203.0.113.11'],
        firstSeen: t0,
        lastSeen: t0 + 3_600_000,
        evidence: { attempts: 40, failures: 40, successes: 0, refs: [] },
        explanation: 'spray',
      },
    ]);
    await call(server, 'POST', '/v1/intel?name=partner.csv', admin.token, csv, { 'content-type': 'text/csv' });
    const body = await json(await call(server, 'GET', '/v1/campaigns', analyst));
    const [campaign] = body['campaigns'] as Array<{ actor?: { name: string } }>;
    expect(campaign?.actor?.name).toMatch(/APT28|Forest Blizzard/);
  });
});

describe('caching', () => {
  it('no answer may be cached: they name people under attack', async () => {
    for (const [path, t] of [['/v1/alerts', analyst], ['/v1/alerts/nobody', analyst], ['/v1/tokens', admin.token], ['/v1/audit', admin.token]] as const) {
      expect((await call(server, 'GET', path, t)).headers.get('cache-control'), path).toBe('no-store');
    }
  });
});

describe('secrets stay out of answers and logs', () => {
  const PLANTED = 'Planted-Secret-8e1f';

  async function failingServer(error: Error): Promise<TestServer> {
    const real = server.store;
    const broken: AsyncVigilStore = { ...real, listAlerts: () => Promise.reject(error), close: () => Promise.resolve() };
    return startTestServer({ store: broken });
  }

  it.each([
    ['a store error', new VigilError('STORE', `postgres://vigil:${PLANTED}@db.internal:5432/vigil: could not read alerts`), 503],
    ['an unexpected error', new Error(`connect postgres://vigil:${PLANTED}@10.0.0.5/vigil?password=${PLANTED}`), 500],
  ])('%s answers a generic message; the log keeps the host but not the password', async (_what, error, status) => {
    const s = await failingServer(error);
    try {
      const t = s.tokens.create('tenant-a', 'analyst');
      const r = await call(s, 'GET', '/v1/alerts', t.token);
      expect(r.status).toBe(status);
      const text = await r.text();
      expect(text).not.toContain(PLANTED);
      expect(text).not.toContain('postgres://');
      expect(s.logs.join('\n')).toContain('postgres://vigil:***@');
      expect(s.logs.join('\n')).not.toContain(PLANTED);
      expect(s.logs.join('\n')).not.toContain(t.token.slice(-43));
    } finally {
      await s.close();
    }
  });

  it('no answer to the admin repeats a token secret, even the admin listing every token', async () => {
    const secrets = server.tokens.list().length > 0 ? [admin.token.slice(-43), analyst.slice(-43)] : [];
    const bodies = await Promise.all(['/v1/tokens', '/v1/audit', '/v1/tenants', '/v1/alerts', '/v1/campaigns', '/metrics', '/openapi.json'].map(async (p) => (await call(server, 'GET', p, admin.token)).text()));
    for (const s of secrets) for (const b of bodies) expect(b).not.toContain(s);
  });
});
