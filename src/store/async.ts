import type { AlertFilter, AlertStore, AsyncAlertStore, AsyncIntelStore, IntelStore } from './types.js';
import type { Alert } from '../core/types.js';
import type { Indicator } from '../intel/types.js';

/** A store with both alerts and intelligence, promise-based. */
export type AsyncVigilStore = AsyncAlertStore & AsyncIntelStore;

/**
 * The promise-based face of a synchronous store (SQLite). Each call runs the synchronous one at
 * once, so a thrown error becomes a rejected promise and ordering is exactly the caller's order.
 */
export function toAsyncStore(sync: AlertStore & IntelStore): AsyncVigilStore {
  const run = <T>(fn: () => T): Promise<T> => {
    try {
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  };
  return {
    saveAlerts: (alerts: readonly Alert[]) => run(() => sync.saveAlerts(alerts)),
    listAlerts: (filter?: AlertFilter) => run(() => sync.listAlerts(filter)),
    close: () => run(() => sync.close()),
    replaceIntel: (file: string, indicators: readonly Indicator[], addedAt?: number) => run(() => sync.replaceIntel(file, indicators, addedAt)),
    listIntel: () => run(() => sync.listIntel()),
    removeIntel: (fileOrId: string) => run(() => sync.removeIntel(fileOrId)),
  };
}
