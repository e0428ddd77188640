import { randomUUID } from 'node:crypto';
import type { Framing } from '../formats/types.js';
import type { Statement } from 'better-sqlite3';
import type { ServerDb } from './db.js';

/** One record as the ingest route hands it to the journal. */
export interface JournalInput {
  /** parser id that read it ('okta', 'entra', ...) */
  format: string;
  framing: Framing;
  /** the record as received: JSON text for json framing, the line for text */
  raw: string;
  /** the vendor's own record id (format-prefixed) when it has one: a second copy is not stored */
  recordKey?: string;
}

/** One durable record, in the order the detection engine must read them. */
export interface JournalRecord {
  /** global position: a consumer's checkpoint is the last seq it has processed */
  seq: number;
  tenant: string;
  /** position within the tenant, 1, 2, 3, ... with no gap */
  tenantSeq: number;
  batchId: string;
  receivedAt: number;
  format: string;
  framing: Framing;
  raw: string;
}

export interface AppendResult {
  batchId: string;
  /** records newly stored */
  stored: number;
  /** records not stored again because their vendor id was already in the journal */
  duplicates: number;
}

export type AppendOutcome<R> =
  | { kind: 'stored'; result: AppendResult; response: R }
  /** the Idempotency-Key was seen before with the same body: the first answer, nothing stored */
  | { kind: 'replay'; response: R }
  /** the Idempotency-Key was seen before with a different body */
  | { kind: 'conflict' };

/** A source's resume position, committed in the same transaction as the records it read. */
export interface SourceCheckpoint {
  /** the source's unique name, e.g. 'okta:contoso.com' or 'tail:/var/log/auth.log' */
  name: string;
  /** JSON text owned by the source */
  state: string;
}

export interface Idempotency {
  key: string;
  /** hash of what was sent, so a reused key with another body is refused rather than replayed */
  bodyHash: string;
}

interface RecordRow {
  seq: number;
  tenant: string;
  tenant_seq: number;
  batch_id: string;
  received_at: number;
  format: string;
  framing: string;
  raw: string;
}

const FRAMINGS: readonly Framing[] = ['json', 'csv', 'text'];
const asFraming = (s: string): Framing => FRAMINGS.find((f) => f === s) ?? 'text';

export const DEFAULT_CONSUMER = 'detect';

/**
 * The append-only ingest journal. Every append is one SQLite transaction on a synchronous=FULL
 * WAL database, so when append() returns the batch is on disk; a crash before that leaves none of
 * it (no half batch). Sequence numbers come from the single writer, so commit order = seq order
 * and a reader at checkpoint N never misses a record committed later with a smaller seq.
 */
export class Journal {
  /** prepared once per SQL text: ingest appends thousands of batches a minute */
  private readonly statements = new Map<string, Statement>();

  constructor(private readonly db: ServerDb) {}

  private stmt(sql: string): Statement {
    let s = this.statements.get(sql);
    if (!s) this.statements.set(sql, (s = this.db.prepare(sql)));
    return s;
  }

