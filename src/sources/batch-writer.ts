import type { FormatParser } from '../formats/types.js';
import type { DecodedRecord } from '../server/decode.js';
import { ingestRecords } from '../server/ingest.js';
import type { Journal, SourceCheckpoint } from '../server/journal.js';

export interface BatchWriterOptions {
  journal: Journal;
  /** forced parser; undefined = detected per record */
  parser?: FormatParser;
  /** commit what is held at least this often (ms) */
  flushMs: number;
  /** commit at once when this many records are held */
  maxBatch: number;
  /** records held while the journal cannot commit; beyond this add() refuses */
  maxPending: number;
  /** and their size in characters of raw text */
  maxPendingChars: number;
  /** the source's checkpoint to commit with each batch (a listener with nothing to resume passes none) */
  checkpoint?: () => SourceCheckpoint | undefined;
  onCommitted: (accepted: number, rejected: number) => void;
  /** the journal failed; what is held is kept and retried at the next flush */
  onError: (err: unknown) => void;
}

/**
 * Holds received records per tenant and commits them to the journal in batches (one transaction
 * per tenant per flush), so a busy listener does not sync the disk once per message. What is held
 * and not yet committed is lost if the process dies: at most `flushMs` worth or `maxBatch` records.
 */
export class BatchWriter {
  private readonly pending = new Map<string, DecodedRecord[]>();
  private held = 0;
  private heldChars = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private flushing = false;

  constructor(private readonly opts: BatchWriterOptions) {}

  /** Records waiting for a commit. */
  get size(): number {
    return this.held;
  }

  /** True when the journal is failing and the hold is full: stop reading from senders that can wait. */
  get full(): boolean {
    return this.held >= this.opts.maxPending || this.heldChars >= this.opts.maxPendingChars;
  }

  /** Queue one record; false (nothing queued) when the hold is full. */
  add(tenant: string, record: DecodedRecord): boolean {
    if (this.full) return false;
    let list = this.pending.get(tenant);
    if (!list) this.pending.set(tenant, (list = []));
    list.push(record);
    this.held++;
    this.heldChars += sizeOf(record);
    if (list.length >= this.opts.maxBatch && !this.flushing) this.flush();
    else this.schedule();
    return true;
  }

  /** Commit everything held now. True when nothing is left held. */
  flush(): boolean {
    // onCommitted may lead to add() and so to flush(): the running flush takes those records too
    if (this.flushing) return false;
    this.flushing = true;
    try {
      return this.flushAll();
    } finally {
      this.flushing = false;
    }
  }

  private flushAll(): boolean {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const [tenant, list] of this.pending) {
      while (list.length > 0) {
        const batch = list.slice(0, this.opts.maxBatch);
        try {
          const out = ingestRecords(this.opts.journal, tenant, batch, { format: this.opts.parser, source: this.opts.checkpoint?.() });
          const rejected = out.kind === 'conflict' ? 0 : out.response.rejected.length;
          const accepted = out.kind === 'conflict' ? 0 : out.response.accepted;
          list.splice(0, batch.length);
          this.held -= batch.length;
          for (const r of batch) this.heldChars -= sizeOf(r);
          this.opts.onCommitted(accepted, rejected);
        } catch (err) {
          this.opts.onError(err);
          this.schedule();
          return false;
        }
      }
      this.pending.delete(tenant);
    }
    return true;
  }

  /** Final flush; later add() calls are still accepted but only committed by another flush(). */
  close(): boolean {
    this.closed = true;
    return this.flush();
  }

  private schedule(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, this.opts.flushMs);
    this.timer.unref();
  }
}

function sizeOf(record: DecodedRecord): number {
  return 'raw' in record ? record.raw.length : 64;
}
