import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEnrichment } from '../enrich/index.js';
import { openServerDb, type ServerDb } from '../server/db.js';
import { ingestRecords } from '../server/ingest.js';
import { Journal } from '../server/journal.js';
import { oktaRecord } from '../server/test-helpers.js';
import { toAsyncStore } from '../store/async.js';
import { SqliteAlertStore } from '../store/sqlite.js';
import { DetectLoop } from './detect-loop.js';
import { engineSnapshotCodec } from '../detect/snapshot.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function setup(): Promise<{ db: ServerDb; journal: Journal; store: ReturnType<typeof toAsyncStore>; close: () => Promise<void>; loop: (now: () => number) => DetectLoop }> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-loop-'));
  dirs.push(dir);
  const db = openServerDb(join(dir, 'server.db'));
  const journal = new Journal(db);
  const store = toAsyncStore(new SqliteAlertStore(join(dir, 'alerts.db')));
  const enrichment = await createEnrichment({ bundledCacheDir: false });
  return {
    db,
    journal,
    store,
    loop: (now) => DetectLoop.open({ journal, db, store, enrichers: [enrichment], codec: engineSnapshotCodec, now, quietMs: 60_000 }),
    close: async () => {
      enrichment.close();
      await store.close();
      db.close();
    },
  };
}

/** One address trying one password on many accounts within two minutes: a spray whose failures are judged 15 min later. */
function spray(n: number): { record: { framing: 'json'; value: unknown }; raw: string }[] {
  const t0 = Date.parse('2024-03-04T09:00:00Z');
  return Array.from({ length: n }, (_, i) => {
    const value = oktaRecord({ uuid: `s-${i}`, user: `user${i}@example.org`, ip: '203.0.113.77', published: new Date(t0 + i * 10_000).toISOString() });
    return { record: { framing: 'json' as const, value }, raw: JSON.stringify(value) };
  });
}

