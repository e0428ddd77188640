import type { Alert, AlertKind, Severity } from '../core/types.js';
import type { Indicator } from '../intel/types.js';

export interface AlertFilter {
  /** one alert by id (the REST API's GET /v1/alerts/:id, always with the caller's tenant) */
  id?: string;
  tenant?: string;
  kind?: AlertKind;
  minSeverity?: Severity;
  user?: string;
  ip?: string;
  /** epoch ms; alerts whose lastSeen is at or after */
  since?: number;
  limit?: number;
}

/** Where alerts live between runs. One file per backend; one shared test suite. */
export interface AlertStore {
  /** insert or replace by id (an alert grows while its attack goes on); atomic per call */
  saveAlerts(alerts: readonly Alert[]): void;
  listAlerts(filter?: AlertFilter): Alert[];
  close(): void;
}

/** An imported threat-intelligence indicator as the store keeps it. */
export interface StoredIndicator extends Indicator {
  /** row id, for `vigil intel remove <id>` */
  id: number;
  /** base name of the file it was imported from (re-importing that name replaces them all) */
  file: string;
  /** epoch ms */
  addedAt: number;
}

/** Threat-intelligence indicators imported with `vigil intel add`, kept beside the alerts. */
export interface IntelStore {
  /** replaces every indicator of `file` with these (duplicates dropped); atomic; returns how many were kept */
  replaceIntel(file: string, indicators: readonly Indicator[], addedAt?: number): number;
  /** every stored indicator, by file then id */
  listIntel(): StoredIndicator[];
  /** removes the indicators of a file name, or else the one indicator with that id; returns how many */
  removeIntel(fileOrId: string): number;
}

/**
 * The same contract with promises, for backends that talk to a server (PostgreSQL) and for the
 * long-running `vigil serve`. SQLite offers it too by wrapping its synchronous calls (async.ts), so
 * one shared test suite and one server code path cover both backends.
 */
export interface AsyncAlertStore {
  saveAlerts(alerts: readonly Alert[]): Promise<void>;
  listAlerts(filter?: AlertFilter): Promise<Alert[]>;
  close(): Promise<void>;
}

/** IntelStore with promises; same semantics. */
export interface AsyncIntelStore {
  replaceIntel(file: string, indicators: readonly Indicator[], addedAt?: number): Promise<number>;
  listIntel(): Promise<StoredIndicator[]>;
  removeIntel(fileOrId: string): Promise<number>;
}
