import type { Alert, AlertKind, Severity } from '../core/types.js';

export interface AlertFilter {
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
