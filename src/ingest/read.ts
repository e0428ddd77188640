import { RecordError } from '../core/errors.js';
import type { AuthEvent } from '../core/types.js';
import { PARSERS } from '../formats/registry.js';
import type { FormatParser, Framing, ParseContext } from '../formats/types.js';
import { DETECT_SAMPLE, detectParser, parserForId, unrecognizedMessage } from './detect.js';
import { DEFAULT_MAX_RECORD_BYTES, FRAMING_LABEL, frameBatches, sniffFraming, type FramedItem, type FramedRecord, type FramingKind } from './framing.js';
import { EVENT_BATCHES, type EventStream } from './batches.js';
import { openInput } from './reader.js';
import type { IngestStats, InputFile, ReadOptions } from './types.js';

export function createIngestStats(): IngestStats {
  return { files: 0, records: 0, events: 0, malformed: 0, skippedFiles: 0, byFormat: {}, emptyFiles: 0, late: 0 };
}

const RECORD_FRAMING: Record<FramingKind, Framing> = {
  ndjson: 'json',
  'json-document': 'json',
  csv: 'csv',
  text: 'text',
};

/** With --format, cut the file the way the forced parser reads, whatever the bytes looked like. */
function framingFor(parser: FormatParser, sniffed: FramingKind): FramingKind {
  if (parser.framings.includes(RECORD_FRAMING[sniffed])) return sniffed;
  if (parser.framings.includes('json')) return 'json-document';
  if (parser.framings.includes('csv')) return 'csv';
  return 'text';
}

function readErrorMessage(err: unknown): string {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  if (code === 'Z_BUF_ERROR' || code === 'Z_DATA_ERROR') return 'gzip data is truncated or corrupt; records before the damage were read';
  if (code === 'ENOENT') return 'cannot read: no such file or directory';
  if (code === 'EACCES' || code === 'EPERM') return 'cannot read: permission denied';
  if (code === 'EISDIR') return 'cannot read: is a directory';
  return `read error: ${err instanceof Error ? err.message : String(err)}`;
}

/**
 * Normalized events of one input file, in file order. Every problem is reported through
 * opts.onIssue and never thrown: a bad record is skipped, a bad file ends early. The only
 * exception is an unknown --format id (VigilError USAGE), a mistake in the command itself.
 */
export function readEvents(file: InputFile, opts: ReadOptions, parsers: readonly FormatParser[] = PARSERS): EventStream {
  return eventStreamOf(readEventBatches(file, opts, parsers));
}

/** An event stream over batches of events, offering the batches themselves to orderedEvents. */
export function eventStreamOf(batches: AsyncGenerator<AuthEvent[]>): EventStream {
  const events: EventStream = flatten(batches);
  events[EVENT_BATCHES] = batches;
  return events;
}

async function* flatten(batches: AsyncGenerator<AuthEvent[]>): AsyncGenerator<AuthEvent> {
  try {
    for (;;) {
      const r = await batches.next();
      if (r.done === true) return;
      yield* r.value;
    }
  } finally {
    await batches.return(undefined);
  }
}

