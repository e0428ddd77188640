import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openServerDb } from './db.js';
import { eventsOfRecord } from './ingest.js';
import { startIngestServer, type IngestServer } from './index.js';
import { Journal } from './journal.js';
import { oktaRecord } from './test-helpers.js';

/** The ingest server on 127.0.0.1, an ephemeral port, a small body limit for the 413 test. */
const MAX_BODY = 64 * 1024;
let dir: string;
let server: IngestServer;
const tok = { ingestA: '', ingestB: '', analystA: '', adminA: '', revoked: '' };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-serve-'));
  server = await startIngestServer({ dbFile: join(dir, 'serve.db'), limits: { maxBodyBytes: MAX_BODY, maxRecords: 100 } });
  tok.ingestA = server.tokens.create('tenant-a', 'ingest').token;
  tok.ingestB = server.tokens.create('tenant-b', 'ingest').token;
  tok.analystA = server.tokens.create('tenant-a', 'analyst').token;
  tok.adminA = server.tokens.create('tenant-a', 'admin').token;
  const r = server.tokens.create('tenant-a', 'ingest');
  server.tokens.revoke(r.id);
  tok.revoked = r.token;
});
afterAll(async () => {
  await server?.close();
});

function post(body: string | Buffer, headers: Record<string, string> = {}, query = ''): Promise<Response> {
  return fetch(`${server.url}/v1/ingest${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
}
const bearer = (t: string): Record<string, string> => ({ authorization: `Bearer ${t}` });
/** Journal rows of one batch, read straight from the database. */
const rowsOf = (batchId: string): { tenant: string; raw: string; format: string }[] =>
  server.db.prepare('SELECT tenant, raw, format FROM journal WHERE batch_id = ? ORDER BY seq').all(batchId) as {
    tenant: string;
    raw: string;
    format: string;
  }[];

describe('authentication and roles', () => {
  const body = JSON.stringify([oktaRecord({ uuid: 'auth-1' })]);

  it('health needs no token and tells nothing but ok', async () => {
    const r = await fetch(`${server.url}/v1/health`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ status: 'ok' });
  });

  it.each([
    ['no token', {}],
    ['a malformed header', { authorization: 'Basic dXNlcjpwYXNz' }],
    ['a malformed token', { authorization: 'Bearer not-a-token' }],
    ['a huge header', { authorization: `Bearer ${'x'.repeat(8000)}` }],
    ['a wrong token', { authorization: `Bearer vgl_0123456789abcdef_${'A'.repeat(43)}` }],
  ])('ingest with %s gets 401 and stores nothing', async (_what, headers) => {
    const before = server.journal.readFrom(0, 1000).length;
    const r = await post(body, headers as Record<string, string>);
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(server.journal.readFrom(0, 1000)).toHaveLength(before);
  });

  it('a revoked token gets 401, and the answer does not echo it', async () => {
    const r = await post(body, bearer(tok.revoked));
    expect(r.status).toBe(401);
    expect(await r.text()).not.toContain(tok.revoked.slice(-43));
  });

  it('every other route needs a token too (401), and an ingest token is refused there (403)', async () => {
    expect((await fetch(`${server.url}/v1/journal`)).status).toBe(401);
    expect((await fetch(`${server.url}/v1/nowhere`)).status).toBe(401);
    expect((await fetch(`${server.url}/v1/journal`, { headers: bearer(tok.ingestA) })).status).toBe(403);
    const ok = await fetch(`${server.url}/v1/journal`, { headers: bearer(tok.analystA) });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ tenant: 'tenant-a' });
  });

  it('an analyst token cannot ingest (403); an admin token can', async () => {
    expect((await post(body, bearer(tok.analystA))).status).toBe(403);
    expect((await post(JSON.stringify([oktaRecord({ uuid: 'admin-1' })]), bearer(tok.adminA))).status).toBe(200);
  });
});

describe('POST /v1/ingest', () => {
  it('stores records under the token tenant, never the tenant the body claims', async () => {
    const rec = { ...oktaRecord({ uuid: 'bind-1', user: 'eve@tenant-a.example' }), tenant: 'tenant-a' };
    const r = await post(JSON.stringify(rec), bearer(tok.ingestB));
    expect(r.status).toBe(200);
    const res = (await r.json()) as { batchId: string; accepted: number };
    expect(res.accepted).toBe(1);
    const rows = rowsOf(res.batchId);
    expect(rows.map((x) => x.tenant)).toEqual(['tenant-b']);
    const rec0 = server.journal.readFrom(0, 1000).find((x) => x.batchId === res.batchId);
    expect(rec0 && eventsOfRecord(rec0).map((e) => e.tenant)).toEqual(['tenant-b']);
    // tenant A's analyst does not see it in its counts
    const a = (await (await fetch(`${server.url}/v1/journal`, { headers: bearer(tok.analystA) })).json()) as { records: number };
    const b = server.journal.tenantStats('tenant-b');
    expect(b.records).toBeGreaterThanOrEqual(1);
    expect(a.records).toBe(server.journal.tenantStats('tenant-a').records);
  });

  it('accepts NDJSON and reports each bad line by index and line, storing the good ones', async () => {
    const lines = [
      JSON.stringify(oktaRecord({ uuid: 'nd-1' })),
      '',
      '{"uuid": "nd-bad", "eventType": "user.session.start", "published": "yesterday", "outcome": {"result": "FAILURE"}}',
      '{not json',
      '[1,2]',
      JSON.stringify({ hello: 'world' }),
      JSON.stringify(oktaRecord({ uuid: 'nd-2', result: 'SUCCESS' })),
    ].join('\n');
    const r = await post(lines, { ...bearer(tok.ingestA), 'content-type': 'application/x-ndjson' });
    expect(r.status).toBe(200);
    const res = (await r.json()) as { batchId: string; accepted: number; rejected: { index: number; line: number; reason: string }[] };
    expect(res.accepted).toBe(2);
    expect(res.rejected).toEqual([
      { index: 1, line: 3, reason: expect.stringMatching(/^published/) },
      { index: 2, line: 4, reason: 'record: not valid JSON' },
      { index: 3, line: 5, reason: 'record: expected a JSON object' },
      { index: 4, line: 6, reason: expect.stringMatching(/unrecognized format/) },
    ]);
    expect(rowsOf(res.batchId).map((x) => JSON.parse(x.raw).uuid)).toEqual(['nd-1', 'nd-2']);
  });

  it('survives hostile records: wrong types, __proto__ keys, deep nesting, binary', async () => {
    const body = `[${[
      '{"__proto__": {"polluted": 1}, "uuid": "h-1", "eventType": "user.session.start", "published": "2024-03-04T09:15:02Z", "outcome": {"result": "FAILURE"}, "actor": {"alternateId": "a@b.example"}}',
      '{"uuid": {"a": 1}, "eventType": ["x"], "published": 12, "outcome": "no"}',
      `{"uuid": "h-3", "deep": ${'['.repeat(5000)}${']'.repeat(5000)}}`,
      '"\\u0000\\u0001binary"',
    ].join(',')}]`;
    const r = await post(body, bearer(tok.ingestA));
    expect(r.status).toBe(200);
    const res = (await r.json()) as { accepted: number; rejected: { index: number }[] };
    // the first is a valid Okta failure (its __proto__ key is plain data); the others are refused
    expect(res.accepted).toBe(1);
    expect(res.rejected.map((x) => x.index)).toEqual([1, 2, 3]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((await post('['.repeat(60_000), bearer(tok.ingestA))).status).toBe(400);
  });

  it('accepts a gzip body', async () => {
    const recs = [oktaRecord({ uuid: 'gz-1' }), oktaRecord({ uuid: 'gz-2' })];
    const r = await post(gzipSync(JSON.stringify(recs)), { ...bearer(tok.ingestA), 'content-encoding': 'gzip' });
    expect(r.status).toBe(200);
    const res = (await r.json()) as { batchId: string; accepted: number };
    expect(res.accepted).toBe(2);
    expect(rowsOf(res.batchId).map((x) => x.format)).toEqual(['okta', 'okta']);
  });

  it('refuses a broken gzip body with 400 and an unknown encoding with 415', async () => {
    expect((await post(Buffer.from('not gzip'), { ...bearer(tok.ingestA), 'content-encoding': 'gzip' })).status).toBe(400);
    expect((await post('[]', { ...bearer(tok.ingestA), 'content-encoding': 'br' })).status).toBe(415);
  });

  it('refuses a body over the limit with 413, on the wire or once gunzipped, and stores nothing', async () => {
    const before = server.journal.readFrom(0, 10_000).length;
    const big = JSON.stringify([{ ...oktaRecord({ uuid: 'big' }), pad: 'x'.repeat(MAX_BODY) }]);
    expect((await post(big, bearer(tok.ingestA))).status).toBe(413);
    // 64 KiB + of zeros compresses to a few hundred bytes: the decoded size is what counts
    const bomb = gzipSync(Buffer.alloc(MAX_BODY * 4, 0x20));
    expect(bomb.length).toBeLessThan(MAX_BODY);
    expect((await post(bomb, { ...bearer(tok.ingestA), 'content-encoding': 'gzip' })).status).toBe(413);
    const many = Array.from({ length: 101 }, (_, i) => JSON.stringify(oktaRecord({ uuid: `many-${i}` }))).join('\n');
    expect((await post(many, { ...bearer(tok.ingestA), 'content-type': 'application/x-ndjson' })).status).toBe(413);
    expect(server.journal.readFrom(0, 10_000)).toHaveLength(before);
  });

  it('refuses a body that is not JSON with 400 and an unknown format override with 400', async () => {
    expect((await post('{"a":', bearer(tok.ingestA))).status).toBe(400);
    expect((await post('[]', bearer(tok.ingestA), '?format=nope')).status).toBe(400);
  });

  it('reads sshd lines sent as text/plain with ?format=sshd', async () => {
    const line = '2024-03-04T09:15:02+00:00 host sshd[411]: Failed password for root from 203.0.113.9 port 52211 ssh2';
    const r = await post(`${line}\n`, { ...bearer(tok.ingestA), 'content-type': 'text/plain' }, '?format=sshd');
    expect(r.status).toBe(200);
    const res = (await r.json()) as { batchId: string; accepted: number };
    expect(res.accepted).toBe(1);
    expect(rowsOf(res.batchId)).toEqual([{ tenant: 'tenant-a', raw: line, format: 'sshd' }]);
  });

  it('does not store a batch twice when resent with the same Idempotency-Key', async () => {
    const body = JSON.stringify([oktaRecord({ uuid: 'idem-1' }), { eventType: 1 }]);
    const h = { ...bearer(tok.ingestA), 'idempotency-key': 'client-batch-42' };
    const first = await post(body, h);
    const again = await post(body, h);
    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const a = (await first.json()) as { batchId: string };
    expect(await again.json()).toEqual(a);
    expect(rowsOf(a.batchId)).toHaveLength(1);
    expect((await post(JSON.stringify([]), h)).status).toBe(422);
  });

  it('does not store a record twice when resent without a key: its own id (uuid) is known', async () => {
    const body = JSON.stringify([oktaRecord({ uuid: 'own-1' }), oktaRecord({ uuid: 'own-2' })]);
    const first = (await (await post(body, bearer(tok.ingestA))).json()) as { accepted: number; duplicates: number };
    const again = (await (await post(body, bearer(tok.ingestA))).json()) as { accepted: number; duplicates: number };
    expect(first).toMatchObject({ accepted: 2, duplicates: 0 });
    expect(again).toMatchObject({ accepted: 0, duplicates: 2 });
    const n = server.db.prepare(`SELECT count(*) AS n FROM journal WHERE raw LIKE '%"own-_"%'`).get() as { n: number };
    expect(n.n).toBe(2);
  });

  it('every acknowledged record is in the journal after the server closes and the file is reopened', async () => {
    const acked: string[] = [];
    for (let b = 0; b < 5; b++) {
      const recs = Array.from({ length: 20 }, (_, i) => oktaRecord({ uuid: `dur-${b}-${i}` }));
      const r = await post(JSON.stringify(recs), bearer(tok.ingestA));
      expect(r.status).toBe(200);
      acked.push(...recs.map((x) => String(x.uuid)));
    }
    await server.close();
    const db = openServerDb(join(dir, 'serve.db'));
    const stored = new Journal(db)
      .readFrom(0, 100_000)
      .filter((x) => x.format === 'okta')
      .map((x) => String((JSON.parse(x.raw) as { uuid?: unknown }).uuid));
    db.close();
    expect(stored.filter((u) => u.startsWith('dur-'))).toEqual(acked);
    server = await startIngestServer({ dbFile: join(dir, 'serve.db') });
  });
});
