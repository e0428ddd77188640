import type { Alert } from '../core/types.js';
import { createEnrichment, type EnrichmentOptions } from '../enrich/index.js';
import { IntelEnricher } from '../enrich/intel.js';
import type { Enricher } from '../enrich/types.js';
import { createNotifier, type Notifier, type NotifierConfig, type NotifyResult } from '../notify/index.js';
import { openServerDb } from '../server/db.js';
import { Journal } from '../server/journal.js';
import { openAsyncStore } from '../store/open.js';
import { campaignAnnotator } from './campaign-context.js';
import { DetectLoop, type EngineCodec } from './detect-loop.js';
import { NotifyLedger } from './notify-ledger.js';
import { Teardown } from './teardown.js';

/** Everything detection needs, as plain data: it crosses into a worker thread as workerData. */
export interface DetectionConfig {
  serverDb: string;
  /** alert store: an SQLite path or a postgres:// URL */
  store: string;
  enrichment: EnrichmentOptions;
  /** notification routes and channels, without functions (log and clock are supplied here) */
  notify?: Omit<NotifierConfig, 'dedupeState' | 'onNotified' | 'log' | 'now'>;
  batch?: number;
  snapshotEveryMs?: number;
  notifyFlushMs?: number;
}

/** What detection reports to the server (metrics, the operator's log). */
export interface DetectionEvents {
  events(tenant: string, format: string, n: number): void;
  alerts(alerts: readonly Pick<Alert, 'id' | 'severity' | 'kind'>[]): void;
  notified(result: NotifyResult): void;
  log(msg: string): void;
}

export interface RunningDetection {
  loop: DetectLoop;
  poke(): void;
  stop(): Promise<void>;
}

/**
 * Open the journal, store, enrichment and notifier and start the detection loop. Runs inside the
 * detection worker thread (detect-worker.ts) or, for tests and `--detection inline`, in the
 * server's own thread. Its own database connections either way.
 */
export async function startDetection(cfg: DetectionConfig, report: DetectionEvents, codec?: EngineCodec): Promise<RunningDetection> {
  const db = openServerDb(cfg.serverDb);
  // This connection writes checkpoints, snapshots and the notification ledger. In WAL mode NORMAL
  // makes a commit safe against a killed process (it is in the OS before the call returns) without
  // waiting for fsync, which shrinks the moment where a delivered message is not yet marked; a
  // power cut can lose the last marks and acks (then records are replayed, messages resent with
  // the same delivery id). Ingest keeps FULL on its own connection: its 2xx promises durability.
  db.pragma('synchronous = NORMAL');
  const undo = new Teardown(report.log);
  undo.add(() => {
    db.close();
  });
  try {
    const store = await openAsyncStore(cfg.store);
    undo.add(() => store.close());
    const enrichment = await createEnrichment(cfg.enrichment);
    undo.add(() => enrichment.close());
    const enrichers: Enricher[] = [enrichment];
    const indicators = await store.listIntel();
    if (indicators.length > 0) enrichers.push(new IntelEnricher(indicators));

    let notifier: Notifier | undefined;
    if (cfg.notify) {
      const ledger = new NotifyLedger(db);
      ledger.prune();
      notifier = createNotifier({
        ...cfg.notify,
        dedupeState: ledger.load(),
        onNotified: ledger.mark,
        log: (e) => report.log(`notify${e.channel ? ` ${e.channel}` : ''}: ${e.msg}`),
      });
      const n = notifier;
      // held digests and failed deliveries go out without waiting for the next alert
      const timer = setInterval(() => {
        void n.flush().then((r) => report.notified(r));
      }, cfg.notifyFlushMs ?? 30_000);
      timer.unref();
      undo.add(() => n.close());
      undo.add(() => clearInterval(timer));
    }
    const loop = DetectLoop.open({
      journal: new Journal(db),
      db,
      store,
      enrichers,
      ...(notifier ? { notifier, annotate: campaignAnnotator(store) } : {}),
      ...(codec ? { codec } : {}),
      ...(cfg.batch !== undefined ? { batch: cfg.batch } : {}),
      ...(cfg.snapshotEveryMs !== undefined ? { snapshotEveryMs: cfg.snapshotEveryMs } : {}),
      hooks: {
        onEvents: (t, f, n) => report.events(t, f, n),
        onAlerts: (a) => report.alerts(a.map((x) => ({ id: x.id, severity: x.severity, kind: x.kind }))),
        onNotified: (r) => report.notified(r),
        log: (m) => report.log(m),
      },
    });
    loop.start();
    undo.add(() => loop.stop());
    return { loop, poke: () => loop.poke(), stop: () => undo.run() };
  } catch (err) {
    await undo.run();
    throw err;
  }
}
