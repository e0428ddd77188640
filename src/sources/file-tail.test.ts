import { appendFileSync, copyFileSync, mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { openServerDb, type ServerDb } from '../server/db.js';
import { Journal, type AppendOutcome, type AppendResult, type Idempotency, type JournalInput, type SourceCheckpoint } from '../server/journal.js';
import { createFileTailSource, type FileTailSource, type FileTailSourceConfig } from './file-tail.js';
import { waitFor } from './test-support.js';

const line = (n: number, user = 'root'): string =>
  `Nov 24 10:${String(Math.floor(n / 60) % 60).padStart(2, '0')}:${String(n % 60).padStart(2, '0')} bastion sshd[${1000 + n}]: Failed password for ${user} from 203.0.113.${n % 250} port ${40000 + n} ssh2`;
const lines = (from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, i) => line(from + i));
const text = (ls: string[]): string => ls.map((l) => `${l}\n`).join('');

const sources: FileTailSource[] = [];
const dbs: ServerDb[] = [];
afterEach(async () => {
  for (const s of sources.splice(0)) await s.stop();
  for (const d of dbs.splice(0)) d.close();
});

function setup(): { dir: string; log: string; dbFile: string; journal: () => Journal } {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-tail-'));
  const dbFile = join(dir, 'server.db');
  return {
    dir,
    log: join(dir, 'auth.log'),
    dbFile,
    journal: () => {
      const db = openServerDb(dbFile);
      dbs.push(db);
      return new Journal(db);
    },
  };
}

function tail(journal: Journal, path: string, extra: Partial<FileTailSourceConfig> = {}): FileTailSource {
  const s = createFileTailSource({ journal, tenant: 'contoso', path, pollMs: 20, ...extra });
  sources.push(s);
  return s;
}

/** A journal whose n-th append fails as if the process died before the commit. */
class DyingJournal extends Journal {
  private appends = 0;
  constructor(
    db: ServerDb,
    private readonly dieAt: number,
  ) {
    super(db);
  }

  override append<R>(tenant: string, records: readonly JournalInput[], respond: (r: AppendResult) => R, idem?: Idempotency, source?: SourceCheckpoint): AppendOutcome<R> {
    if (++this.appends === this.dieAt) throw new Error('killed');
    return super.append(tenant, records, respond, idem, source);
  }
}

const stored = (journal: Journal): string[] => journal.readFrom(0, 100_000).map((r) => r.raw);

