import { deserialize, serialize } from 'node:v8';
import type { Alert, AuthEvent } from '../core/types.js';
import { DetectionEngine } from '../detect/engine.js';
import type { Enricher } from '../enrich/types.js';
import type { Notifier, NotifyResult } from '../notify/index.js';
import type { ServerDb } from '../server/db.js';
import { eventsOfRecord } from '../server/ingest.js';
import type { Journal } from '../server/journal.js';
import type { AsyncAlertStore } from '../store/types.js';

/** How the engine's state becomes bytes and back (src/detect/snapshot.ts provides it). */
export interface EngineCodec {
  encode(engine: DetectionEngine): Buffer;
  /** throws on a damaged or incompatible snapshot */
  decode(bytes: Buffer): DetectionEngine;
}

/** What the loop tells the metrics and the log as it goes. */
export interface DetectLoopHooks {
  onEvents?(tenant: string, format: string, n: number): void;
  onAlerts?(alerts: readonly Alert[]): void;
  onNotified?(result: NotifyResult): void;
  log?(msg: string): void;
}

export interface DetectLoopOptions {
  journal: Journal;
  db: ServerDb;
  store: AsyncAlertStore;
  enrichers: readonly Enricher[];
  notifier?: Notifier;
  /** campaign and actor for what is about to be notified (copies; see campaign-context.ts) */
  annotate?: (alerts: readonly Alert[]) => Promise<Alert[]>;
  codec?: EngineCodec;
  /** journal records per step (default 5000) */
  batch?: number;
  /** a snapshot after this much wall time with new records (default 60 s) */
  snapshotEveryMs?: number;
  /** pause when the journal is drained (default 250 ms) */
  idleMs?: number;
  /**
   * after this long with no new record (wall clock, default 60 s) the engine's event clock moves on
   * by the time that passed, so failures at the end of a burst are judged without waiting for the
   * next sign-in
   */
  quietMs?: number;
  hooks?: DetectLoopHooks;
  /** wall clock, for tests */
  now?: () => number;
}

const SNAPSHOT_NAME = 'detect';
const SNAPSHOT_VERSION = 1;

/** The blob kept in engine_snapshots: the engine's own bytes and the parsers' per-stream state. */
interface SnapshotEnvelope {
  v: number;
  engine: Buffer;
  parserState: Record<string, Record<string, unknown>>;
}

/**
 * The detection consumer of `vigil serve`: reads the journal from its position, parses each record
 * with the parser it was accepted by, enriches, runs the engine, saves changed alerts, moves the
 * journal checkpoint, then notifies. Order matters for crash safety:
 * alerts are saved before the checkpoint moves (a crash replays records rather than losing alerts;
 * alert ids are stable, so a replay upserts the same alerts) and notifications go out after (the
 * notifier's ledger drops what was already sent).
 *
 * Restart: the newest engine snapshot is restored and the journal replayed from the snapshot's
 * position, so a spray that began days before the restart is still in the windows. Without a
 * usable snapshot the whole journal is replayed (slower, same result).
 */
export class DetectLoop {
  private engine: DetectionEngine;
  /** journal seq the engine has processed */
  private position: number;
  private parserState: Record<string, Record<string, unknown>>;
  private lastSnapshotAt: number;
  private positionAtSnapshot: number;
  private stopping = false;
  /** changed alerts not yet stored, latest version by id */
  private readonly unsaved = new Map<string, Alert>();
  /** the journal position last acknowledged */
  private acked: number;
  /** the checkpoint at start: records up to it are replayed into the engine only */
  private readonly replayUntil: number;
  /** wall time of the last step that read records, and the event clock then */
  private lastRecordsAt: number;
  private eventClockThen = 0;
  private running: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  events = 0;
  restoredFrom: 'snapshot' | 'journal' = 'journal';

  private constructor(private readonly opts: DetectLoopOptions) {
    this.engine = new DetectionEngine();
    this.position = 0;
    this.parserState = {};
    this.lastSnapshotAt = this.now();
    this.positionAtSnapshot = 0;
    this.lastRecordsAt = this.now();
    this.acked = opts.journal.checkpoint();
    this.replayUntil = this.acked;
  }

