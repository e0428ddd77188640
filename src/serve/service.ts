import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { serve, type ServerType } from '@hono/node-server';
import type { EnrichmentOptions } from '../enrich/index.js';
import type { NotifyResult } from '../notify/index.js';
import { VigilMetrics } from '../server/api/metrics-registry.js';
import type { IngestLimits } from '../server/body.js';
import { openServerDb, type ServerDb } from '../server/db.js';
import { ingestApp } from '../server/http.js';
import { Journal } from '../server/journal.js';
import { TokenStore } from '../server/tokens.js';
import type { Source, SourceDeps } from '../sources/types.js';
import { openAsyncStore, type AsyncVigilStore } from '../store/open.js';
import { loadEngineCodec } from './codec.js';
import { startDetection, type DetectionConfig, type DetectionEvents, type RunningDetection } from './detect-runtime.js';
import type { WorkerMessage } from './detect-worker.js';
import { Teardown } from './teardown.js';

export interface ServiceOptions {
  /** the server database file (journal, checkpoints, tokens, snapshots, notification ledger) */
  serverDb: string;
  /** alert store: an SQLite path or a postgres:// URL */
  store: string;
  host?: string;
  /** 0: any free port */
  port?: number;
  limits?: Partial<IngestLimits>;
  enrichment?: EnrichmentOptions;
  notify?: DetectionConfig['notify'];
  batch?: number;
  snapshotEveryMs?: number;
  /** how often held digests and failed notifications are tried again (default 30 s) */
  notifyFlushMs?: number;
  /** refuse ingest with 503 while this many records wait for detection (default 5,000,000) */
  maxBacklog?: number;
  /** 'worker' (default): detection on its own thread; 'inline': in the server's thread */
  detection?: 'worker' | 'inline';
  /** sources besides HTTP ingest, built once the journal is open */
  sources?: ((deps: SourceDeps) => Source)[];
  log?: (msg: string) => void;
  /** detection stopped on its own (the worker died): the CLI exits so a supervisor restarts it */
  onFatal?: (reason: string) => void;
}

export interface RunningService {
  port: number;
  url: string;
  db: ServerDb;
  journal: Journal;
  tokens: TokenStore;
  store: AsyncVigilStore;
  metrics: VigilMetrics;
  sources: Source[];
  /** where the detection state came from at start */
  restoredFrom: 'snapshot' | 'journal';
  stop(): Promise<void>;
}

/** Detection as the server sees it, wherever it runs. */
interface DetectionHandle {
  restoredFrom: 'snapshot' | 'journal';
  poke(): void;
  stop(): Promise<void>;
}

const WORKER_FILE = fileURLToPath(new URL('./detect-worker.js', import.meta.url));

/**
 * `vigil serve` as a library: HTTP ingest and the other sources commit to the durable journal in
 * this thread; detection (journal → engine → alert store → notifications) runs on a worker thread,
 * so ingest and detection each have a core. The REST API reads the same stores. The CLI and the
 * end-to-end tests both start it here.
 */
