/** Test plumbing for the poller tests: a journal in a temp dir, a settable clock, a sleep that records and returns. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openServerDb, type ServerDb } from '../../../src/server/db.js';
import { Journal } from '../../../src/server/journal.js';
import type { Sleep } from '../../../src/sources/pollers/http.js';

export interface TestJournal {
  journal: Journal;
  db: ServerDb;
  close(): void;
}

export function tempJournal(): TestJournal {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-pollers-'));
  const db = openServerDb(join(dir, 'server.db'));
  return {
    journal: new Journal(db),
    db,
    close: () => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export class TestClock {
  constructor(public t: number) {}
  readonly now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

/** A sleep that returns at once and remembers what it was asked to wait (no timing in tests). */
export function recordingSleep(clock?: TestClock): { sleep: Sleep; waits: number[] } {
  const waits: number[] = [];
  return {
    waits,
    sleep: async (ms) => {
      waits.push(ms);
      clock?.advance(ms);
    },
  };
}

/** Every journal record's raw JSON, parsed, in commit order. */
export function journalRecords(journal: Journal): Record<string, unknown>[] {
  return journal.readFrom(0, 100_000).map((r) => JSON.parse(r.raw) as Record<string, unknown>);
}

/** A string field of every journal record (the vendor id), in commit order. */
export function journalIds(journal: Journal, key: (r: Record<string, unknown>) => unknown): string[] {
  return journalRecords(journal).map((r) => String(key(r)));
}
