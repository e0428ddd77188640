import { VigilError } from '../core/errors.js';
import { toAsyncStore, type AsyncVigilStore } from './async.js';
import { PostgresAlertStore } from './postgres.js';
import { SqliteAlertStore } from './sqlite.js';
import type { AlertStore, IntelStore } from './types.js';

/** What a location opens: alerts and imported intelligence in one database. */
export type VigilStore = AlertStore & IntelStore;
export type { AsyncVigilStore } from './async.js';

const POSTGRES_URL = /^postgres(?:ql)?:\/\//i;
const OTHER_URL = /^[a-z][a-z0-9+.-]{1,20}:\/\//i;

function checkLocation(location: string): string {
  const loc = location.trim();
  if (loc === '') throw new VigilError('USAGE', 'the alert store location is empty');
  if (!POSTGRES_URL.test(loc) && OTHER_URL.test(loc)) {
    throw new VigilError('STORE', `unsupported alert store "${loc.slice(0, 40)}": give an SQLite file path or a postgres:// URL`);
  }
  return loc;
}

/**
 * The alert store at a file path (SQLite), synchronously, for the one-shot CLI commands.
 * A `postgres://` URL needs a connection and so `openAsyncStore`.
 */
export function openStore(location: string): VigilStore {
  const loc = checkLocation(location);
  if (POSTGRES_URL.test(loc)) {
    // the one-shot commands are synchronous; the server opens PostgreSQL through openAsyncStore
    throw new VigilError('STORE', 'PostgreSQL alert stores are not available yet in the one-shot commands (vigil serve opens them); use an SQLite file path');
  }
  return new SqliteAlertStore(loc);
}

/**
 * The alert store at a location, promise-based: a `postgres://` / `postgresql://` URL (optional
 * `?schema=name`) opens PostgreSQL, anything else is an SQLite file path.
 */
export async function openAsyncStore(location: string): Promise<AsyncVigilStore> {
  const loc = checkLocation(location);
  if (POSTGRES_URL.test(loc)) return PostgresAlertStore.open(loc);
  return toAsyncStore(new SqliteAlertStore(loc));
}
