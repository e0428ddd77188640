import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { AuthEvent } from '../core/types.js';
import type { EnrichmentOptions } from '../enrich/index.js';
import { eventStreamOf } from '../ingest/read.js';
import type { EventStream, IngestStats, InputFile, ReadOptions } from '../ingest/types.js';
import type { FromParseWorker, ParseWorkerData, ToParseWorker, WorkerReadOptions } from './parse-protocol.js';

const WORKER_FILE = fileURLToPath(new URL('./parse-worker.js', import.meta.url));

/** Worker threads exist only in the built code (dist/); from TypeScript sources a scan stays in one thread. */
export function parseWorkersAvailable(): boolean {
  return existsSync(WORKER_FILE);
}

type FileMessage = Exclude<FromParseWorker, { t: 'failed' }>;

/** Messages of one file, waited for one at a time. */
class Inbox {
  private readonly queue: FileMessage[] = [];
  private waiter: ((m: FileMessage) => void) | undefined;

  put(m: FileMessage): void {
    const w = this.waiter;
    if (w !== undefined) {
      this.waiter = undefined;
      w(m);
    } else this.queue.push(m);
  }

  next(): Promise<FileMessage> {
    const m = this.queue.shift();
    if (m !== undefined) return Promise.resolve(m);
    return new Promise((resolve) => (this.waiter = resolve));
  }
}

/** Adds what a worker counted for one file since its previous message. */
function addStats(into: IngestStats, now: IngestStats, before: IngestStats): void {
  into.files += now.files - before.files;
  into.records += now.records - before.records;
  into.events += now.events - before.events;
  into.malformed += now.malformed - before.malformed;
  into.skippedFiles += now.skippedFiles - before.skippedFiles;
  into.emptyFiles = (into.emptyFiles ?? 0) + (now.emptyFiles ?? 0) - (before.emptyFiles ?? 0);
  for (const [format, n] of Object.entries(now.byFormat)) into.byFormat[format] = (into.byFormat[format] ?? 0) + n - (before.byFormat[format] ?? 0);
}

const ZERO_STATS: IngestStats = { files: 0, records: 0, events: 0, malformed: 0, skippedFiles: 0, byFormat: {}, emptyFiles: 0 };

/**
 * Worker threads that read, parse and enrich whole files (`vigil scan --workers N`) while the main
 * thread orders and detects. Files go to the workers in turn; each file's events come back in file
 * order with the same counters and issues as a single-threaded read.
 */
export class ParsePool {
  private readonly workers: Worker[] = [];
  private readonly inboxes = new Map<number, { inbox: Inbox; worker: Worker }>();
  private nextId = 1;
  private turn = 0;
  private failure: string | undefined;

  constructor(threads: number, enrichment: EnrichmentOptions) {
    const data: ParseWorkerData = { enrichment };
    for (let i = 0; i < threads; i++) {
      const w = new Worker(WORKER_FILE, { workerData: data });
      w.on('message', (m: FromParseWorker) => this.onMessage(m));
      w.on('error', (err) => this.fail(`parse worker failed: ${err.message}`));
      w.on('exit', (code) => {
        if (code !== 0) this.fail(`parse worker stopped (exit ${code})`);
      });
      this.workers.push(w);
    }
  }

  private onMessage(m: FromParseWorker): void {
    if (m.t === 'failed') {
      this.fail(m.message);
      return;
    }
    this.inboxes.get(m.id)?.inbox.put(m);
  }

  /** a worker is gone: every file still being read ends with a fatal issue */
  private fail(message: string): void {
    this.failure ??= message;
    for (const [id, { inbox }] of this.inboxes) {
      inbox.put({ t: 'end', id, issues: [{ file: '', message, fatal: true }], stats: ZERO_STATS });
    }
  }

  /** readEvents(file, opts) on a worker thread; file.path must be set, opts.format valid (parserForId). */
  readEvents(file: InputFile & { path: string }, opts: ReadOptions): EventStream {
    return eventStreamOf(this.batches(file, opts));
  }

  private async *batches(file: InputFile & { path: string }, opts: ReadOptions): AsyncGenerator<AuthEvent[]> {
    const id = this.nextId++;
    const worker = this.workers[this.turn++ % this.workers.length] as Worker;
    const inbox = new Inbox();
    this.inboxes.set(id, { inbox, worker });
    const read: WorkerReadOptions = {};
    if (opts.format !== undefined) read.format = opts.format;
    if (opts.defaultTenant !== undefined) read.defaultTenant = opts.defaultTenant;
    if (opts.timeZone !== undefined) read.timeZone = opts.timeZone;
    if (opts.year !== undefined) read.year = opts.year;
    if (opts.maxRecordBytes !== undefined) read.maxRecordBytes = opts.maxRecordBytes;
    const post = (m: ToParseWorker): void => worker.postMessage(m);
    const stats = opts.stats;
    let before = ZERO_STATS;
    let ended = false;
    if (this.failure !== undefined) {
      opts.onIssue({ file: file.name, message: this.failure, fatal: true });
      return;
    }
    post({ t: 'file', id, file: { name: file.name, path: file.path, mtimeMs: file.mtimeMs, size: file.size }, read });
    try {
      for (;;) {
        const m = await inbox.next();
        for (const i of m.issues) opts.onIssue(i.file === '' ? { ...i, file: file.name } : i);
        if (stats) addStats(stats, m.stats, before);
        if (m.stats !== ZERO_STATS) before = m.stats;
        if (m.progress) opts.onProgress?.(file.name, m.progress.bytes, m.progress.total);
        if (m.t === 'end') {
          ended = true;
          return;
        }
        post({ t: 'ack', id });
        if (m.events.length > 0) yield m.events;
      }
    } finally {
      this.inboxes.delete(id);
      if (!ended) post({ t: 'stop', id });
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
