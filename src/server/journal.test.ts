import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openServerDb } from './db.js';
import { eventsOfRecord } from './ingest.js';
import { Journal, type JournalInput } from './journal.js';
import { oktaRecord } from './test-helpers.js';

const input = (uuid: string, user = 'alice@example.org'): JournalInput => ({
  format: 'okta',
  framing: 'json',
  raw: JSON.stringify(oktaRecord({ uuid, user })),
  recordKey: `okta:${uuid}`,
});

describe('ingest journal', () => {
  it('numbers records per tenant without gaps and skips a vendor id it already holds', () => {
    const journal = new Journal(openServerDb(':memory:'));
    const r1 = journal.append('a', [input('u1'), input('u2')], (r) => r);
    expect(r1).toMatchObject({ kind: 'stored', result: { stored: 2, duplicates: 0 } });
    journal.append('b', [input('u1')], (r) => r); // same vendor id, other tenant: its own record
    const r2 = journal.append('a', [input('u2'), input('u3'), input('u3')], (r) => r);
    expect(r2).toMatchObject({ kind: 'stored', result: { stored: 1, duplicates: 2 } });
    const all = journal.readFrom(0, 100);
    expect(all.map((r) => [r.tenant, r.tenantSeq])).toEqual([
      ['a', 1],
      ['a', 2],
      ['b', 1],
      ['a', 3],
    ]);
    expect(all.map((r) => r.seq)).toEqual([1, 2, 3, 4]);
    expect(journal.tenantStats('a')).toEqual({ records: 3, lastSeq: 3 });
  });

  it('hands records to a consumer in order from its checkpoint, and the checkpoint survives a reopen', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'vigil-journal-')), 'serve.db');
    let db = openServerDb(file);
    let journal = new Journal(db);
    journal.append('t', ['a', 'b', 'c', 'd', 'e'].map((u) => input(u)), (r) => r);
    const first = journal.readFrom(journal.checkpoint(), 2);
    expect(first.map((r) => JSON.parse(r.raw).uuid)).toEqual(['a', 'b']);
    journal.ack(first.at(-1)?.seq ?? 0);
    journal.ack(1); // an older ack does not move the position back
    db.close();

    db = openServerDb(file);
    journal = new Journal(db);
    expect(journal.checkpoint()).toBe(2);
    expect(journal.lag()).toBe(3);
    const rest = journal.readFrom(journal.checkpoint(), 100);
    expect(rest.map((r) => JSON.parse(r.raw).uuid)).toEqual(['c', 'd', 'e']);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    // 2 = FULL: each commit is synced before append() returns
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    db.close();
  });

  it('gives the detection engine sign-ins under the journal tenant, not the one the record names', () => {
    const journal = new Journal(openServerDb(':memory:'));
    journal.append('tenant-a', [input('x1', 'mallory@tenant-b.example')], (r) => r);
    const [rec] = journal.readFrom(0, 10);
    expect(rec).toBeDefined();
    const events = rec ? eventsOfRecord(rec) : [];
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ tenant: 'tenant-a', user: 'mallory@tenant-b.example', outcome: 'failure', srcIp: '198.51.100.7', ref: 'x1' });
  });

  it('replays the first answer for a repeated idempotency key and refuses it with another body', () => {
    const journal = new Journal(openServerDb(':memory:'));
    const first = journal.append('t', [input('k1')], (r) => ({ id: r.batchId, n: r.stored }), { key: 'batch-1', bodyHash: 'h1' });
    const again = journal.append('t', [input('k1')], (r) => ({ id: r.batchId, n: r.stored }), { key: 'batch-1', bodyHash: 'h1' });
    expect(first.kind).toBe('stored');
    expect(again).toEqual({ kind: 'replay', response: first.kind === 'stored' ? first.response : undefined });
    expect(journal.append('t', [input('k2')], (r) => r, { key: 'batch-1', bodyHash: 'other' })).toEqual({ kind: 'conflict' });
    // the same key from another tenant is that tenant's own
    expect(journal.append('u', [input('k1')], (r) => r, { key: 'batch-1', bodyHash: 'h1' }).kind).toBe('stored');
    expect(journal.readFrom(0, 10)).toHaveLength(2);
  });
});
