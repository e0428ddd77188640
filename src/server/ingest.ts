import { createHash } from 'node:crypto';
import type { AuthEvent } from '../core/types.js';
import { RecordError } from '../core/errors.js';
import { PARSERS } from '../formats/registry.js';
import type { FormatParser, ParseContext, RawRecord } from '../formats/types.js';
import { DETECT_THRESHOLD, detectParser, detectScore } from '../ingest/detect.js';
import type { DecodedRecord } from './decode.js';
import type { Idempotency, Journal, JournalInput, JournalRecord, SourceCheckpoint } from './journal.js';

/** The `file` parsers see for HTTP records: a ref starting with it is ours, not the vendor's id. */
const SOURCE_NAME = 'http-ingest';
const MAX_REASON = 300;

export interface Rejection {
  /** 0-based position among the request's records */
  index: number;
  /** 1-based line for NDJSON and text bodies */
  line?: number;
  reason: string;
}

/** What the sender gets back; sent only once the accepted records are durable. */
export interface IngestResponse {
  batchId: string;
  /** records stored by this request */
  accepted: number;
  /** records already in the journal (same vendor record id), not stored twice */
  duplicates: number;
  rejected: Rejection[];
}

export type IngestOutcome =
  | { kind: 'stored' | 'replay'; response: IngestResponse }
  | { kind: 'conflict' };

/**
 * Check each record with its format's parser (detected per record, or forced with `format`),
 * then append the valid ones to the journal under the token's tenant in one durable transaction.
 * A record is rejected with the parser's reason; the others are still stored.
 */
export function ingestRecords(
  journal: Journal,
  tenant: string,
  decoded: readonly DecodedRecord[],
  opts: { format?: FormatParser; idempotencyKey?: string; bodyHash?: string; source?: SourceCheckpoint } = {},
): IngestOutcome {
  const inputs: JournalInput[] = [];
  const rejected: Rejection[] = [];
  const state: Record<string, unknown> = {};
  let last: FormatParser | undefined = opts.format;
  decoded.forEach((d, index) => {
    const reject = (reason: string): void => {
      const r: Rejection = { index, reason: reason.slice(0, MAX_REASON) };
      if (d.line !== undefined) r.line = d.line;
      rejected.push(r);
    };
    if ('error' in d) return reject(d.error);
    const parser = opts.format ?? pickParser(d.record, last);
    if (!parser) return reject(`unrecognized format; use ?format= one of: ${PARSERS.map((p) => p.id).join(', ')}`);
    if (!parser.framings.includes(d.record.framing)) return reject(`${parser.id} does not read ${d.record.framing} records`);
    last = parser;
    const ctx: ParseContext = { file: SOURCE_NAME, line: d.line ?? index + 1, defaultTenant: tenant, state };
    let events: AuthEvent[];
    try {
      events = parser.parse(d.record, ctx);
    } catch (err) {
      return reject(err instanceof RecordError ? err.message : `${parser.id}: record could not be read`);
    }
    const input: JournalInput = { format: parser.id, framing: d.record.framing, raw: d.raw };
    const key = vendorKey(parser.id, events);
    if (key !== undefined) input.recordKey = key;
    inputs.push(input);
  });
  const idem: Idempotency | undefined =
    opts.idempotencyKey !== undefined ? { key: opts.idempotencyKey, bodyHash: opts.bodyHash ?? '' } : undefined;
  const out = journal.append(
    tenant,
    inputs,
    (r): IngestResponse => ({ batchId: r.batchId, accepted: r.stored, duplicates: r.duplicates, rejected }),
    idem,
    opts.source,
  );
  return out;
}

/** The parser that read the previous record if it still recognises this one, else a fresh detection. */
function pickParser(record: RawRecord, last: FormatParser | undefined): FormatParser | undefined {
  if (last && last.framings.includes(record.framing) && detectScore(last, record) >= DETECT_THRESHOLD) return last;
  return detectParser([record]);
}

/** `format:vendor-id` when the record carries its own id (the parser's ref is not our file:line). */
function vendorKey(format: string, events: readonly AuthEvent[]): string | undefined {
  const ref = events[0]?.ref;
  if (ref === undefined || ref === '' || ref.startsWith(`${SOURCE_NAME}:`)) return undefined;
  return `${format}:${ref}`;
}

/** Hash of what identifies a request's content, for Idempotency-Key reuse checks. */
export function bodyHash(body: Buffer, contentType: string | undefined, format: string | undefined): string {
  return createHash('sha256')
    .update(`${contentType ?? ''}\n${format ?? ''}\n`)
    .update(body)
    .digest('hex');
}

/**
 * The sign-ins of one journal record, for the detection engine: parsed again with the parser it
 * was accepted by, and always under the journal's tenant (the token's), whatever the body claimed.
 * Text records of one batch share `state` (sshd year inference); pass the same object for a batch.
 */
export function eventsOfRecord(rec: JournalRecord, state: Record<string, unknown> = {}): AuthEvent[] {
  const parser = PARSERS.find((p) => p.id === rec.format);
  if (!parser) return [];
  let record: RawRecord;
  if (rec.framing === 'json') {
    try {
      record = { framing: 'json', value: JSON.parse(rec.raw) as unknown };
    } catch {
      return [];
    }
  } else if (rec.framing === 'text') {
    record = { framing: 'text', value: rec.raw };
  } else {
    return [];
  }
  try {
    const events = parser.parse(record, { file: `ingest:${rec.tenant}`, line: rec.tenantSeq, defaultTenant: rec.tenant, state });
    for (const e of events) e.tenant = rec.tenant;
    return events;
  } catch {
    return [];
  }
}
