import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type { IngestLimits } from './body.js';
import { openServerDb, type ServerDb } from './db.js';
import { ingestApp } from './http.js';
import { Journal } from './journal.js';
import { TokenStore } from './tokens.js';

export { Journal, DEFAULT_CONSUMER, type JournalRecord, type SourceCheckpoint } from './journal.js';
export { TokenStore, ROLES, isRole, type Role, type Principal, type TokenInfo } from './tokens.js';
export { openServerDb, type ServerDb } from './db.js';
export { eventsOfRecord, ingestRecords, type IngestResponse, type IngestOutcome, type Rejection } from './ingest.js';
export { type DecodedRecord } from './decode.js';
export { ingestApp } from './http.js';
export { DEFAULT_LIMITS, type IngestLimits } from './body.js';

export interface IngestServerOptions {
  /** the server database (journal, checkpoints, tokens) */
  dbFile: string;
  /** default 127.0.0.1 */
  host?: string;
  /** default 0: an ephemeral port */
  port?: number;
  limits?: Partial<IngestLimits>;
}

export interface IngestServer {
  port: number;
  url: string;
  journal: Journal;
  tokens: TokenStore;
  db: ServerDb;
  close(): Promise<void>;
}

/** Open the database and listen; resolves once the port is bound. */
export async function startIngestServer(opts: IngestServerOptions): Promise<IngestServer> {
  const db = openServerDb(opts.dbFile);
  const journal = new Journal(db);
  const tokens = new TokenStore(db);
  const app = ingestApp(opts.limits ? { journal, tokens, limits: opts.limits } : { journal, tokens });
  const host = opts.host ?? '127.0.0.1';
  let server: ServerType | undefined;
  try {
    server = await new Promise<ServerType>((resolve, reject) => {
      const s = serve({ fetch: app.fetch, hostname: host, port: opts.port ?? 0 }, () => resolve(s));
      s.once('error', reject);
    });
  } catch (err) {
    db.close();
    throw err;
  }
  const bound = server;
  const port = (bound.address() as AddressInfo).port;
  return {
    port,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    journal,
    tokens,
    db,
    close: () =>
      new Promise<void>((resolve) => {
        bound.close(() => {
          db.close();
          resolve();
        });
        // keep-alive sockets would hold close() open
        if ('closeAllConnections' in bound) bound.closeAllConnections();
      }),
  };
}
