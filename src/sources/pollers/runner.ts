/**
 * The lifecycle every API poller shares: a poll every `intervalMs` (never two at once), records
 * and the poller's checkpoint committed to the journal in one transaction, status for
 * /v1/sources, errors and log lines passed through the poller's redactor. After consecutive
 * failures the interval doubles (at most 16×) so a broken credential does not hammer the API.
 */
import type { FormatParser } from '../../formats/types.js';
import type { DecodedRecord } from '../../server/decode.js';
import { ingestRecords } from '../../server/ingest.js';
import type { Source, SourceDeps, SourceStatus } from '../types.js';
import { PollError, type Sleep } from './http.js';
import type { Redactor } from './secrets.js';

export type PollerKind = 'graph' | 'okta' | 'o365' | 'gws';

/** A Source that can also be polled on demand (tests, `vigil doctor`). */
export interface Poller extends Source {
  /** one poll now; rejects with the (secret-free) error that also lands in status().lastError */
  pollOnce(): Promise<void>;
}

export interface PollerDeps extends SourceDeps {
  /** injectable wait (Retry-After, backoff); tests pass one that records the delay and returns */
  sleep?: Sleep;
}

export interface CommitResult {
  accepted: number;
  duplicates: number;
  rejected: number;
}

export interface PollContext {
  signal: AbortSignal;
  now: () => number;
  log: (msg: string) => void;
  /** the state last committed by this poller (JSON text), undefined before the first commit */
  savedState(): string | undefined;
  /** store records with the poller's new state in one transaction; `newestMs` = newest event time among them */
  commit(records: readonly unknown[], state: unknown, newestMs?: number): CommitResult;
}

export interface PollingSpec {
  name: string;
  kind: PollerKind;
  tenant: string;
  parser: FormatParser;
  intervalMs: number;
  deps: PollerDeps;
  redactor: Redactor;
  poll(ctx: PollContext): Promise<void>;
}

const MAX_BACKOFF_FACTOR = 16;

function toDecoded(value: unknown): DecodedRecord {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { error: 'record: expected a JSON object' };
  try {
    return { record: { framing: 'json', value }, raw: JSON.stringify(value) };
  } catch {
    return { error: 'record: nested too deeply' };
  }
}

export class PollingSource implements Poller {
  readonly name: string;
  private readonly stats: SourceStatus;
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private failures = 0;
  private stopped = false;
  private readonly now: () => number;

  constructor(private readonly spec: PollingSpec) {
    this.name = spec.name;
    this.now = spec.deps.now ?? Date.now;
    this.stats = { name: spec.name, kind: spec.kind, recordsIn: 0, rejected: 0 };
  }

  async start(): Promise<void> {
    if (this.stopped) throw new Error(`${this.name}: stopped`);
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.controller.abort();
    await this.running?.catch(() => undefined);
  }

  status(): SourceStatus {
    return { ...this.stats };
  }

  pollOnce(): Promise<void> {
    if (this.stopped) return Promise.reject(new PollError(`${this.name}: stopped`, 'aborted'));
    this.running ??= this.runPoll().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pollOnce().then(
        () => {
          this.failures = 0;
          this.schedule(this.spec.intervalMs);
        },
        () => {
          this.failures++;
          this.schedule(this.spec.intervalMs * Math.min(MAX_BACKOFF_FACTOR, 2 ** (this.failures - 1)));
        },
      );
    }, delayMs);
  }

  private log(msg: string): void {
    this.spec.deps.log?.(this.spec.redactor.redact(`${this.name}: ${msg}`));
  }

  private async runPoll(): Promise<void> {
    const { journal } = this.spec.deps;
    const signal = this.controller.signal;
    const ctx: PollContext = {
      signal,
      now: this.now,
      log: (m) => this.log(m),
      savedState: () => journal.sourceCheckpoint(this.name),
      commit: (records, state, newestMs) => this.commit(records, state, newestMs),
    };
    try {
      await this.spec.poll(ctx);
      this.stats.lastSuccessAt = this.now();
    } catch (e) {
      if (signal.aborted) throw new PollError(`${this.name}: stopped`, 'aborted');
      const message = this.spec.redactor.redact(`${this.name}: ${e instanceof Error ? e.message : String(e)}`);
      this.stats.lastError = message;
      this.stats.lastErrorAt = this.now();
      this.spec.deps.log?.(message);
      throw e instanceof PollError ? new PollError(message, e.kind, e.status) : new PollError(message, 'http');
    }
  }

  private commit(records: readonly unknown[], state: unknown, newestMs?: number): CommitResult {
    // nothing is appended once stop() was called
    if (this.controller.signal.aborted) throw new PollError('stopped', 'aborted');
    const source = { name: this.name, state: JSON.stringify(state) };
    if (records.length === 0) {
      this.spec.deps.journal.saveSourceCheckpoint(source);
      return { accepted: 0, duplicates: 0, rejected: 0 };
    }
    const out = ingestRecords(this.spec.deps.journal, this.spec.tenant, records.map(toDecoded), { format: this.spec.parser, source });
    if (out.kind !== 'stored') return { accepted: 0, duplicates: 0, rejected: 0 }; // no idempotency key: cannot happen
    const { accepted, duplicates, rejected } = out.response;
    this.stats.recordsIn += accepted;
    this.stats.rejected += rejected.length;
    if (newestMs !== undefined && newestMs > (this.stats.newestEventAt ?? 0)) this.stats.newestEventAt = newestMs;
    if (rejected.length > 0) this.log(`${rejected.length} record(s) refused by the ${this.spec.parser.id} parser, first: ${rejected[0]?.reason ?? ''}`);
    return { accepted, duplicates, rejected: rejected.length };
  }
}