describe('file tail', () => {
  it('reads appended lines, and holds a partial last line until its newline arrives', async () => {
    const { log, journal: j } = setup();
    const journal = j();
    writeFileSync(log, `${text(lines(1, 2))}${line(3).slice(0, 30)}`);
    const s = tail(journal, log);
    await s.pollNow();
    expect(stored(journal)).toEqual(lines(1, 2));
    appendFileSync(log, `${line(3).slice(30)}\r\n\n${line(4)}\n`);
    await s.pollNow();
    expect(stored(journal)).toEqual(lines(1, 4));
    expect(journal.readFrom(0, 10).every((r) => r.tenant === 'contoso' && r.format === 'sshd')).toBe(true);
    expect(s.status()).toMatchObject({ kind: 'tail', recordsIn: 4, rejected: 0 });
  });

  it('follows a rename rotation: finishes the old file, then reads the new one from its start', async () => {
    const { log, journal: j } = setup();
    const journal = j();
    writeFileSync(log, text(lines(1, 2)));
    const s = tail(journal, log);
    await s.pollNow();
    appendFileSync(log, `${line(3)}\n${line(4)}`); // written just before rotation, last line unterminated
    renameSync(log, `${log}.1`);
    writeFileSync(log, text(lines(5, 6)));
    await s.pollNow();
    expect(stored(journal)).toEqual(lines(1, 6));
    expect(s.status().rotations).toBe(1);
  });

  it('keeps reading the renamed file while the new one is still empty (the writer has not reopened yet)', async () => {
    const { log, journal: j } = setup();
    const journal = j();
    writeFileSync(log, text(lines(1, 1)));
    const s = tail(journal, log);
    await s.pollNow();
    renameSync(log, `${log}.1`);
    writeFileSync(log, ''); // logrotate `create`
    await s.pollNow();
    appendFileSync(`${log}.1`, text(lines(2, 2))); // the writer still holds the old file
    appendFileSync(log, text(lines(3, 3)));
    await s.pollNow();
    expect(stored(journal)).toEqual(lines(1, 3));
  });

  it('starts over at 0 after copytruncate, including when the file grew past the old offset between polls', async () => {
    const { log, journal: j } = setup();
    const journal = j();
    writeFileSync(log, text(lines(1, 3)));
    const s = tail(journal, log);
    await s.pollNow();
    copyFileSync(log, `${log}.1`);
    truncateSync(log, 0);
    appendFileSync(log, text(lines(4, 4)));
    await s.pollNow();
    expect(stored(journal)).toEqual(lines(1, 4));
    // truncated again and refilled with more bytes than were read before
    truncateSync(log, 0);
    appendFileSync(log, text(lines(5, 9)));
    await s.pollNow();
    expect(stored(journal)).toEqual(lines(1, 9));
    expect(s.status().truncations).toBe(2);
  });

  it('resumes from its checkpoint after a restart: exactly the new lines, no duplicates', async () => {
    const { log, journal: j } = setup();
    const journal = j();
    writeFileSync(log, `${text(lines(1, 3))}${line(4).slice(0, 25)}`);
    const first = tail(journal, log);
    await first.pollNow();
    await first.stop();
    appendFileSync(log, `${line(4).slice(25)}\n${text(lines(5, 6))}`);
    const second = tail(journal, log);
    await second.pollNow();
    expect(stored(journal)).toEqual(lines(1, 6));
    expect(second.status().recordsIn).toBe(3);
  });

  it('survives a crash mid-file: after reopening the journal it resumes after the last committed batch', async () => {
    const { log, dbFile, journal: j } = setup();
    writeFileSync(log, text(lines(1, 10)));
    const db = openServerDb(dbFile);
    // the process "dies" at the third commit: that batch and its position are not committed
    const crashed = createFileTailSource({ journal: new DyingJournal(db, 3), tenant: 'contoso', path: log, pollMs: 20, maxBatchLines: 4 });
    await crashed.pollNow();
    expect(crashed.status().lastError).toBe('killed');
    await crashed.stop();
    db.close();

    const reopened = j();
    expect(stored(reopened).length).toBe(4); // the first batch of 4 lines, with the position after them
    appendFileSync(log, text(lines(11, 12)));
    const s = tail(reopened, log, { maxBatchLines: 4 });
    await s.pollNow();
    expect(stored(reopened)).toEqual(lines(1, 12));
  });

  it('after a restart, finishes the file rotated while it was stopped before reading the new one', async () => {
    const { log, journal: j } = setup();
    const journal = j();
    writeFileSync(log, text(lines(1, 2)));
    const first = tail(journal, log);
    await first.pollNow();
    await first.stop();
    appendFileSync(log, text(lines(3, 4)));
    renameSync(log, `${log}-20261124`);
    writeFileSync(log, text(lines(5, 5)));
    const second = tail(journal, log);
    await second.pollNow();
    expect(stored(journal)).toEqual(lines(1, 5));
  });

  it('ignores a gzip-compressed rotation: the old file is counted as a gap and the new file read from its start', async () => {
    const { log, journal: j } = setup();
    const journal = j();
    writeFileSync(log, text(lines(1, 2)));
    const first = tail(journal, log);
    await first.pollNow();
    await first.stop();
    appendFileSync(log, text(lines(3, 3)));
    // logrotate with compress: rename, create, then gzip the renamed file and delete it
    renameSync(log, `${log}.1`);
    writeFileSync(log, text(lines(4, 4)));
    writeFileSync(`${log}.1.gz`, gzipSync(text(lines(1, 3))));
    rmSync(`${log}.1`);
    const second = tail(journal, log);
    await second.pollNow();
    expect(stored(journal)).toEqual([...lines(1, 2), line(4)]);
    expect(second.status().gaps).toBe(1);
    // a tail pointed at a gzip file reads nothing and says why
    const gz = tail(journal, `${log}.1.gz`, { name: 'tail:gz' });
    await gz.pollNow();
    expect(gz.status().lastError).toMatch(/gzip/);
  });

  it('skips and counts a line longer than maxLineBytes, and reads the lines around it', async () => {
    const { log, journal: j } = setup();
    const journal = j();
    writeFileSync(log, `${line(1)}\n${'x'.repeat(5000)}\n${line(2)}\n${'y'.repeat(3000)}`);
    const s = tail(journal, log, { maxLineBytes: 1000 });
    await s.pollNow();
    await s.pollNow(); // the unfinished long line is seen again, and counted once
    appendFileSync(log, `yyy\n${line(3)}\n`);
    await s.pollNow();
    expect(stored(journal)).toEqual([line(1), line(2), line(3)]);
    expect(s.status().oversize).toBe(2);
  });

  it('polls on its own once started, waits for a missing file, and with startAt "end" skips what was there', async () => {
    const { log, dir, journal: j } = setup();
    const journal = j();
    const s = tail(journal, log);
    await s.start();
    await waitFor(() => s.status().lastError?.includes('no such file') === true);
    writeFileSync(log, text(lines(1, 2)));
    await waitFor(() => stored(journal).length === 2);
    appendFileSync(log, text(lines(3, 3)));
    await waitFor(() => stored(journal).length === 3);

    const other = join(dir, 'secure');
    writeFileSync(other, text(lines(10, 12)));
    const fromEnd = tail(journal, other, { startAt: 'end' });
    await fromEnd.pollNow();
    appendFileSync(other, text(lines(13, 13)));
    await fromEnd.pollNow();
    expect(stored(journal)).toEqual([...lines(1, 3), line(13)]);
  });

  it('reads Windows events written as JSON lines (NXLog / winlogbeat file output) as json records', async () => {
    const { log, journal: j } = setup();
    const journal = j();
    const event = {
      TimeCreated: '2026-11-24T10:00:02.000Z',
      Hostname: 'dc1.corp.example',
      SourceName: 'Microsoft-Windows-Security-Auditing',
      EventID: 4625,
      TargetUserName: 'alice',
      TargetDomainName: 'corp.example',
      IpAddress: '203.0.113.9',
      Status: '0xc000006d',
    };
    writeFileSync(log, `${JSON.stringify(event)}\n`);
    const s = tail(journal, log);
    await s.pollNow();
    expect(journal.readFrom(0, 10).map((r) => [r.format, r.framing])).toEqual([['windows', 'json']]);
  });
});
