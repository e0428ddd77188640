import type { Readable } from 'node:stream';
import type { AuthEvent } from '../core/types.js';

/** One input as the user named it: a file, a file found in a directory, or stdin ('-'). */
export interface InputFile {
  /** the name used in every message: the path as given, or '-' for stdin */
  readonly name: string;
  /** raw bytes; gzip is detected from the content and undone by the reader, not here */
  open(): Readable;
  /** last-modified time, used to infer the year of syslog stamps; undefined for stdin */
  readonly mtimeMs?: number;
  /** size in bytes when known (regular files), for progress */
  readonly size?: number;
  /** where a regular file lives, so another thread can open it (`vigil scan --workers`); absent for stdin */
  readonly path?: string;
}

/** A problem with the input. Non-fatal ones are per record; fatal ones end that file only. */
export interface IngestIssue {
  file: string;
  line?: number;
  message: string;
  /** the whole file was skipped or cut short (unreadable, binary, unrecognized format) */
  fatal: boolean;
}

export interface ReadOptions {
  /** force a format id instead of detecting it per file */
  format?: string;
  defaultTenant?: string;
  timeZone?: string;
  /** year of syslog stamps that carry none (else inferred from the file's date) */
  year?: number;
  /** records longer than this many bytes are reported and skipped (default 1 MiB) */
  maxRecordBytes?: number;
  onIssue(issue: IngestIssue): void;
  /** bytes read so far from the current file, for a progress bar */
  onProgress?(file: string, bytes: number, totalBytes?: number): void;
  /** counters to add this file's numbers to (shared by all files of a scan) */
  stats?: IngestStats;
}

/** Counters a scan reports at the end. */
export interface IngestStats {
  files: number;
  records: number;
  events: number;
  malformed: number;
  skippedFiles: number;
  byFormat: Record<string, number>;
  /** files that held no records at all (not an error) */
  emptyFiles?: number;
  /** events the orderer had to emit after later ones (arrived beyond the lateness window) */
  late?: number;
}

/** A stream of normalized events from one input file, in the order the file holds them. */
export type EventStream = AsyncIterable<AuthEvent>;
