import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type { Hono } from 'hono';
import { createEnrichment, type Enrichment, type EnrichmentOptions } from '../enrich/index.js';
import { IntelEnricher } from '../enrich/intel.js';
import type { Enricher } from '../enrich/types.js';
import { createNotifier, type Notifier, type NotifierConfig } from '../notify/index.js';
import type { AuthEnv } from '../server/auth.js';
import type { IngestLimits } from '../server/body.js';
import { openServerDb, type ServerDb } from '../server/db.js';
import { ingestApp } from '../server/http.js';
import { Journal } from '../server/journal.js';
import { TokenStore } from '../server/tokens.js';
import type { Source, SourceDeps } from '../sources/types.js';
import { openAsyncStore, type AsyncVigilStore } from '../store/open.js';
import { DetectLoop, type DetectLoopHooks, type EngineCodec } from './detect-loop.js';
import { NotifyLedger } from './notify-ledger.js';

/** Everything the running server is made of, for routes and sources to use. */
export interface ServiceParts {
  db: ServerDb;
  journal: Journal;
  tokens: TokenStore;
  store: AsyncVigilStore;
  loop: DetectLoop;
  sources: Source[];
}

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
  notify?: Omit<NotifierConfig, 'dedupeState' | 'onNotified'>;
  /** engine snapshots (without one, a restart replays the whole journal) */
  codec?: EngineCodec;
  batch?: number;
  snapshotEveryMs?: number;
  /** how often held digests and failed notifications are tried again (default 30 s) */
  notifyFlushMs?: number;
  /** refuse ingest with 503 while this many records wait for detection (default 5,000,000) */
  maxBacklog?: number;
  /** sources besides HTTP ingest, built once the journal is open */
  sources?: ((deps: SourceDeps) => Source)[];
  /** more routes (the REST API) mounted on the same app */
  routes?: (app: Hono<AuthEnv>, parts: ServiceParts) => void;
  hooks?: DetectLoopHooks;
  log?: (msg: string) => void;
}

export interface RunningService extends ServiceParts {
  port: number;
  url: string;
  enrichment: Enrichment;
  notifier?: Notifier;
  stop(): Promise<void>;
}

/**
 * `vigil serve` as a library: HTTP ingest and other sources write to the durable journal; the
 * detection loop reads it, stores alerts and notifies. The CLI and the end-to-end tests both use it.
 */
export async function startService(opts: ServiceOptions): Promise<RunningService> {
  const log = opts.log ?? ((): void => undefined);
  const db = openServerDb(opts.serverDb);
  const cleanup: (() => Promise<void> | void)[] = [
    () => {
      db.close();
    },
  ];
  const undo = async (): Promise<void> => {
    for (const f of cleanup.reverse()) await f();
  };
  try {
    const journal = new Journal(db);
    const tokens = new TokenStore(db);
    const store = await openAsyncStore(opts.store);
    cleanup.push(() => store.close());
    const enrichment = await createEnrichment(opts.enrichment ?? {});
    cleanup.push(() => enrichment.close());
    const enrichers: Enricher[] = [enrichment];
    const indicators = await store.listIntel();
    if (indicators.length > 0) enrichers.push(new IntelEnricher(indicators));

    let notifier: Notifier | undefined;
    if (opts.notify) {
      const ledger = new NotifyLedger(db);
      ledger.prune();
      notifier = createNotifier({ ...opts.notify, dedupeState: ledger.load(), onNotified: ledger.mark });
      const n = notifier;
      // held digests and failed deliveries go out without waiting for the next alert
      const timer = setInterval(() => {
        void n.flush().then((r) => {
          opts.hooks?.onNotified?.(r);
          if (r.failed > 0) log(`${r.failed} notification(s) failed again; kept for the next try`);
        });
      }, opts.notifyFlushMs ?? 30_000);
      timer.unref();
      cleanup.push(() => n.close());
      cleanup.push(() => clearInterval(timer));
    }
    const loop = DetectLoop.open({
      journal,
      db,
      store,
      enrichers,
      ...(notifier ? { notifier } : {}),
      ...(opts.codec ? { codec: opts.codec } : {}),
      ...(opts.batch !== undefined ? { batch: opts.batch } : {}),
      ...(opts.snapshotEveryMs !== undefined ? { snapshotEveryMs: opts.snapshotEveryMs } : {}),
      hooks: { log, ...opts.hooks },
    });
    const maxBacklog = opts.maxBacklog ?? 5_000_000;
    const app = ingestApp({
      journal,
      tokens,
      ...(opts.limits ? { limits: opts.limits } : {}),
      onCommitted: () => loop.poke(),
      refuse: () => (journal.lag() > maxBacklog ? `more than ${maxBacklog} records wait for detection` : undefined),
    });
    const sources = (opts.sources ?? []).map((make) => make({ journal, log }));
    const parts: ServiceParts = { db, journal, tokens, store, loop, sources };
    opts.routes?.(app, parts);

    loop.start();
    cleanup.push(() => loop.stop());
    for (const s of sources) {
      await s.start();
      cleanup.push(() => s.stop());
    }
    const host = opts.host ?? '127.0.0.1';
    const server = await new Promise<ServerType>((resolve, reject) => {
      const s = serve({ fetch: app.fetch, hostname: host, port: opts.port ?? 0 }, () => resolve(s));
      s.once('error', reject);
    });
    cleanup.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          // keep-alive sockets would hold close() open
          if ('closeAllConnections' in server) server.closeAllConnections();
        }),
    );
    const port = (server.address() as AddressInfo).port;
    let stopped: Promise<void> | undefined;
    return {
      ...parts,
      port,
      url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
      enrichment,
      ...(notifier ? { notifier } : {}),
      // stop in reverse: HTTP first, then sources, the loop (final snapshot), notifier, store, db
      stop: () => (stopped ??= undo()),
    };
  } catch (err) {
    await undo();
    throw err;
  }
}