describe('DetectLoop', () => {
  it('judges the failures at the end of a burst once the feed has been quiet, without waiting for another sign-in', async () => {
    const s = await setup();
    try {
      let wall = Date.parse('2026-01-01T00:00:00Z');
      const loop = s.loop(() => wall);
      ingestRecords(s.journal, 'example.org', spray(12));
      expect(await loop.step()).toBe(12);
      expect(await s.store.listAlerts()).toEqual([]); // the failures may still be typos
      wall += 30_000;
      await loop.step();
      expect(await s.store.listAlerts()).toEqual([]); // quiet for 30 s only
      wall += 20 * 60_000;
      await loop.step();
      const alerts = await s.store.listAlerts();
      expect(alerts.map((a) => a.kind)).toContain('password_spray');
      expect(alerts[0]!.sourceIps).toContain('203.0.113.77');
      expect(s.journal.checkpoint()).toBe(12);
    } finally {
      await s.close();
    }
  });

  it('restores its engine from the snapshot and goes on from the snapshot position', async () => {
    const s = await setup();
    try {
      const wall = Date.parse('2026-01-01T00:00:00Z');
      const first = s.loop(() => wall);
      expect(first.restoredFrom).toBe('journal');
      const records = spray(12);
      ingestRecords(s.journal, 'example.org', records.slice(0, 8));
      await first.step();
      expect(first.snapshot()).toBe(true);
      ingestRecords(s.journal, 'example.org', records.slice(8));
      // a new loop (a restart) starts at the snapshot, reads the 4 later records, and has all 12 failures
      let later = wall + 60_000;
      const second = s.loop(() => later);
      expect(second.restoredFrom).toBe('snapshot');
      expect(second.checkpoint).toBe(8);
      expect(await second.step()).toBe(4);
      later += 20 * 60_000;
      await second.step();
      const spray12 = (await s.store.listAlerts()).find((a) => a.kind === 'password_spray');
      expect(spray12?.users.length).toBe(12);
    } finally {
      await s.close();
    }
  });

  it('replays the journal when the snapshot is damaged', async () => {
    const s = await setup();
    try {
      const first = s.loop(() => 0);
      ingestRecords(s.journal, 'example.org', spray(3));
      await first.step();
      first.snapshot();
      s.db.prepare("UPDATE engine_snapshots SET state = x'00010203'").run();
      const second = s.loop(() => 0);
      expect(second.restoredFrom).toBe('journal');
      expect(second.checkpoint).toBe(0);
      expect(await second.step()).toBe(3);
    } finally {
      await s.close();
    }
  });

  it('keeps the alerts of a step whose save failed and stores them once the store is back, acknowledging nothing before', async () => {
    const s = await setup();
    try {
      let wall = Date.parse('2026-01-01T00:00:00Z');
      let down = true;
      const flaky = {
        ...s.store,
        saveAlerts: (alerts: Parameters<typeof s.store.saveAlerts>[0]) => (down ? Promise.reject(new Error('store unreachable')) : s.store.saveAlerts(alerts)),
      };
      const enrichment = await createEnrichment({ bundledCacheDir: false });
      const loop = DetectLoop.open({ journal: s.journal, db: s.db, store: flaky, enrichers: [enrichment], codec: engineSnapshotCodec, now: () => wall, quietMs: 60_000 });
      ingestRecords(s.journal, 'example.org', spray(12));
      await loop.step();
      wall += 20 * 60_000;
      await expect(loop.step()).rejects.toThrow('store unreachable'); // the spray alert is due now
      expect(loop.snapshot()).toBe(false); // never a state ahead of the store
      // while the alert waits, later records stay in the journal, unread and unacknowledged
      ingestRecords(s.journal, 'example.org', spray(15).slice(12));
      await expect(loop.step()).rejects.toThrow('store unreachable');
      expect(loop.checkpoint).toBe(12);
      expect(s.journal.checkpoint()).toBe(12);
      down = false;
      expect(await loop.step()).toBe(0); // the kept alert is stored first
      expect((await s.store.listAlerts()).find((a) => a.kind === 'password_spray')?.users.length).toBe(12);
      expect(await loop.step()).toBe(3);
      expect(s.journal.checkpoint()).toBe(15);
      enrichment.close();
    } finally {
      await s.close();
    }
  });

  it('replays what was already processed into the engine only: stored alerts never go back to an older version', async () => {
    const s = await setup();
    try {
      let wall = Date.parse('2026-01-01T00:00:00Z');
      const enrichment = await createEnrichment({ bundledCacheDir: false });
      // no codec: a restart rebuilds the engine from the whole journal
      const open = (): DetectLoop => DetectLoop.open({ journal: s.journal, db: s.db, store: s.store, enrichers: [enrichment], now: () => wall, batch: 5 });
      const first = open();
      // a slow brute force over half an hour: its alert grows as the failures are judged
      const t0 = Date.parse('2024-03-04T09:00:00Z');
      const brute = Array.from({ length: 30 }, (_, i) => {
        const value = oktaRecord({ uuid: `b-${i}`, user: 'victim@example.org', ip: '203.0.113.9', published: new Date(t0 + i * 60_000).toISOString() });
        return { record: { framing: 'json' as const, value }, raw: JSON.stringify(value) };
      });
      ingestRecords(s.journal, 'example.org', brute);
      while ((await first.step()) > 0);
      const stored = async (): Promise<number> =>
        Math.max(0, ...(await s.store.listAlerts()).map((a) => a.evidence.failures));
      const before = await stored();
      expect(before).toBeGreaterThanOrEqual(10);
      const second = open();
      for (let i = 0; i < 4; i++) expect(await second.step()).toBe(5); // two thirds of the way through the replay
      expect(await stored()).toBe(before);
      while ((await second.step()) > 0);
      expect(await stored()).toBe(before);
      expect(second.checkpoint).toBe(30);
      enrichment.close();
    } finally {
      await s.close();
    }
  });
});