  append<R>(
    tenant: string,
    records: readonly JournalInput[],
    respond: (r: AppendResult) => R,
    idem?: Idempotency,
    source?: SourceCheckpoint,
  ): AppendOutcome<R> {
    const findBatch = this.stmt('SELECT body_hash, response FROM journal_batches WHERE tenant = ? AND idem_key = ?');
    const lastSeq = this.stmt('SELECT last_seq FROM journal_tenants WHERE tenant = ?');
    const setSeq = this.stmt(
      'INSERT INTO journal_tenants (tenant, last_seq) VALUES (?, ?) ON CONFLICT (tenant) DO UPDATE SET last_seq = excluded.last_seq',
    );
    const insert = this.stmt(
      `INSERT INTO journal (tenant, tenant_seq, batch_id, received_at, format, framing, raw, record_key)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    // looked up first rather than INSERT OR IGNORE, which would burn a seq on every duplicate
    const known = this.stmt('SELECT 1 FROM journal WHERE tenant = ? AND record_key = ?');
    const saveBatch = this.stmt(
      'INSERT INTO journal_batches (tenant, idem_key, body_hash, batch_id, response, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    const saveSource = this.stmt(
      `INSERT INTO source_checkpoints (name, state, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
    );
    const run = this.db.transaction((): AppendOutcome<R> => {
      if (idem) {
        const seen = findBatch.get(tenant, idem.key) as { body_hash: string; response: string } | undefined;
        if (seen) return seen.body_hash === idem.bodyHash ? { kind: 'replay', response: JSON.parse(seen.response) as R } : { kind: 'conflict' };
      }
      const batchId = randomUUID();
      const now = Date.now();
      let seq = (lastSeq.get(tenant) as { last_seq: number } | undefined)?.last_seq ?? 0;
      let stored = 0;
      for (const r of records) {
        if (r.recordKey !== undefined && known.get(tenant, r.recordKey) !== undefined) continue;
        insert.run(tenant, seq + 1, batchId, now, r.format, r.framing, r.raw, r.recordKey ?? null);
        seq++;
        stored++;
      }
      if (stored > 0) setSeq.run(tenant, seq);
      const result: AppendResult = { batchId, stored, duplicates: records.length - stored };
      const response = respond(result);
      if (idem) saveBatch.run(tenant, idem.key, idem.bodyHash, batchId, JSON.stringify(response), now);
      // a restart resumes after exactly what was stored: no gap, no duplicate
      if (source) saveSource.run(source.name, source.state, now);
      return { kind: 'stored', result, response };
    });
    // IMMEDIATE: take the write lock first, so the idempotency check and the insert see one state
    return run.immediate();
  }

  /** Up to `limit` records after `checkpoint` (a seq; 0 = from the start), oldest first. */
  readFrom(checkpoint: number, limit: number): JournalRecord[] {
    const n = Math.max(0, Math.min(Math.trunc(limit), 100_000));
    const rows = this.stmt('SELECT seq, tenant, tenant_seq, batch_id, received_at, format, framing, raw FROM journal WHERE seq > ? ORDER BY seq LIMIT ?')
      .all(Math.trunc(checkpoint), n) as RecordRow[];
    return rows.map((r) => ({
      seq: r.seq,
      tenant: r.tenant,
      tenantSeq: r.tenant_seq,
      batchId: r.batch_id,
      receivedAt: r.received_at,
      format: r.format,
      framing: asFraming(r.framing),
      raw: r.raw,
    }));
  }

  /** Persist a consumer's position: everything up to `checkpoint` is processed. Never moves back. */
  ack(checkpoint: number, consumer = DEFAULT_CONSUMER): void {
    this.stmt(
        `INSERT INTO journal_consumers (name, checkpoint, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET checkpoint = max(checkpoint, excluded.checkpoint), updated_at = excluded.updated_at`,
      )
      .run(consumer, Math.trunc(checkpoint), Date.now());
  }

  /** The last acknowledged position of a consumer (0 before its first ack). */
  checkpoint(consumer = DEFAULT_CONSUMER): number {
    const row = this.stmt('SELECT checkpoint FROM journal_consumers WHERE name = ?').get(consumer) as { checkpoint: number } | undefined;
    return row?.checkpoint ?? 0;
  }

  /** The last committed state of a source (JSON text), or undefined before its first batch. */
  sourceCheckpoint(name: string): string | undefined {
    const row = this.stmt('SELECT state FROM source_checkpoints WHERE name = ?').get(name) as { state: string } | undefined;
    return row?.state;
  }

  /** Store a source's position without records (e.g. an empty poll that moved its window). */
  saveSourceCheckpoint(source: SourceCheckpoint): void {
    this.stmt(
        `INSERT INTO source_checkpoints (name, state, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
      )
      .run(source.name, source.state, Date.now());
  }

  /** Records held for one tenant and its last sequence number. */
  tenantStats(tenant: string): { records: number; lastSeq: number } {
    const row = this.stmt('SELECT last_seq FROM journal_tenants WHERE tenant = ?').get(tenant) as { last_seq: number } | undefined;
    // tenant_seq has no gap, so the last one is also the count
    const lastSeq = row?.last_seq ?? 0;
    return { records: lastSeq, lastSeq };
  }

  /**
   * Records not yet acknowledged by a consumer: its lag. From the sequence numbers, not a count,
   * so it costs the same with a backlog of millions (a rolled-back append can leave a gap in seq:
   * then this overstates the lag by that gap).
   */
  lag(consumer = DEFAULT_CONSUMER): number {
    const row = this.stmt('SELECT coalesce(max(seq), 0) AS last FROM journal').get() as { last: number };
    return Math.max(0, row.last - this.checkpoint(consumer));
  }
}
