import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { frameRecords, sniffFraming, type FramedRecord, type FramingKind } from './framing.js';

const FIX = join(import.meta.dirname, '../../test/fixtures/ingest');

interface Issue {
  line: number;
  message: string;
  fatal: boolean;
}

async function* chunked(buf: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

async function frame(input: Buffer | string, kind: FramingKind, chunkSize = 1 << 20, maxRecordBytes = 1 << 20) {
  const buf = typeof input === 'string' ? Buffer.from(input) : input;
  const records: FramedRecord[] = [];
  const issues: Issue[] = [];
  for await (const r of frameRecords(chunked(buf, chunkSize), kind, {
    maxRecordBytes,
    issue: (line, message, fatal) => issues.push({ line, message, fatal }),
  })) {
    records.push(r);
  }
  return { records, issues };
}

const values = (rs: FramedRecord[]): unknown[] => rs.map((r) => r.record.value);
const fixture = (name: string): Buffer => readFileSync(join(FIX, name));

describe('sniffFraming', () => {
  it('tells NDJSON, JSON documents, CSV and text apart', () => {
    expect(sniffFraming(fixture('events.ndjson'))).toBe('ndjson');
    expect(sniffFraming(fixture('eventhub.json'))).toBe('ndjson'); // one complete batch per line
    expect(sniffFraming(fixture('array.json'))).toBe('json-document');
    expect(sniffFraming(fixture('graph-page.json'))).toBe('json-document');
    expect(sniffFraming(fixture('pretty-objects.json'))).toBe('json-document');
    expect(sniffFraming(fixture('signins.csv').subarray(3))).toBe('csv');
    expect(sniffFraming(fixture('auth.log'))).toBe('text');
  });

  it('does not take a syslog line with a comma for a CSV header', () => {
    const line = 'Feb 12 14:10:21 host sshd[123]: Failed password for root from 192.0.2.1 port 22 ssh2, retry\n';
    expect(sniffFraming(Buffer.from(line))).toBe('text');
    expect(sniffFraming(Buffer.from('"Date (UTC)","Request ID","User","TimeGenerated [UTC]"\n1,2,3,4\n'))).toBe('csv');
  });
});

describe('text lines', () => {
  it('numbers lines from 1, handles CRLF and skips blank lines', async () => {
    for (const size of [1, 5, 1 << 20]) {
      const { records } = await frame('first\r\n\r\n  \nsecond\nthird-no-newline', 'text', size);
      expect(records.map((r) => [r.line, r.record.value])).toEqual([
        [1, 'first'],
        [4, 'second'],
        [5, 'third-no-newline'],
      ]);
    }
  });

  it('decodes multi-byte characters split across chunks', async () => {
    const { records } = await frame('müller é 日本\n', 'text', 1);
    expect(values(records)).toEqual(['müller é 日本']);
  });

  it('reports an overlong line as file:line and keeps reading, without buffering it', async () => {
    const long = 'x'.repeat(10 * 1024 * 1024);
    const input = Buffer.from(`before\n${long}\nafter\n`);
    const before = process.memoryUsage().heapUsed;
    let peak = before;
    const issues: Issue[] = [];
    const records: FramedRecord[] = [];
    for await (const r of frameRecords(chunked(input, 64 * 1024), 'text', {
      maxRecordBytes: 1024 * 1024,
      issue: (line, message, fatal) => {
        issues.push({ line, message, fatal });
        peak = Math.max(peak, process.memoryUsage().heapUsed);
      },
    })) {
      records.push(r);
      peak = Math.max(peak, process.memoryUsage().heapUsed);
    }
    expect(issues).toEqual([{ line: 2, message: 'record longer than 1 MiB, skipped', fatal: false }]);
    expect(records.map((r) => [r.line, r.record.value])).toEqual([
      [1, 'before'],
      [3, 'after'],
    ]);
    // the input buffer lives outside the JS heap; holding the line as a string would add ≥10 MB
    expect(peak - before).toBeLessThan(5 * 1024 * 1024);
  });
});

describe('NDJSON', () => {
  it('parses each line, reports a bad line as an issue with its line and goes on', async () => {
    const { records, issues } = await frame(fixture('events.ndjson'), 'ndjson', 16);
    expect(records.map((r) => r.line)).toEqual([1, 2, 5, 6, 7]);
    expect((records[0]?.record.value as { user: string }).user).toBe('Alice@Example.org');
    expect(issues).toHaveLength(1);
    expect(issues[0]?.line).toBe(4);
    expect(issues[0]?.fatal).toBe(false);
    expect(issues[0]?.message).toMatch(/^invalid JSON: /);
  });

  it('flattens a batch wrapper or an array on one line into its records', async () => {
    const { records } = await frame(fixture('eventhub.json'), 'ndjson');
    expect(values(records).map((v) => (v as { user: string }).user)).toEqual(['alice@example.org', 'bob@example.org']);
    expect(records.every((r) => r.line === 1)).toBe(true);
  });

  it('keeps __proto__ keys as plain data', async () => {
    const { records } = await frame('{"__proto__":{"polluted":true},"a":1}\n', 'ndjson');
    const v = records[0]?.record.value as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('JSON documents', () => {
  it('splits a pretty-printed array, with brackets and quotes inside strings', async () => {
    for (const size of [1, 3, 1 << 20]) {
      const { records, issues } = await frame(fixture('array.json'), 'json-document', size);
      expect(issues).toEqual([]);
      expect(records.map((r) => r.line)).toEqual([2, 9]);
      const first = records[0]?.record.value as { note: string };
      expect(first.note).toBe('braces } and ] and "quotes" inside strings');
      expect((records[1]?.record.value as { nested: unknown }).nested).toEqual({ list: [1, 2, { deep: [] }] });
    }
  });

  it('reads the records of a Graph page under "value", ignoring the paging keys', async () => {
    for (const size of [2, 1 << 20]) {
      const { records, issues } = await frame(fixture('graph-page.json'), 'json-document', size);
      expect(issues).toEqual([]);
      expect(records.map((r) => [r.line, (r.record.value as { user: string }).user])).toEqual([
        [4, 'alice@example.org'],
        [5, 'bob@example.org'],
        [6, 'carol@example.org'],
      ]);
    }
  });

  it('reads an Event Hub batch under "records"', async () => {
    const { records } = await frame(fixture('eventhub.json'), 'json-document', 10);
    expect(values(records).map((v) => (v as { user: string }).user)).toEqual(['alice@example.org', 'bob@example.org']);
  });

  it('treats an empty page as no records, not as a record', async () => {
    const { records, issues } = await frame(fixture('empty-page.json'), 'json-document');
    expect(records).toEqual([]);
    expect(issues).toEqual([]);
  });

  it('reads concatenated pretty-printed objects; a "value" array of strings is data, not a wrapper', async () => {
    const { records } = await frame(fixture('pretty-objects.json'), 'json-document', 4);
    expect(records.map((r) => r.line)).toEqual([1, 8]);
    expect((records[0]?.record.value as { value: unknown }).value).toEqual(['not', 'a', 'wrapper']);
  });

  it('returns the records before a truncation and names the line of the cut record', async () => {
    const { records, issues } = await frame(fixture('truncated.json'), 'json-document', 8);
    expect(values(records).map((v) => (v as { user: string }).user)).toEqual(['alice@example.org', 'bob@example.org']);
    expect(issues).toEqual([{ line: 4, message: expect.stringMatching(/^truncated JSON/), fatal: true }]);
  });

  it('reports an element with bad syntax and keeps the next ones', async () => {
    const { records, issues } = await frame('[\n{"a":1},\n{"a": tru},\n{"a":3}\n]', 'json-document');
    expect(values(records)).toEqual([{ a: 1 }, { a: 3 }]);
    expect(issues).toEqual([{ line: 3, message: expect.stringMatching(/^invalid JSON: /), fatal: false }]);
  });

  it('skips an oversized element with an issue and keeps the following ones', async () => {
    const big = `{"pad":"${'y'.repeat(5000)}"}`;
    const { records, issues } = await frame(`[{"a":1},\n${big},\n{"a":2}]`, 'json-document', 512, 1024);
    expect(values(records)).toEqual([{ a: 1 }, { a: 2 }]);
    expect(issues).toEqual([{ line: 2, message: 'record longer than 1 KiB, skipped', fatal: false }]);
  });

  it('survives hostile shapes: scalars, junk, deep nesting', async () => {
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    const { records, issues } = await frame(`[1, "s", {"ok":1}, ${deep}]\n} garbage {"b":2}`, 'json-document');
    expect(values(records)[0]).toEqual({ ok: 1 });
    expect(values(records)[2]).toEqual({ b: 2 });
    expect(issues.map((i) => i.fatal)).toEqual([false, false]);
  });
});

describe('CSV', () => {
  it('reads BOM, trimmed headers, CRLF, multi-line quoted fields, short rows, with start lines', async () => {
    for (const size of [3, 1 << 20]) {
      const { records, issues } = await frame(fixture('signins.csv'), 'csv', size);
      expect(issues).toEqual([]);
      expect(records.map((r) => r.line)).toEqual([2, 3, 6, 9]);
      expect(records[0]?.record.value).toEqual({ Time: '2024-03-06T10:00:00Z', User: 'alice@example.org', IP: '192.0.2.30', Note: 'plain' });
      expect((records[1]?.record.value as Record<string, string>).Note).toBe('two\r\nlines');
      expect((records[2]?.record.value as Record<string, string>).Note).toBe('has "quotes", a comma\r\nand\r\nthree lines');
      expect(records[3]?.record.value).toEqual({ Time: '2024-03-06T10:00:03Z', User: 'dave@example.org' });
    }
  });

  it('skips an oversized row with an unclosed quote without losing the rows before it', async () => {
    const input = `a,b\n1,2\n3,"${'z'.repeat(3000)}\n4,5\n`;
    const { records, issues } = await frame(input, 'csv', 256, 1024);
    expect(values(records)).toEqual([{ a: '1', b: '2' }]);
    expect(issues[0]).toEqual({ line: 3, message: 'record longer than 1 KiB, skipped', fatal: false });
  });

  it('skips an oversized quoted row and keeps the later rows on their right lines', async () => {
    const input = `a,b\n1,2\n3,"${'z'.repeat(3000)}\nstill quoted"\n4,5\n`;
    const { records, issues } = await frame(input, 'csv', 100, 1024);
    expect(records.map((r) => [r.line, r.record.value])).toEqual([
      [2, { a: '1', b: '2' }],
      [5, { a: '4', b: '5' }],
    ]);
    expect(issues).toEqual([{ line: 3, message: 'record longer than 1 KiB, skipped', fatal: false }]);
  });

  it('keeps a stray quote inside an unquoted field as text, as spreadsheets do', async () => {
    const { records, issues } = await frame('a,b\n1,2\n3,x"y\n5,6\n', 'csv');
    expect(records.map((r) => [r.line, r.record.value])).toEqual([
      [2, { a: '1', b: '2' }],
      [3, { a: '3', b: 'x"y' }],
      [4, { a: '5', b: '6' }],
    ]);
    expect(issues).toEqual([]);
  });

  it('reports a quoted field left open at the end of the file, keeping the rows before it', async () => {
    const { records, issues } = await frame('a,b\n1,2\n3,"open\nstill open', 'csv');
    expect(values(records)).toEqual([{ a: '1', b: '2' }]);
    expect(issues).toEqual([{ line: 3, message: 'invalid CSV: a quoted field is not closed at the end of the file', fatal: false }]);
  });

  it('keeps a "__proto__" column as plain data', async () => {
    const { records } = await frame('__proto__,b\n{"x":1},2\n', 'csv');
    const v = records[0]?.record.value as Record<string, string>;
    expect(v['__proto__']).toBe('{"x":1}');
    expect(v.b).toBe('2');
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('splits empty, trailing and quoted-comma fields', async () => {
    const { records } = await frame('a,b,c,d\n,"x,y",,\n', 'csv');
    expect(records[0]?.record.value).toEqual({ a: '', b: 'x,y', c: '', d: '' });
  });
});