/** readEvents as one array of events per input chunk (never empty). */
export async function* readEventBatches(
  file: InputFile,
  opts: ReadOptions,
  parsers: readonly FormatParser[] = PARSERS,
): AsyncGenerator<AuthEvent[]> {
  const forced = opts.format !== undefined ? parserForId(opts.format, parsers) : undefined;
  const stats = opts.stats ?? createIngestStats();
  const name = file.name;
  const maxRecordBytes = opts.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  stats.files++;
  const fatal = (message: string, line?: number): void => opts.onIssue({ file: name, line, message, fatal: true });

  let opened;
  try {
    opened = await openInput(file, { onProgress: opts.onProgress });
  } catch (err) {
    stats.skippedFiles++;
    fatal(readErrorMessage(err));
    return;
  }
  if (opened.kind === 'empty') {
    stats.emptyFiles = (stats.emptyFiles ?? 0) + 1;
    return;
  }
  if (opened.kind === 'rejected') {
    stats.skippedFiles++;
    fatal(opened.message);
    return;
  }

  const sniffed = sniffFraming(opened.head);
  const kind = forced ? framingFor(forced, sniffed) : sniffed;
  const issue = (item: Extract<FramedItem, { issue: unknown }>): void => {
    const { line, message, fatal: isFatal } = item.issue;
    if (!isFatal) stats.malformed++;
    opts.onIssue({ file: name, line, message, fatal: isFatal });
  };

  const state: Record<string, unknown> = {};
  if (file.mtimeMs !== undefined) state.fileMtimeMs = file.mtimeMs;
  const ctx: ParseContext = { file: name, line: 0, defaultTenant: opts.defaultTenant, timeZone: opts.timeZone, year: opts.year, state };

  const it = frameBatches(opened.chunks, kind, maxRecordBytes);
  try {
    // Format detection looks at the first records; they are kept and parsed afterwards, and so are
    // the items after them in the same batch (issues are reported where they occur).
    let parser = forced;
    let rest: FramedItem[] = [];
    if (parser === undefined) {
      const sample: FramedRecord[] = [];
      while (sample.length < DETECT_SAMPLE) {
        const r = await it.next();
        if (r.done === true) break;
        const items = r.value;
        let i = 0;
        for (; i < items.length && sample.length < DETECT_SAMPLE; i++) {
          const item = items[i] as FramedItem;
          if ('issue' in item) issue(item);
          else sample.push(item);
        }
        if (i < items.length) rest = items.slice(i);
      }
      if (sample.length === 0) {
        stats.emptyFiles = (stats.emptyFiles ?? 0) + 1;
        return;
      }
      parser = detectParser(
        sample.map((s) => s.record),
        parsers,
      );
      if (parser === undefined) {
        stats.skippedFiles++;
        fatal(unrecognizedMessage(FRAMING_LABEL[kind], parsers));
        return;
      }
      rest = [...sample, ...rest];
    }
    stats.byFormat[parser.id] = stats.byFormat[parser.id] ?? 0;

    let items = rest;
    for (;;) {
      const out: AuthEvent[] = [];
      for (const item of items) {
        if ('issue' in item) issue(item);
        else parseOne(parser, item, ctx, opts, stats, out);
      }
      if (out.length > 0) yield out;
      const r = await it.next();
      if (r.done === true) break;
      items = r.value;
    }
    // events a parser held back waiting for a line that never came (sshd PAM failures)
    if (parser.finish) {
      const out: AuthEvent[] = [];
      accept(parser, parser.finish(ctx), ctx, ctx.line, opts, stats, out);
      if (out.length > 0) yield out;
    }
  } catch (err) {
    fatal(readErrorMessage(err));
  } finally {
    // closes the file when the consumer stops early or the format was not recognized
    await it.return?.(undefined);
  }
}

function parseOne(parser: FormatParser, framed: FramedRecord, ctx: ParseContext, opts: ReadOptions, stats: IngestStats, out: AuthEvent[]): void {
  stats.records++;
  ctx.line = framed.line;
  let events: AuthEvent[];
  try {
    events = parser.parse(framed.record, ctx);
  } catch (err) {
    stats.malformed++;
    const message =
      err instanceof RecordError
        ? err.message
        : `${parser.id} parser failed on this record: ${err instanceof Error ? err.message : String(err)}`;
    opts.onIssue({ file: ctx.file, line: framed.line, message, fatal: false });
    return;
  }
  accept(parser, events, ctx, framed.line, opts, stats, out);
}

/** Count and hand on a parser's events, refusing any without a valid time. */
function accept(
  parser: FormatParser,
  events: AuthEvent[],
  ctx: ParseContext,
  line: number,
  opts: ReadOptions,
  stats: IngestStats,
  out: AuthEvent[],
): void {
  if (!Array.isArray(events)) return;
  for (const ev of events) {
    if (typeof ev !== 'object' || ev === null || !Number.isFinite(ev.time)) {
      // ordering and every time window depend on a valid time; a parser bug must not poison them
      stats.malformed++;
      opts.onIssue({ file: ctx.file, line, message: `${parser.id} parser produced an event without a valid time`, fatal: false });
      continue;
    }
    if (!ev.ref) ev.ref = `${ctx.file}:${line}`;
    stats.events++;
    stats.byFormat[parser.id] = (stats.byFormat[parser.id] ?? 0) + 1;
    out.push(ev);
  }
}
