import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { RecordError, VigilError } from '../core/errors.js';
import { canonicalIp, normalizeUser, obj, parseIsoTime, resolveTenant, str } from '../core/normalize.js';
import type { AuthEvent } from '../core/types.js';
import type { FormatParser } from '../formats/types.js';
import { resolveInputs } from './inputs.js';
import { EVENT_BATCHES } from './batches.js';
import { createIngestStats, readEvents } from './read.js';
import type { IngestIssue, IngestStats, InputFile, ReadOptions } from './types.js';

const FIX = join(import.meta.dirname, '../../test/fixtures/ingest');
const tmp = mkdtempSync(join(tmpdir(), 'vigil-read-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// Fake parsers: the real ones are written elsewhere; these read the small fixture layouts.
const fakeJson: FormatParser = {
  id: 'fakejson',
  name: 'Fake JSON',
  framings: ['json'],
  detect: (r) => {
    const v = r.framing === 'json' ? obj(r.value) : undefined;
    return v !== undefined && 'user' in v && ('ts' in v || 'ok' in v) ? 1 : 0;
  },
  parse: (r, ctx) => {
    const v = obj(r.value);
    if (v === undefined) throw new RecordError('record: not an object');
    if (v.kind === 'other') return [];
    const time = parseIsoTime(v.ts, 'ts');
    const user = normalizeUser(v.user);
    if (user === '') throw new RecordError('user: missing');
    return [
      {
        time,
        tenant: resolveTenant(undefined, user, ctx.defaultTenant),
        user,
        srcIp: canonicalIp(v.ip),
        outcome: v.ok === true ? 'success' : 'failure',
        source: 'fakejson',
        ref: str(v.id),
      },
    ];
  },
};

const TEXT_LINE = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ) (fail|login) (\S{1,64}) (\S{1,64})$/;
const fakeText: FormatParser = {
  id: 'faketext',
  name: 'Fake text',
  framings: ['text'],
  detect: (r) => (r.framing === 'text' && TEXT_LINE.test(r.value) ? 1 : 0),
  parse: (r) => {
    if (r.framing !== 'text') return [];
    const m = TEXT_LINE.exec(r.value);
    if (!m) return [];
    return [
      {
        time: parseIsoTime(m[1], 'time'),
        tenant: 'default',
        user: normalizeUser(m[3]),
        srcIp: canonicalIp(m[4]),
        outcome: m[2] === 'login' ? 'success' : 'failure',
        source: 'faketext',
      },
    ];
  },
};

const fakeCsv: FormatParser = {
  id: 'fakecsv',
  name: 'Fake CSV',
  framings: ['csv'],
  detect: (r) => (r.framing === 'csv' && 'Time' in r.value && 'User' in r.value ? 1 : 0),
  parse: (r) => {
    if (r.framing !== 'csv') return [];
    const user = normalizeUser(r.value.User);
    return [{ time: parseIsoTime(r.value.Time, 'Time'), tenant: 'default', user, srcIp: canonicalIp(r.value.IP), outcome: 'failure', source: 'fakecsv' }];
  },
};

const PARSERS = [fakeJson, fakeText, fakeCsv];

/** Deterministic non-text bytes (a fixed pattern, so no run can start with a gzip or BOM by chance). */
function garbage(n: number): Buffer {
  return Buffer.from(Array.from({ length: n }, (_, i) => (i * 7919 + 3) & 255));
}

function fileOf(path: string, name = path): InputFile {
  return { name, open: () => Readable.from([readFileSync(path)]), mtimeMs: 1_700_000_000_000 };
}

async function readAll(file: InputFile, extra: Partial<ReadOptions> = {}, parsers: readonly FormatParser[] = PARSERS) {
  const issues: IngestIssue[] = [];
  const stats: IngestStats = createIngestStats();
  const events: AuthEvent[] = [];
  for await (const e of readEvents(file, { onIssue: (i) => issues.push(i), stats, ...extra }, parsers)) events.push(e);
  return { events, issues, stats };
}

describe('readEvents', () => {
  it('reads NDJSON: events with refs, bad lines and bad records as file:line issues, stats', async () => {
    const path = join(FIX, 'events.ndjson');
    const { events, issues, stats } = await readAll(fileOf(path, 'events.ndjson'));
    expect(events.map((e) => [e.user, e.time, e.outcome, e.ref])).toEqual([
      ['alice@example.org', Date.parse('2024-03-01T10:00:00Z'), 'failure', 'events.ndjson:1'],
      ['bob@example.org', Date.parse('2024-03-01T10:00:05Z'), 'failure', 'events.ndjson:2'],
      ['erin@example.org', Date.parse('2024-03-01T10:00:20Z'), 'success', 'rec-6'],
    ]);
    expect(issues.map((i) => [i.file, i.line, i.fatal])).toEqual([
      ['events.ndjson', 4, false],
      ['events.ndjson', 6, false],
    ]);
    expect(issues[0]?.message).toMatch(/^invalid JSON/);
    expect(issues[1]?.message).toBe('ts: not a timestamp');
    expect(stats).toMatchObject({ files: 1, records: 5, events: 3, malformed: 2, skippedFiles: 0, byFormat: { fakejson: 3 } });
  });

  it('undoes gzip by its magic bytes, whatever the file is called', async () => {
    const path = join(tmp, 'export.log');
    writeFileSync(path, gzipSync(readFileSync(join(FIX, 'graph-page.json'))));
    const { events, issues } = await readAll(fileOf(path));
    expect(issues).toEqual([]);
    expect(events.map((e) => e.user)).toEqual(['alice@example.org', 'bob@example.org', 'carol@example.org']);
    expect(events[1]?.ref).toBe(`${path}:5`);
  });

  it('keeps the records before the damage of a truncated gzip file and reports it', async () => {
    const lines = Array.from({ length: 3000 }, (_, i) => JSON.stringify({ ts: new Date(1e12 + i * 1000).toISOString(), user: `u${i}@x.org`, pad: randomBytes(40).toString('hex') }));
    const gz = gzipSync(lines.join('\n') + '\n');
    const path = join(tmp, 'cut.ndjson.gz');
    writeFileSync(path, gz.subarray(0, Math.floor(gz.length / 2)));
    const { events, issues } = await readAll(fileOf(path));
    expect(events.length).toBeGreaterThan(100);
    expect(events.length).toBeLessThan(3000);
    expect(events[0]?.user).toBe('u0@x.org');
    expect(issues.at(-1)).toMatchObject({ file: path, fatal: true, message: expect.stringMatching(/gzip data is truncated or corrupt/) });
  });

  it('rejects a binary file with a fatal issue naming it', async () => {
    const path = join(tmp, 'garbage.json');
    writeFileSync(path, garbage(100_000));
    const { events, issues, stats } = await readAll(fileOf(path));
    expect(events).toEqual([]);
    expect(issues).toEqual([{ file: path, line: undefined, message: 'binary file, not a log', fatal: true }]);
    expect(stats.skippedFiles).toBe(1);
  });

  it('tells the user to convert EVTX found by its magic bytes', async () => {
    const path = join(tmp, 'security.dat');
    writeFileSync(path, Buffer.concat([Buffer.from('ElfFile\0'), garbage(4000)]));
    const { issues } = await readAll(fileOf(path));
    expect(issues[0]?.fatal).toBe(true);
    expect(issues[0]?.message).toMatch(/^EVTX is a binary Windows event log: convert it to JSON first/);
  });

  it('reads an empty file as no records, without an issue', async () => {
    const { events, issues, stats } = await readAll(fileOf(join(FIX, 'empty.log')));
    expect(events).toEqual([]);
    expect(issues).toEqual([]);
    expect(stats.emptyFiles).toBe(1);
    expect(stats.skippedFiles).toBe(0);
  });

  it('reads an empty Graph page as no records, without an issue', async () => {
    const { events, issues } = await readAll(fileOf(join(FIX, 'empty-page.json')));
    expect(events).toEqual([]);
    expect(issues).toEqual([]);
  });

  it('reports an unrecognized format as a fatal issue naming the file, framing and the format ids', async () => {
    const { events, issues, stats } = await readAll(fileOf(join(FIX, 'unknown.json'), 'unknown.json'));
    expect(events).toEqual([]);
    expect(issues).toEqual([
      {
        file: 'unknown.json',
        line: undefined,
        message: 'unrecognized format (looked like JSON lines; use --format to force one of: fakejson, faketext, fakecsv)',
        fatal: true,
      },
    ]);
    expect(stats.skippedFiles).toBe(1);
  });

  it('--format forces a parser; an unknown id is a USAGE error listing the ids', async () => {
    const forced = await readAll(fileOf(join(FIX, 'unknown.json'), 'unknown.json'), { format: 'fakejson' });
    expect(forced.issues.map((i) => [i.line, i.message])).toEqual([
      [1, 'ts: not a timestamp'],
      [2, 'ts: not a timestamp'],
    ]);
    const err = await readAll(fileOf(join(FIX, 'unknown.json')), { format: 'nope' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VigilError);
    expect((err as VigilError).code).toBe('USAGE');
    expect((err as VigilError).message).toBe('unknown format "nope"; use one of: fakejson, faketext, fakecsv');
  });

  it('reads text lines and CSV (BOM, CRLF, multi-line fields) with their own parsers', async () => {
    const text = await readAll(fileOf(join(FIX, 'auth.log'), 'auth.log'));
    expect(text.events.map((e) => [e.user, e.srcIp, e.outcome, e.ref])).toEqual([
      ['root', '192.0.2.40', 'failure', 'auth.log:1'],
      ['admin', '192.0.2.40', 'failure', 'auth.log:2'],
      ['alice', '192.0.2.41', 'success', 'auth.log:5'],
    ]);
    const csv = await readAll(fileOf(join(FIX, 'signins.csv'), 'signins.csv'));
    expect(csv.issues).toEqual([]);
    expect(csv.events.map((e) => [e.user, e.srcIp, e.ref])).toEqual([
      ['alice@example.org', '192.0.2.30', 'signins.csv:2'],
      ['bob@example.org', '192.0.2.31', 'signins.csv:3'],
      ['carol@example.org', '192.0.2.32', 'signins.csv:6'],
      ['dave@example.org', '', 'signins.csv:9'],
    ]);
  });

  it('reads UTF-16LE exports with a BOM (Windows PowerShell default)', async () => {
    const path = join(tmp, 'ps.json');
    const text = readFileSync(join(FIX, 'array.json'), 'utf8');
    writeFileSync(path, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    const { events, issues } = await readAll(fileOf(path));
    expect(issues).toEqual([]);
    expect(events.map((e) => e.user)).toEqual(['alice@example.org', 'bob@example.org']);
  });

  it('turns any parser exception into a record issue, and drops events without a valid time', async () => {
    const broken: FormatParser = {
      ...fakeJson,
      id: 'broken',
      parse: (r) => {
        const v = obj(r.value);
        if (v?.user === 'bob@example.org') throw new TypeError('cannot read properties of undefined');
        if (v?.user === 'erin@example.org') return [{ time: Number.NaN, tenant: 't', user: 'erin', srcIp: '', outcome: 'success', source: 'broken' }];
        return [];
      },
      detect: () => {
        throw new Error('detect must not throw, but this one does');
      },
    };
    const { issues, stats } = await readAll(fileOf(join(FIX, 'events.ndjson'), 'e'), { format: 'broken' }, [broken]);
    expect(issues.map((i) => [i.line, i.message])).toEqual([
      [2, 'broken parser failed on this record: cannot read properties of undefined'],
      [4, expect.stringMatching(/^invalid JSON/)],
      [7, 'broken parser produced an event without a valid time'],
    ]);
    expect(stats.events).toBe(0);
  });

  it('gives parsers file, line, tenant, zone and the file mtime in per-file state', async () => {
    const seen: unknown[] = [];
    const spy: FormatParser = {
      ...fakeText,
      parse: (r, ctx) => {
        seen.push([ctx.file, ctx.line, ctx.defaultTenant, ctx.timeZone, ctx.state.fileMtimeMs]);
        return [];
      },
    };
    await readAll(fileOf(join(FIX, 'auth.log'), 'auth.log'), { defaultTenant: 'acme', timeZone: 'Europe/Berlin' }, [spy]);
    expect(seen[0]).toEqual(['auth.log', 1, 'acme', 'Europe/Berlin', 1_700_000_000_000]);
    expect(seen).toHaveLength(4);
  });

  it('skips a 10 MB line of a real file with a file:line issue and reads the lines after it', async () => {
    const path = join(tmp, 'huge-line.log');
    const line = '2024-03-07T06:00:00Z fail root 192.0.2.40\n';
    writeFileSync(path, line + 'x'.repeat(10 * 1024 * 1024) + '\n' + line.replace('root', 'admin'));
    const { createReadStream } = await import('node:fs');
    const before = process.memoryUsage().heapUsed;
    const { events, issues } = await readAll({ name: 'huge-line.log', open: () => createReadStream(path) });
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(8 * 1024 * 1024);
    expect(issues).toEqual([{ file: 'huge-line.log', line: 2, message: 'record longer than 1 MiB, skipped', fatal: false }]);
    expect(events.map((e) => [e.user, e.ref])).toEqual([
      ['root', 'huge-line.log:1'],
      ['admin', 'huge-line.log:3'],
    ]);
  });

  it('reports progress in bytes read', async () => {
    const path = join(FIX, 'array.json');
    const size = readFileSync(path).length;
    const calls: number[] = [];
    await readAll({ ...fileOf(path), size }, { onProgress: (_f, bytes, total) => calls.push(bytes, total ?? -1) });
    expect(calls.slice(-2)).toEqual([size, size]);
  });
});

describe('resolveInputs + readEvents', () => {
  it('reads stdin as "-"', async () => {
    const stdin = Readable.from([Buffer.from('2024-03-07T06:00:00Z fail root 192.0.2.40\n')]);
    const { files } = await resolveInputs(['-'], { stdin });
    const { events } = await readAll(files[0] as InputFile);
    expect(events.map((e) => [e.user, e.ref])).toEqual([['root', '-:1']]);
  });

  it('walks a directory of mixed formats; a binary file and an EVTX file do not stop the others', async () => {
    const dir = join(tmp, 'mixed-copy');
    const { files: fixtureFiles } = await resolveInputs([join(FIX, 'mixed')]);
    // copy the fixture tree and add a garbage file
    rmSync(dir, { recursive: true, force: true });
    const { cpSync } = await import('node:fs');
    cpSync(join(FIX, 'mixed'), dir, { recursive: true });
    writeFileSync(join(dir, 'b2.bin'), garbage(5000));
    expect(fixtureFiles.length).toBe(4);

    const { files, issues } = await resolveInputs([dir]);
    expect(files.map((f) => f.name.slice(dir.length + 1))).toEqual(['a.ndjson', 'b.log', 'b2.bin', 'c.csv', join('sub', 'd.json')]);
    expect(issues).toEqual([{ file: join(dir, 'x.evtx'), message: expect.stringMatching(/^EVTX is a binary/), fatal: true }]);

    const all: IngestIssue[] = [];
    const stats = createIngestStats();
    let events = 0;
    for (const f of files) {
      for await (const _ of readEvents(f, { onIssue: (i) => all.push(i), stats }, PARSERS)) events++;
    }
    expect(stats.byFormat).toEqual({ fakejson: 6, faketext: 3, fakecsv: 4 });
    expect(events).toBe(13);
    expect(all.filter((i) => i.fatal)).toEqual([{ file: join(dir, 'b2.bin'), line: undefined, message: 'binary file, not a log', fatal: true }]);
    expect(stats.files).toBe(5);
  });
});

describe('readEvents batches', () => {
  it('offers the same events as arrays per chunk, with framing and parse issues reported in line order', async () => {
    // more than the 64 KiB head, then small chunks: the sample, the rest of its chunk and later
    // chunks are all exercised
    const lines: string[] = [];
    for (let i = 0; i < 2000; i++) {
      const ts = new Date(Date.UTC(2024, 2, 1, 10) + i * 1000).toISOString();
      if (i === 3) lines.push('{not json');
      else if (i === 1500) lines.push(JSON.stringify({ user: '', ts }));
      else if (i === 1501) lines.push('{bad'); // same chunk: reported after line 1501's parse error
      else lines.push(JSON.stringify({ user: `u${i}`, ts, ip: '192.0.2.1' }));
    }
    const bytes = Buffer.from(`${lines.join('\n')}\n`);
    const file: InputFile = {
      name: 'b.ndjson',
      open: () => Readable.from(Array.from({ length: Math.ceil(bytes.length / 300) }, (_, i) => bytes.subarray(i * 300, i * 300 + 300))),
    };
    const issues: IngestIssue[] = [];
    const stream = readEvents(file, { onIssue: (i) => issues.push(i) }, PARSERS);
    const batches = stream[EVENT_BATCHES];
    expect(batches).toBeDefined();
    const got: AuthEvent[][] = [];
    for await (const b of batches!) got.push(b);
    expect(got.length).toBeGreaterThan(1);
    expect(got.every((b) => b.length > 0)).toBe(true);
    const events = got.flat();
    expect(events).toHaveLength(1997);
    expect(events.map((e) => e.ref)).toEqual(lines.map((_, i) => `b.ndjson:${i + 1}`).filter((_, i) => i !== 3 && i !== 1500 && i !== 1501));
    expect(issues.map((i) => [i.line, i.message.slice(0, 12)])).toEqual([
      [4, 'invalid JSON'],
      [1501, 'user: missin'],
      [1502, 'invalid JSON'],
    ]);
    // the event-by-event view of a fresh read gives the same sequence
    const again = await readAll(file);
    expect(again.events.map((e) => e.ref)).toEqual(events.map((e) => e.ref));
  });
});
