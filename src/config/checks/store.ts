/** Can the alert store and the server database be opened, migrated and written? */
import { openServerDb } from '../../server/db.js';
import { openAsyncStore } from '../../store/open.js';
import { PostgresAlertStore, redactPostgresUrl } from '../../store/postgres.js';
import type { StoreConfig } from '../types.js';
import { storeLocation } from '../wire.js';
import { fail, ok, reason, type CheckOptions, type CheckResult } from './types.js';

export async function checkStore(store: StoreConfig, opts: CheckOptions): Promise<CheckResult> {
  const name = 'store';
  if (store.kind === 'sqlite') {
    try {
      const s = await openAsyncStore(store.path);
      await s.close();
      return ok(name, `SQLite ${store.path} opens and is migrated`);
    } catch (err) {
      return fail(name, `SQLite ${store.path}: ${reason(err)}`, 'check that the folder exists and is writable by the user running vigil (store.sqlite)');
    }
  }
  const label = redactPostgresUrl(store.url);
  try {
    const s = await PostgresAlertStore.open(storeLocation(store), { maxConnections: 1, connectTimeoutMs: Math.min(store.connectTimeoutMs ?? opts.timeoutMs, opts.timeoutMs) });
    await s.close();
    return ok(name, `PostgreSQL ${label} opens and is migrated`);
  } catch (err) {
    const why = reason(err);
    return fail(name, why.includes(label) ? `PostgreSQL ${why}` : `PostgreSQL ${label}: ${why}`, 'check that the server is up and reachable from this host, and the user, password (store.password) and database in store.postgres');
  }
}

export function checkServerDb(file: string): CheckResult {
  const name = 'server database';
  try {
    const db = openServerDb(file);
    try {
      // takes the write lock without changing anything: fails on a read-only file or folder
      db.exec('BEGIN IMMEDIATE');
      db.exec('ROLLBACK');
    } finally {
      db.close();
    }
    return ok(name, `${file} opens and is writable`);
  } catch (err) {
    return fail(name, `${file}: ${reason(err)}`, 'make server.serverDb a path in a folder the vigil user can write');
  }
}
