import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../core/types.js';
import { openApiDocument } from './openapi.js';
import { call, startTestServer, type TestServer } from './test-server.js';
import { DEFAULT_API_LIMITS } from './types.js';

interface Operation {
  parameters?: Array<{ name: string; in: string; required?: boolean }>;
  responses: Record<string, { content?: Record<string, { schema: object }> }>;
  security: unknown[];
  'x-vigil-roles': string[];
}
type Doc = { openapi: string; paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, object> } };

let server: TestServer;
let doc: Doc;
let admin = '';

beforeAll(async () => {
  const now = Date.UTC(2024, 2, 4, 12);
  server = await startTestServer({
    now: () => now,
    sources: () => [{ name: 'okta:tenant-a', kind: 'okta', recordsIn: 12, rejected: 1, lastSuccessAt: now, newestEventAt: now - 60_000, lastError: 'HTTP 429', lastErrorAt: now - 1000 }],
  });
  admin = server.tokens.create('tenant-a', 'admin').token;
  const t0 = Date.UTC(2024, 2, 4, 9);
  const alert = (id: string, tenant: string): Alert => ({
    id,
    kind: 'password_spray',
    technique: 'T1110.003',
    severity: 'high',
    confidence: 0.8,
    tenant,
    users: [`alice@${tenant}`],
    sourceIps: ['203.0.113.10', '203.0.113.11'],
    firstSeen: t0,
    lastSeen: t0 + 3_600_000,
    evidence: { attempts: 40, failures: 40, successes: 0, refs: ['x:1'] },
    explanation: 'spray',
    actions: ['reset'],
  });
  await server.store.saveAlerts([alert('alert-1', 'tenant-a'), alert('alert-2', 'tenant-b')]);
  const r = await call(server, 'GET', '/openapi.json', admin);
  expect(r.status).toBe(200);
  doc = (await r.json()) as Doc;
});
afterAll(async () => {
  await server?.close();
});

const registered = (): string[] => [
  ...new Set(server.app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path.replace(/:([A-Za-z]+)/g, '{$1}')}`)),
];
const documented = (): string[] => Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));

describe('GET /openapi.json', () => {
  it('is an OpenAPI 3.1 document describing exactly the routes the app registers', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(documented().sort()).toEqual(registered().sort());
  });

  it('declares every path parameter, and the auth of every route', () => {
    for (const [path, ops] of Object.entries(doc.paths)) {
      const inPath = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      for (const [method, op] of Object.entries(ops)) {
        const declared = (op.parameters ?? []).filter((p) => p.in === 'path');
        expect(declared.map((p) => p.name), `${method} ${path}`).toEqual(inPath);
        expect(declared.every((p) => p.required)).toBe(true);
        const isPublic = path === '/v1/health';
        expect(op.security, `${method} ${path}`).toEqual(isPublic ? [] : [{ bearer: [] }]);
        if (!isPublic) expect(Object.keys(op.responses), `${method} ${path}`).toContain('401');
      }
    }
  });

  it("matches the answers the routes give (JSON Schema of each route's success response)", async () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    (addFormatsModule as unknown as (a: Ajv2020) => void)(ajv);
    ajv.addSchema({ $id: 'vigil-openapi', components: doc.components });
    const validate = (path: string, method: string, status: string, body: unknown): void => {
      const op = doc.paths[path]?.[method];
      const schema = op?.responses[status]?.content?.['application/json']?.schema;
      expect(schema, `${method} ${path} ${status} has a JSON schema`).toBeDefined();
      // the document's $refs are relative to itself
      const rebased = JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"vigil-openapi#/components/')) as object;
      const ok = ajv.validate(rebased, body);
      expect(ok, `${method} ${path}: ${ajv.errorsText(ajv.errors)}`).toBe(true);
    };
    await call(server, 'POST', '/v1/intel?name=feed.csv', admin, '203.0.113.10,APT28,partner\n', { 'content-type': 'text/csv' });
    const created = await call(server, 'POST', '/v1/tokens', admin, { tenant: 'tenant-b', role: 'analyst' });
    validate('/v1/tokens', 'post', '201', await created.json());
    const reads: Array<[string, string]> = [
      ['/v1/health', '/v1/health'],
      ['/v1/alerts', '/v1/alerts'],
      ['/v1/alerts/{id}', '/v1/alerts/alert-1'],
      ['/v1/campaigns', '/v1/campaigns'],
      ['/v1/tenants', '/v1/tenants'],
      ['/v1/intel', '/v1/intel'],
      ['/v1/tokens', '/v1/tokens'],
      ['/v1/audit', '/v1/audit'],
      ['/v1/sources', '/v1/sources'],
      ['/v1/journal', '/v1/journal'],
    ];
    for (const [path, url] of reads) {
      const r = await call(server, 'GET', url, admin);
      expect(r.status, url).toBe(200);
      validate(path, 'get', '200', await r.json());
    }
    const campaigns = (await (await call(server, 'GET', '/v1/campaigns', admin)).json()) as { campaigns: Array<{ id: string }> };
    const one = await call(server, 'GET', `/v1/campaigns/${campaigns.campaigns[0]!.id}`, admin);
    validate('/v1/campaigns/{id}', 'get', '200', await one.json());
    const bad = await call(server, 'GET', '/v1/alerts?limit=5000', admin);
    expect(bad.status).toBe(400);
    validate('/v1/alerts', 'get', '400', await bad.json());
    const removed = await call(server, 'DELETE', '/v1/intel/feed.csv', admin);
    validate('/v1/intel/{ref}', 'delete', '200', await removed.json());
  });

  it('is the same document the library builds', () => {
    expect(doc).toEqual(JSON.parse(JSON.stringify(openApiDocument({ limits: DEFAULT_API_LIMITS }))));
  });
});