export async function startService(opts: ServiceOptions): Promise<RunningService> {
  const log = opts.log ?? ((): void => undefined);
  const db = openServerDb(opts.serverDb);
  const undo = new Teardown(log);
  undo.add(() => {
    db.close();
  });
  try {
    const journal = new Journal(db);
    const tokens = new TokenStore(db);
    const store = await openAsyncStore(opts.store);
    undo.add(() => store.close());
    const metrics = new VigilMetrics();
    const report: DetectionEvents = {
      events: () => undefined, // counted at ingest, by source
      alerts: (alerts) => metrics.recordAlerts(alerts),
      notified: (r: NotifyResult) => {
        if (r.failed > 0) {
          metrics.recordNotificationFailures('any', r.failed);
          log(`${r.failed} notification(s) failed; kept for another try`);
        }
      },
      log,
    };
    const config: DetectionConfig = {
      serverDb: opts.serverDb,
      store: opts.store,
      enrichment: opts.enrichment ?? {},
      ...(opts.notify ? { notify: opts.notify } : {}),
      ...(opts.batch !== undefined ? { batch: opts.batch } : {}),
      ...(opts.snapshotEveryMs !== undefined ? { snapshotEveryMs: opts.snapshotEveryMs } : {}),
      ...(opts.notifyFlushMs !== undefined ? { notifyFlushMs: opts.notifyFlushMs } : {}),
    };
    const useWorker = (opts.detection ?? 'worker') === 'worker' && existsSync(WORKER_FILE);
    const detection = useWorker ? await startWorker(config, report, opts.onFatal) : await startInline(config, report);
    undo.add(() => detection.stop());

    const sources = (opts.sources ?? []).map((make) => make({ journal, log }));
    const maxBacklog = opts.maxBacklog ?? 5_000_000;
    const app = ingestApp({
      journal,
      tokens,
      ...(opts.limits ? { limits: opts.limits } : {}),
      onCommitted: (tenant, accepted, rejected) => {
        metrics.recordEventsIngested('http', tenant, accepted);
        if (rejected > 0) metrics.recordParseErrors('http', rejected);
        if (accepted > 0) detection.poke();
      },
      refuse: () => (journal.lag() > maxBacklog ? `more than ${maxBacklog} records wait for detection` : undefined),
      api: { store, tokens, db, journal, metrics, sources: () => sources.map((s) => s.status()), log },
    });
    for (const s of sources) {
      await s.start();
      undo.add(() => s.stop());
    }
    const host = opts.host ?? '127.0.0.1';
    const server = await new Promise<ServerType>((resolve, reject) => {
      const s = serve({ fetch: app.fetch, hostname: host, port: opts.port ?? 0 }, () => resolve(s));
      s.once('error', reject);
    });
    undo.add(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          // keep-alive sockets would hold close() open
          if ('closeAllConnections' in server) server.closeAllConnections();
        }),
    );
    const port = (server.address() as AddressInfo).port;
    return {
      port,
      url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
      db,
      journal,
      tokens,
      store,
      metrics,
      sources,
      restoredFrom: detection.restoredFrom,
      // in reverse: HTTP first, then sources, detection (final snapshot), store, database
      stop: () => undo.run(),
    };
  } catch (err) {
    await undo.run();
    throw err;
  }
}

async function startInline(config: DetectionConfig, report: DetectionEvents): Promise<DetectionHandle> {
  const d: RunningDetection = await startDetection(config, report, await loadEngineCodec());
  return { restoredFrom: d.loop.restoredFrom, poke: () => d.poke(), stop: () => d.stop() };
}

function startWorker(config: DetectionConfig, report: DetectionEvents, onFatal?: (reason: string) => void): Promise<DetectionHandle> {
  const worker = new Worker(WORKER_FILE, { workerData: config });
  let stopped: Promise<void> | undefined;
  let onStopped: (() => void) | undefined;
  return new Promise<DetectionHandle>((resolve, reject) => {
    worker.on('message', (m: WorkerMessage) => {
      switch (m.type) {
        case 'ready':
          resolve({
            restoredFrom: m.restoredFrom,
            poke: () => worker.postMessage('poke'),
            stop: () =>
              (stopped ??= new Promise<void>((done) => {
                onStopped = done;
                worker.postMessage('stop');
                // a wedged worker must not hold the server open
                setTimeout(() => void worker.terminate().then(() => done()), 30_000).unref();
              })),
          });
          break;
        case 'events':
          report.events(m.tenant, m.format, m.n);
          break;
        case 'alerts':
          report.alerts(m.alerts);
          break;
        case 'notified':
          report.notified(m.result);
          break;
        case 'log':
          report.log(m.msg);
          break;
        case 'fatal':
          reject(new Error(`detection could not start: ${m.msg}`));
          break;
        case 'stopped':
          onStopped?.();
          break;
      }
    });
    worker.once('error', (err) => {
      report.log(`detection worker failed: ${err.message}`);
      reject(err);
    });
    worker.once('exit', (code) => {
      onStopped?.();
      if (stopped === undefined) {
        report.log(`detection worker exited with code ${code}`);
        onFatal?.(`detection worker exited with code ${code}`);
      }
    });
  });
}
