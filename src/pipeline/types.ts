import type { Alert } from '../core/types.js';
import type { IngestIssue, IngestStats } from '../ingest/types.js';
import type { Campaign } from '../correlate/types.js';

/** What one `vigil scan` found, for the terminal report and the exit code. */
export interface ScanSummary {
  stats: IngestStats;
  /** the first issues (at most 10 are printed), in input order */
  issues: IngestIssue[];
  /** every issue, counted */
  issueCount: number;
  alerts: Alert[];
  /** tenants seen in the input, with their event counts */
  tenants: Record<string, number>;
  /** event-time span of the input, epoch ms */
  firstEvent?: number;
  lastEvent?: number;
  durationMs: number;
  /** the alerts grouped into campaigns and attributed (when the scan was asked to) */
  campaigns?: Campaign[];
  /** threat-intelligence indicators matched during enrichment (stored and --intel STIX/MISP/CSV) */
  intelIndicators?: number;
}
