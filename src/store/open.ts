import { VigilError } from '../core/errors.js';
import { SqliteAlertStore } from './sqlite.js';
import type { AlertStore, IntelStore } from './types.js';

/** What a location opens: alerts and imported intelligence in one database. */
export type VigilStore = AlertStore & IntelStore;

/**
 * The alert store at a location: a file path (SQLite) today; `postgres://` / `postgresql://` URLs
 * are reserved for the server backend.
 */
export function openStore(location: string): VigilStore {
  const loc = location.trim();
  if (loc === '') throw new VigilError('USAGE', 'the alert store location is empty');
  if (/^postgres(?:ql)?:\/\//i.test(loc)) {
    throw new VigilError('STORE', 'PostgreSQL alert stores are not available yet; use an SQLite file path');
  }
  if (/^[a-z][a-z0-9+.-]{1,20}:\/\//i.test(loc)) {
    throw new VigilError('STORE', `unsupported alert store "${loc.slice(0, 40)}": give an SQLite file path`);
  }
  return new SqliteAlertStore(loc);
}
