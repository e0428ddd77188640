import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../tokens.js';
import { openApiDocument } from './openapi.js';
import { call, startTestServer, type TestServer } from './test-server.js';
import { DEFAULT_API_LIMITS } from './types.js';

/**
 * Every route the app registers, tried without a token, with malformed, unknown and revoked ones,
 * with a token in the URL instead of the header, and with each role it does not allow.
 */
let server: TestServer;
const token: Partial<Record<Role, string>> = {};
let revoked = '';

beforeAll(async () => {
  server = await startTestServer();
  for (const role of ROLES) token[role] = server.tokens.create('tenant-a', role).token;
  const r = server.tokens.create('tenant-a', 'admin');
  server.tokens.revoke(r.id);
  revoked = r.token;
});
afterAll(async () => {
  await server?.close();
});

interface Route {
  method: string;
  path: string;
  /** the path with sample values for its parameters */
  url: string;
}

function registeredRoutes(): Route[] {
  const seen = new Set<string>();
  return server.app.routes
    .filter((r) => r.method !== 'ALL')
    .flatMap((r) => {
      const key = `${r.method} ${r.path}`;
      if (seen.has(key)) return [];
      seen.add(key);
      return [{ method: r.method, path: r.path, url: r.path.replace(/:[a-z]+/g, 'sample-1') }];
    });
}

const allowedRoles = (r: Route): readonly Role[] | undefined => {
  const doc = openApiDocument({ limits: DEFAULT_API_LIMITS }) as { paths: Record<string, Record<string, { 'x-vigil-roles': Role[] }>> };
  return doc.paths[r.path.replace(/:([a-z]+)/g, '{$1}')]?.[r.method.toLowerCase()]?.['x-vigil-roles'];
};

const isPublic = (r: Route): boolean => r.path === '/v1/health';

describe('every route needs a valid token with the right role', () => {
  it('the app has the routes the brief asks for', () => {
    const keys = registeredRoutes().map((r) => `${r.method} ${r.path}`);
    for (const k of [
      'GET /v1/alerts',
      'GET /v1/alerts/:id',
      'GET /v1/campaigns',
      'GET /v1/campaigns/:id',
      'GET /v1/tenants',
      'GET /v1/intel',
      'POST /v1/intel',
      'DELETE /v1/intel/:ref',
      'POST /v1/tokens',
      'GET /v1/tokens',
      'DELETE /v1/tokens/:id',
      'GET /v1/audit',
      'GET /v1/sources',
      'GET /v1/health',
      'GET /metrics',
      'GET /openapi.json',
    ]) {
      expect(keys).toContain(k);
    }
  });

  it('answers 401 without a token, with a malformed, unknown or revoked one, and with a token in the URL', async () => {
    const unknown = `vgl_0123456789abcdef_${'A'.repeat(43)}`;
    for (const r of registeredRoutes().filter((x) => !isPublic(x))) {
      const attempts: Array<[string, Promise<Response>]> = [
        ['no token', call(server, r.method, r.url)],
        ['malformed', call(server, r.method, r.url, undefined, undefined, { authorization: 'Bearer not-a-token' })],
        ['basic auth', call(server, r.method, r.url, undefined, undefined, { authorization: 'Basic YWRtaW46YWRtaW4=' })],
        ['unknown', call(server, r.method, r.url, unknown)],
        ['revoked', call(server, r.method, r.url, revoked)],
        ['token in the query string', call(server, r.method, `${r.url}?access_token=${token.admin}&token=${token.admin}`)],
      ];
      for (const [what, p] of attempts) {
        const res = await p;
        expect(res.status, `${r.method} ${r.path} with ${what}`).toBe(401);
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
        const text = await res.text();
        expect(text).not.toContain(revoked.slice(-43));
        expect(text).not.toContain(token.admin!.slice(-43));
      }
    }
  });

  it('answers 403 to every role the route does not allow', async () => {
    let checked = 0;
    for (const r of registeredRoutes().filter((x) => !isPublic(x))) {
      const allowed = allowedRoles(r);
      expect(allowed, `${r.method} ${r.path} is in the OpenAPI document with its roles`).toBeDefined();
      for (const role of ROLES.filter((x) => !allowed!.includes(x))) {
        const res = await call(server, r.method, r.url, token[role], r.method === 'POST' ? {} : undefined);
        expect(res.status, `${r.method} ${r.path} as ${role}`).toBe(403);
        checked++;
      }
    }
    // ingest, analyst, metrics are each refused somewhere
    expect(checked).toBeGreaterThan(20);
  });

  it('a refused write changes nothing', async () => {
    const before = server.tokens.list().length;
    const res = await call(server, 'POST', '/v1/tokens', token.analyst, { tenant: 'tenant-a', role: 'admin' });
    expect(res.status).toBe(403);
    expect(server.tokens.list()).toHaveLength(before);
  });

  it('health needs no token and answers only the status', async () => {
    const res = await call(server, 'GET', '/v1/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('an unknown path needs a token first, then is 404', async () => {
    expect((await call(server, 'GET', '/v1/nowhere')).status).toBe(401);
    expect((await call(server, 'GET', '/v1/nowhere', token.admin)).status).toBe(404);
  });
});