  static open(opts: DetectLoopOptions): DetectLoop {
    const loop = new DetectLoop(opts);
    loop.restore();
    return loop;
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  /** the journal position the engine has read up to */
  get checkpoint(): number {
    return this.position;
  }

  /** records acknowledged but not yet detected */
  lag(): number {
    return this.opts.journal.lag();
  }

  private restore(): void {
    const { codec, db } = this.opts;
    if (!codec) return;
    const row = db.prepare('SELECT checkpoint, state FROM engine_snapshots WHERE name = ?').get(SNAPSHOT_NAME) as
      | { checkpoint: number; state: Buffer }
      | undefined;
    if (!row) return;
    try {
      const env = deserialize(row.state) as { v?: unknown; engine?: unknown; parserState?: Record<string, Record<string, unknown>> };
      if (env.v !== SNAPSHOT_VERSION || !(env.engine instanceof Uint8Array)) throw new Error('unknown snapshot layout');
      const engine = codec.decode(Buffer.from(env.engine.buffer, env.engine.byteOffset, env.engine.byteLength));
      this.engine = engine;
      this.parserState = env.parserState ?? {};
      this.position = row.checkpoint;
      this.positionAtSnapshot = row.checkpoint;
      this.restoredFrom = 'snapshot';
      this.opts.hooks?.log?.(`detection state restored from the snapshot at journal position ${row.checkpoint}`);
    } catch (err) {
      // a damaged or older snapshot is not fatal: replaying the journal rebuilds the same state
      this.opts.hooks?.log?.(`detection snapshot not usable (${err instanceof Error ? err.message : 'unreadable'}); replaying the journal`);
    }
  }

  /** Persist the engine state at the current position (between steps only). */
  snapshot(): boolean {
    const { codec, db } = this.opts;
    // with alerts still unsaved the state is ahead of the store: a restore would never drain them
    if (!codec || this.position === this.positionAtSnapshot || this.unsaved.size > 0) return false;
    const env: SnapshotEnvelope = { v: SNAPSHOT_VERSION, engine: codec.encode(this.engine), parserState: this.parserState };
    db.prepare(
      `INSERT INTO engine_snapshots (name, checkpoint, state, created_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET checkpoint = excluded.checkpoint, state = excluded.state, created_at = excluded.created_at`,
    ).run(SNAPSHOT_NAME, this.position, serialize(env), this.now());
    this.positionAtSnapshot = this.position;
    this.lastSnapshotAt = this.now();
    return true;
  }

  /** One batch: returns how many journal records it read. */
  async step(): Promise<number> {
    const { journal, store, notifier, enrichers, hooks } = this.opts;
    // alerts an earlier step could not save (the store was down) go first: nothing new is read
    // until they are stored, so the backlog waits on disk, not in memory
    let records = this.unsaved.size > 0 ? [] : journal.readFrom(this.position, this.opts.batch ?? 5000);
    // Records up to the checkpoint found at start were processed and their alerts stored before
    // the restart: reading them again only rebuilds the engine. Their alert versions are older
    // than what the store holds, so they are neither stored nor notified.
    const replaying = this.position < this.replayUntil;
    if (replaying) {
      const end = records.findIndex((r) => r.seq > this.replayUntil);
      if (end >= 0) records = records.slice(0, end);
    }
    let counted: { tenant: string; format: string; n: number } | undefined;
    for (const rec of records) {
      const state = (this.parserState[`${rec.tenant}\u0000${rec.format}`] ??= {});
      const events: AuthEvent[] = eventsOfRecord(rec, state);
      for (const e of events) {
        for (const en of enrichers) en.enrich(e);
        this.engine.process(e);
      }
      this.events += events.length;
      if (counted && counted.tenant === rec.tenant && counted.format === rec.format) counted.n += events.length;
      else {
        if (counted) hooks?.onEvents?.(counted.tenant, counted.format, counted.n);
        counted = { tenant: rec.tenant, format: rec.format, n: events.length };
      }
      this.position = rec.seq;
    }
    if (counted) hooks?.onEvents?.(counted.tenant, counted.format, counted.n);
    if (records.length > 0) {
      this.lastRecordsAt = this.now();
      this.eventClockThen = this.engine.ctx.now;
    } else if (this.eventClockThen > 0 && this.unsaved.size === 0) {
      const quiet = this.now() - this.lastRecordsAt;
      if (quiet >= (this.opts.quietMs ?? 60_000)) this.engine.advanceTo(this.eventClockThen + quiet);
    }
    let changed: Alert[];
    if (replaying) {
      // not stored (the store has newer versions) but offered to the notifier: a crash between
      // the acknowledgement and the notification must not lose the message (the ledger drops
      // what was already sent)
      changed = this.engine.drainChanged();
    } else {
      for (const a of this.engine.drainChanged()) this.unsaved.set(a.id, a);
      changed = [...this.unsaved.values()];
    }
    if (changed.length > 0 && !replaying) {
      await store.saveAlerts(changed); // throws while the store is down: kept, tried again next step
      this.unsaved.clear();
      hooks?.onAlerts?.(changed);
    }
    if (!replaying && this.position > this.acked) {
      journal.ack(this.position);
      this.acked = this.position;
    }
    if (notifier && changed.length > 0) {
      // only what will become a message is worth correlating (the store query is not free)
      let toSend: readonly Alert[] = changed.filter((a) => notifier.wouldNotify(a));
      if (this.opts.annotate && toSend.length > 0) {
        try {
          toSend = await this.opts.annotate(toSend);
        } catch (err) {
          // a message without its campaign is better than no message
          hooks?.log?.(`campaign context unavailable: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      const r = await notifier.notify(toSend);
      hooks?.onNotified?.(r);
      if (r.failed > 0) hooks?.log?.(`${r.failed} notification(s) failed; they are tried again at the next flush`);
    }
    const every = this.opts.snapshotEveryMs ?? 60_000;
    if (this.now() - this.lastSnapshotAt >= every) this.snapshot();
    return records.length;
  }

  /** Run steps until stop(); call once. */
  start(): void {
    if (this.running) return;
    const batch = this.opts.batch ?? 5000;
    this.running = (async () => {
      while (!this.stopping) {
        let n = 0;
        try {
          n = await this.step();
        } catch (err) {
          // the store is down, say: the changed alerts are kept and saved first on the next step
          this.opts.hooks?.log?.(`detection step failed, retrying: ${err instanceof Error ? err.message : String(err)}`);
          await this.sleep(Math.max(1000, this.opts.idleMs ?? 250));
          continue;
        }
        if (n < batch) await this.sleep(this.opts.idleMs ?? 250);
      }
    })();
  }

  /** Wake the loop early (new records were just committed). */
  poke(): void {
    this.wake?.();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done(): void {
        clearTimeout(t);
        resolve();
      }
      this.wake = done;
    });
  }

  /** Finish the current step, take a snapshot, and stop. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.running;
    try {
      this.snapshot();
    } catch (err) {
      this.opts.hooks?.log?.(`could not write the detection snapshot: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
