import type { Journal } from '../server/journal.js';

/**
 * A source of sign-in records for `vigil serve`: a syslog listener, a file tail or an API poller.
 * Every source hands records to the journal through `ingestRecords(journal, tenant, decoded,
 * { format, source: { name, state } })`, which validates them with the format's parser and
 * commits them together with the source's own resume position (`state`, JSON text it owns) in
 * one transaction: after a crash the source reads `journal.sourceCheckpoint(name)` and resumes
 * with no gap and no duplicate.
 */
export interface Source {
  /** unique and stable across restarts: it keys the checkpoint ('okta:contoso.com', 'syslog:tcp:6514') */
  readonly name: string;
  /** begin receiving or polling; resolves once listening / the first poll is scheduled */
  start(): Promise<void>;
  /** stop and release sockets and timers; resolves once nothing more will be appended */
  stop(): Promise<void>;
  status(): SourceStatus;
}

/** What `/v1/sources`, the Prometheus metrics and `vigil doctor` show about a source. */
export interface SourceStatus {
  name: string;
  kind: 'syslog' | 'tail' | 'graph' | 'okta' | 'o365' | 'gws' | 'http';
  /** records committed to the journal since start */
  recordsIn: number;
  /** records the format's parser refused */
  rejected: number;
  /** epoch ms of the last successful read/poll, if any */
  lastSuccessAt?: number;
  /** newest event time seen, epoch ms: now - this is the source's lag */
  newestEventAt?: number;
  /** the last error, already free of secrets */
  lastError?: string;
  lastErrorAt?: number;
}

/** Common dependencies given to every source. */
export interface SourceDeps {
  journal: Journal;
  /** a line for the operator's log; never pass secrets */
  log?: (msg: string) => void;
  /** injectable clock for tests */
  now?: () => number;
}
