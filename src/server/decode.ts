import type { RawRecord } from '../formats/types.js';
import { HttpError } from './body.js';

/** One record of a request, or why its framing failed (that record alone is rejected). */
export type DecodedRecord = ({ record: RawRecord; raw: string } | { error: string }) & { line?: number };

/** Longest single line accepted in NDJSON or text bodies. */
const MAX_LINE = 1024 * 1024;

/**
 * Split a body into records by its Content-Type:
 * - application/x-ndjson, application/jsonl, application/ndjson: one JSON value per line; a bad
 *   line is one rejected record;
 * - text/plain: one text record per line (sshd / syslog lines);
 * - application/json (or none): one JSON document, an array of records or a single object.
 */
export function decodeBody(body: Buffer, contentType: string | undefined, maxRecords: number): DecodedRecord[] {
  const type = (contentType ?? 'application/json').split(';', 1)[0]?.trim().toLowerCase() ?? '';
  const text = body.toString('utf8').replace(/^\uFEFF/, '');
  if (type === 'application/x-ndjson' || type === 'application/ndjson' || type === 'application/jsonl' || type === 'application/x-jsonlines') {
    return lines(text, maxRecords).map((l) => ({ ...jsonLine(l.text), line: l.line }));
  }
  if (type === 'text/plain') {
    return lines(text, maxRecords).map((l) => ({ ...textLine(l.text), line: l.line }));
  }
  if (type !== 'application/json' && !type.endsWith('+json')) {
    throw new HttpError(415, 'Content-Type: send application/json, application/x-ndjson or text/plain');
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'body: not valid JSON (send an array of records, one object, or NDJSON with Content-Type application/x-ndjson)');
  }
  const values = Array.isArray(doc) ? doc : [doc];
  if (values.length > maxRecords) throw new HttpError(413, `body: more than ${maxRecords} records; send smaller batches`);
  return values.map((value: unknown): DecodedRecord => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return { error: 'record: expected a JSON object' };
    try {
      return { record: { framing: 'json', value }, raw: JSON.stringify(value) };
    } catch {
      // JSON.stringify recurses: thousands of nested arrays overflow the stack
      return { error: 'record: nested too deeply' };
    }
  });
}

/** Non-blank lines with their 1-based numbers (blank ones dropped); the record limit is checked while splitting. */
function lines(text: string, maxRecords: number): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  let start = 0;
  let n = 0;
  while (start <= text.length) {
    n++;
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    let line = text.slice(start, end);
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.trim() !== '') {
      if (out.length >= maxRecords) throw new HttpError(413, `body: more than ${maxRecords} records; send smaller batches`);
      out.push({ line: n, text: line });
    }
    start = end + 1;
  }
  return out;
}

function jsonLine(line: string): DecodedRecord {
  if (line.length > MAX_LINE) return { error: `record: longer than ${MAX_LINE} characters` };
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { error: 'record: not valid JSON' };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { error: 'record: expected a JSON object' };
  return { record: { framing: 'json', value }, raw: line };
}

function textLine(line: string): DecodedRecord {
  if (line.length > MAX_LINE) return { error: `line: longer than ${MAX_LINE} characters` };
  return { record: { framing: 'text', value: line }, raw: line };
}
