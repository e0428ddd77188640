/** A `vigil serve` HTTP app (ingest + REST API) on 127.0.0.1 and an ephemeral port, for the API tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import type { SourceStatus } from '../../sources/types.js';
import { openAsyncStore, type AsyncVigilStore } from '../../store/open.js';
import { openServerDb, type ServerDb } from '../db.js';
import { ingestApp } from '../http.js';
import { Journal } from '../journal.js';
import { TokenStore } from '../tokens.js';
import { VigilMetrics } from './metrics-registry.js';
import type { ApiLimits } from './types.js';

export interface TestServer {
  url: string;
  store: AsyncVigilStore;
  tokens: TokenStore;
  db: ServerDb;
  journal: Journal;
  metrics: VigilMetrics;
  logs: string[];
  app: ReturnType<typeof ingestApp>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  /** default: a fresh SQLite alert store in a temporary directory */
  store?: AsyncVigilStore;
  sources?: () => SourceStatus[];
  limits?: Partial<ApiLimits>;
  now?: () => number;
}

export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-api-'));
  const db = openServerDb(join(dir, 'server.db'));
  const store = opts.store ?? (await openAsyncStore(join(dir, 'alerts.db')));
  const journal = new Journal(db);
  const tokens = new TokenStore(db);
  const metrics = new VigilMetrics();
  const logs: string[] = [];
  const app = ingestApp({
    journal,
    tokens,
    api: {
      store,
      tokens,
      db,
      journal,
      metrics,
      log: (m) => void logs.push(m),
      ...(opts.sources ? { sources: opts.sources } : {}),
      ...(opts.limits ? { limits: opts.limits } : {}),
      ...(opts.now ? { now: opts.now } : {}),
    },
  });
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
    s.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    store,
    tokens,
    db,
    journal,
    metrics,
    logs,
    app,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ('closeAllConnections' in server) server.closeAllConnections();
      });
      await store.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** fetch with a bearer token (or none) */
export function call(server: TestServer, method: string, path: string, token?: string, body?: string | Record<string, unknown>, headers: Record<string, string> = {}): Promise<Response> {
  const h: Record<string, string> = { ...headers };
  if (token !== undefined) h['authorization'] = `Bearer ${token}`;
  let payload: string | undefined;
  if (body !== undefined) {
    payload = typeof body === 'string' ? body : JSON.stringify(body);
    h['content-type'] ??= typeof body === 'string' ? 'text/plain' : 'application/json';
  }
  return fetch(`${server.url}${path}`, { method, headers: h, ...(payload !== undefined ? { body: payload } : {}) });
}
