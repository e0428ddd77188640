/**
 * Worker thread of `vigil scan --workers N`: reads, parses and enriches the files it is given with
 * the same code as a single-threaded scan (readEventBatches, then enrichment, which depends on
 * nothing but the event), and posts the events in file order. See parse-protocol.ts.
 */
import { createReadStream } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { createEnrichment, type Enrichment } from '../enrich/index.js';
import { createIngestStats, readEventBatches } from '../ingest/read.js';
import type { IngestIssue, InputFile } from '../ingest/types.js';
import { PARSE_AHEAD, type FromParseWorker, type ParseWorkerData, type ToParseWorker, type WorkerProgress } from './parse-protocol.js';

const port = parentPort;
if (port === null) throw new Error('parse-worker.js runs as a worker thread');
const send = (m: FromParseWorker): void => port.postMessage(m);
const READ_CHUNK = 256 * 1024;

interface Job {
  sent: number;
  acked: number;
  stopped: boolean;
  wake?: () => void;
}

const jobs = new Map<number, Job>();
const data = workerData as ParseWorkerData;
const enrichment: Promise<Enrichment> = createEnrichment(data.enrichment);

async function runFile(m: Extract<ToParseWorker, { t: 'file' }>): Promise<void> {
  const job: Job = { sent: 0, acked: 0, stopped: false };
  jobs.set(m.id, job);
  const stats = createIngestStats();
  let issues: IngestIssue[] = [];
  let progress: WorkerProgress | undefined;
  const { path } = m.file;
  const file: InputFile = { ...m.file, open: () => createReadStream(path, { highWaterMark: READ_CHUNK }) };
  try {
    const enrich = await enrichment;
    const batches = readEventBatches(file, {
      ...m.read,
      stats,
      onIssue: (i) => issues.push(i),
      onProgress: (_name, bytes, total) => {
        progress = { bytes, total };
      },
    });
    for await (const events of batches) {
      for (const e of events) enrich.enrich(e);
      send({ t: 'batch', id: m.id, events, issues, stats, progress });
      issues = [];
      progress = undefined;
      job.sent++;
      while (!job.stopped && job.sent - job.acked >= PARSE_AHEAD) await new Promise<void>((resolve) => (job.wake = resolve));
      if (job.stopped) break;
    }
  } catch (err) {
    issues.push({ file: m.file.name, message: `read error: ${err instanceof Error ? err.message : String(err)}`, fatal: true });
  } finally {
    jobs.delete(m.id);
    send({ t: 'end', id: m.id, issues, stats, progress });
  }
}

enrichment.catch((err: unknown) => send({ t: 'failed', message: err instanceof Error ? err.message : String(err) }));

port.on('message', (m: ToParseWorker) => {
  if (m.t === 'file') {
    void runFile(m);
    return;
  }
  const job = jobs.get(m.id);
  if (job === undefined) return;
  if (m.t === 'ack') job.acked++;
  else job.stopped = true;
  const wake = job.wake;
  job.wake = undefined;
  wake?.();
});
