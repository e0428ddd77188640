import type { AuthEvent } from '../core/types.js';
import type { EnrichmentOptions } from '../enrich/index.js';
import type { IngestIssue, IngestStats } from '../ingest/types.js';

/**
 * Messages between `vigil scan --workers N` and its parse workers (src/pipeline/parse-worker.ts).
 * A worker reads, parses and enriches whole files and sends their events in batches, in file order;
 * it stays at most PARSE_AHEAD batches ahead of what the main thread has taken.
 */

/** What every worker is started with. */
export interface ParseWorkerData {
  enrichment: EnrichmentOptions;
}

/** ReadOptions without the callbacks (those stay on the main thread). */
export interface WorkerReadOptions {
  format?: string;
  defaultTenant?: string;
  timeZone?: string;
  year?: number;
  maxRecordBytes?: number;
}

export interface WorkerFile {
  name: string;
  path: string;
  mtimeMs?: number;
  size?: number;
}

export type ToParseWorker =
  | { t: 'file'; id: number; file: WorkerFile; read: WorkerReadOptions }
  /** the main thread took one batch of this file */
  | { t: 'ack'; id: number }
  /** the consumer stopped early: close the file */
  | { t: 'stop'; id: number };

export interface WorkerProgress {
  bytes: number;
  total?: number;
}

export type FromParseWorker =
  /** events (possibly none) with the issues and counters since the previous message of this file */
  | { t: 'batch'; id: number; events: AuthEvent[]; issues: IngestIssue[]; stats: IngestStats; progress?: WorkerProgress }
  | { t: 'end'; id: number; issues: IngestIssue[]; stats: IngestStats; progress?: WorkerProgress }
  /** the worker cannot work at all (its enrichment data failed to load) */
  | { t: 'failed'; message: string };

/** batches a worker may send for one file before the main thread takes them */
export const PARSE_AHEAD = 8;
