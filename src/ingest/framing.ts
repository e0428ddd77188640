import type { RawRecord } from '../formats/types.js';
import { CsvFramer } from './csv.js';
import { JsonDocScanner, shortReason } from './jsondoc.js';
import { unwrapRecords } from './jsonwrap.js';
import { isBlank, LineSplitter } from './lines.js';

/** How a file's bytes are cut into records. */
export type FramingKind = 'ndjson' | 'json-document' | 'csv' | 'text';

/** Words for messages: "looked like JSON lines". */
export const FRAMING_LABEL: Record<FramingKind, string> = {
  ndjson: 'JSON lines',
  'json-document': 'a JSON document',
  csv: 'CSV',
  text: 'text lines',
};

export interface FramedRecord {
  record: RawRecord;
  /** 1-based line the record starts on */
  line: number;
}

export interface FramingOptions {
  maxRecordBytes: number;
  /** a problem with one record (fatal: the rest of the file is lost) */
  issue(line: number, message: string, fatal: boolean): void;
}

export const DEFAULT_MAX_RECORD_BYTES = 1024 * 1024;

/** "1 MiB", "512 KiB", "100 bytes" for messages about the record size limit. */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}

/** First line that is not blank, without its line break; undefined when the head has no complete one. */
function firstLine(head: string): { text: string; complete: boolean } | undefined {
  let start = 0;
  while (start < head.length) {
    let nl = head.indexOf('\n', start);
    const complete = nl >= 0;
    if (nl < 0) nl = head.length;
    const text = head.slice(start, nl).replace(/\r$/, '');
    if (!isBlank(text)) return { text, complete };
    start = nl + 1;
  }
  return undefined;
}

// Header cells: a name, maybe with spaces, dots, brackets ("TimeGenerated [UTC]", "Date (UTC)").
// No colon, so a syslog line with a comma in it is never taken for a header.
const COLUMN_NAME = /^[A-Za-z_@#$][A-Za-z0-9_ .@#$()[\]/-]{0,99}$/;

function looksLikeCsvHeader(line: string): boolean {
  if (!line.includes(',')) return false;
  const cells = line.split(',');
  if (cells.length < 2 || cells.length > 2000) return false;
  for (const cell of cells) {
    let c = cell.trim();
    if (c.length >= 2 && c.startsWith('"') && c.endsWith('"')) c = c.slice(1, -1).trim();
    if (!COLUMN_NAME.test(c)) return false;
  }
  return true;
}

/**
 * Picks the framing from the decoded start of a file: '[' → JSON document; '{' → JSON lines when
 * the first line is a complete JSON value on its own, else a (pretty-printed) JSON document; a
 * first line of column names separated by commas → CSV; anything else → text lines.
 */
export function sniffFraming(head: Buffer): FramingKind {
  // the head may end inside a multi-byte character: decoding replaces only that tail
  const text = head.toString('utf8');
  const first = firstLine(text);
  if (first === undefined) return 'text';
  const lead = first.text.trimStart();
  if (lead.startsWith('[')) return 'json-document';
  if (lead.startsWith('{')) {
    if (!first.complete) return 'json-document';
    try {
      JSON.parse(first.text);
      return 'ndjson';
    } catch {
      return 'json-document';
    }
  }
  if (looksLikeCsvHeader(first.text)) return 'csv';
  return 'text';
}

/** A framed record, or a problem with one, in file order. */
export type FramedItem = FramedRecord | { issue: { line: number; message: string; fatal: boolean } };

/** Cuts a decoded byte stream into records with their starting line numbers. */
export async function* frameRecords(
  chunks: AsyncIterable<Buffer>,
  kind: FramingKind,
  opts: FramingOptions,
): AsyncGenerator<FramedRecord> {
  for await (const batch of frameBatches(chunks, kind, opts.maxRecordBytes)) {
    for (const item of batch) {
      if ('issue' in item) opts.issue(item.issue.line, item.issue.message, item.issue.fatal);
      else yield item;
    }
  }
}

/**
 * The records and issues of each input chunk as one array, in file order: one promise per chunk
 * instead of one per record (the per-record async hop cost more than splitting the line). The
 * consumer reports the issues itself, in place, so they interleave with its own per-record ones.
 */
export async function* frameBatches(
  chunks: AsyncIterable<Buffer>,
  kind: FramingKind,
  maxRecordBytes: number = DEFAULT_MAX_RECORD_BYTES,
): AsyncGenerator<FramedItem[]> {
  const limit = formatBytes(maxRecordBytes);
  // Every framer works synchronously per chunk.
  let batch: FramedItem[] = [];
  const queueIssue = (line: number, message: string, fatal: boolean): void => {
    batch.push({ issue: { line, message, fatal } });
  };
  const tooLong = (line: number): void => queueIssue(line, `record longer than ${limit}, skipped`, false);
  let push: (chunk: Buffer) => void;
  let end: () => void;
  if (kind === 'csv') {
    const framer = new CsvFramer(maxRecordBytes, {
      record: (value, line) => batch.push({ record: { framing: 'csv', value }, line }),
      issue: (line, message) => queueIssue(line, message, false),
      tooLong,
    });
    push = (c) => framer.push(c);
    end = () => framer.end();
  } else if (kind === 'json-document') {
    const scanner = new JsonDocScanner(
      maxRecordBytes,
      { record: (value, line) => batch.push({ record: { framing: 'json', value }, line }), issue: queueIssue },
      limit,
    );
    push = (c) => scanner.push(c);
    end = () => scanner.end();
  } else {
    const onLine =
      kind === 'text'
        ? (text: string, line: number) => {
            if (!isBlank(text)) batch.push({ record: { framing: 'text', value: text }, line });
          }
        : (text: string, line: number) => {
            if (isBlank(text)) return;
            let value: unknown;
            try {
              value = JSON.parse(text);
            } catch (err) {
              queueIssue(line, `invalid JSON: ${shortReason(err)}`, false);
              return;
            }
            // a line may hold a whole page or batch: {"records":[...]} or [...]
            for (const v of unwrapRecords(value)) batch.push({ record: { framing: 'json', value: v }, line });
          };
    const splitter = new LineSplitter(maxRecordBytes, onLine, tooLong);
    push = (c) => splitter.push(c);
    end = () => splitter.end();
  }
  for await (const chunk of chunks) {
    push(chunk);
    if (batch.length > 0) {
      yield batch;
      batch = [];
    }
  }
  end();
  if (batch.length > 0) yield batch;
}
